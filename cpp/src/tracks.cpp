#include "ghosting/tracks.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

namespace ghosting {

void validate_offsets(const std::int64_t* offsets, std::size_t n_offsets, std::size_t n_samples,
                      const char* what) {
    const std::string name(what);
    if (n_offsets == 0) {
        throw std::invalid_argument(name + ": offsets must have at least one element (0)");
    }
    if (offsets[0] != 0) {
        throw std::invalid_argument(name + ": offsets must start at 0, got " +
                                    std::to_string(offsets[0]));
    }
    for (std::size_t i = 1; i < n_offsets; ++i) {
        if (offsets[i] < offsets[i - 1]) {
            throw std::invalid_argument(name + ": offsets decrease at index " + std::to_string(i));
        }
    }
    if (static_cast<std::uint64_t>(offsets[n_offsets - 1]) != n_samples) {
        throw std::invalid_argument(name + ": last offset " +
                                    std::to_string(offsets[n_offsets - 1]) +
                                    " does not equal the number of samples " +
                                    std::to_string(n_samples));
    }
}

void validate_speed_limit(double v_max, double dt) {
    if (!(std::isfinite(v_max) && v_max > 0.0)) {
        throw std::invalid_argument("v_max must be finite and > 0, got " + std::to_string(v_max));
    }
    if (!(std::isfinite(dt) && dt > 0.0)) {
        throw std::invalid_argument("dt must be finite and > 0, got " + std::to_string(dt));
    }
}

void validate_field_tolerance(double tolerance, const char* what) {
    if (!(std::isfinite(tolerance) && tolerance >= 0.0)) {
        throw std::invalid_argument(std::string(what) + " must be finite and >= 0, got " +
                                    std::to_string(tolerance));
    }
}

}  // namespace ghosting
