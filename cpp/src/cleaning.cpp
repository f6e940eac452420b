#include "ghosting/cleaning.hpp"

#include <cfloat>
#include <cmath>
#include <cstring>
#include <stdexcept>
#include <string>

#include "ghosting/field.hpp"
#include "ghosting/tracks.hpp"

namespace ghosting {

namespace {

// Bounds of the accepted field, and the longest accepted step.
struct Limits {
    double x_lo, x_hi, y_lo, y_hi, v_max, step_max;
};

// All-ones when the flag is true, else zero: keeps the loops branch-free.
inline std::uint8_t mask_if(bool flag) { return static_cast<std::uint8_t>(-static_cast<int>(flag)); }

inline std::uint8_t sample_flags(double x, double y, double s, const Limits& lim) {
    // |v| <= DBL_MAX is false for NaN and for +-inf.
    const bool finite = std::fabs(x) <= DBL_MAX && std::fabs(y) <= DBL_MAX;
    const bool off = x < lim.x_lo || x > lim.x_hi || y < lim.y_lo || y > lim.y_hi;
    return static_cast<std::uint8_t>((mask_if(!finite) & kNonFinite) | (mask_if(off) & kOffField) |
                                     (mask_if(s > lim.v_max) & kOverSpeed));
}

inline std::uint8_t step_flags(double dx, double dy, std::int64_t frame_step, const Limits& lim) {
    const bool long_step = std::sqrt(dx * dx + dy * dy) > lim.step_max;
    const bool duplicate = frame_step == 0;
    const bool gap = frame_step != 1 && !duplicate;
    return static_cast<std::uint8_t>((mask_if(long_step) & kLongStep) |
                                     (mask_if(gap) & kFrameGap) |
                                     (mask_if(duplicate) & kDuplicateFrame));
}

// Flags the samples [b, e) of one track and returns the OR of the flags of
// those inside the window. `allowed` masks out the reasons that do not apply.
std::uint8_t flag_track(const CleaningInput& in, const Limits& lim, std::uint8_t allowed,
                        std::size_t b, std::size_t e, std::uint8_t* flags) {
    if (b == e) {
        return 0;
    }
    const double* x = in.x;
    const double* y = in.y;
    const double* s = in.s;
    const std::int32_t* frame = in.frame_id;
    const std::uint8_t* in_window = in.in_window;

    flags[b] = static_cast<std::uint8_t>(sample_flags(x[b], y[b], s[b], lim) & allowed);
    std::uint8_t reasons = static_cast<std::uint8_t>(flags[b] & mask_if(in_window[b] != 0));
    for (std::size_t i = b + 1; i < e; ++i) {
        const std::int64_t frame_step =
            static_cast<std::int64_t>(frame[i]) - static_cast<std::int64_t>(frame[i - 1]);
        const std::uint8_t f = static_cast<std::uint8_t>(
            (sample_flags(x[i], y[i], s[i], lim) |
             step_flags(x[i] - x[i - 1], y[i] - y[i - 1], frame_step, lim)) &
            allowed);
        flags[i] = f;
        reasons = static_cast<std::uint8_t>(reasons | (f & mask_if(in_window[i] != 0)));
    }
    return reasons;
}

}  // namespace

CleaningPolicy parse_cleaning_policy(const char* name) {
    const std::string policy(name == nullptr ? "" : name);
    if (policy == "play") {
        return CleaningPolicy::kPlay;
    }
    if (policy == "track") {
        return CleaningPolicy::kTrack;
    }
    if (policy == "sample") {
        return CleaningPolicy::kSample;
    }
    throw std::invalid_argument("cleaning policy must be 'play', 'track' or 'sample', got '" +
                                policy + "'");
}

void validate_cleaning_input(const CleaningInput& in, const CleaningParams& params) {
    if (!(std::isfinite(params.v_max) && params.v_max > 0.0)) {
        throw std::invalid_argument("v_max must be finite and > 0, got " +
                                    std::to_string(params.v_max));
    }
    if (!(std::isfinite(params.dt) && params.dt > 0.0)) {
        throw std::invalid_argument("dt must be finite and > 0, got " + std::to_string(params.dt));
    }
    if (!(std::isfinite(params.field_tolerance) && params.field_tolerance >= 0.0)) {
        throw std::invalid_argument("field_tolerance must be finite and >= 0, got " +
                                    std::to_string(params.field_tolerance));
    }
    if (in.track_offsets == nullptr || in.play_offsets == nullptr) {
        throw std::invalid_argument("track_offsets and play_offsets are required");
    }
    validate_offsets(in.track_offsets, in.n_tracks + 1, in.n_samples, "track_offsets");
    validate_offsets(in.play_offsets, in.n_plays + 1, in.n_tracks, "play_offsets");
}

void clean_tracks(const CleaningInput& in, const CleaningParams& params, CleaningPolicy policy,
                  const CleaningOutput& out) noexcept {
    const double tol = params.field_tolerance;
    const Limits lim{-tol, kFieldLength + tol, -tol, kFieldWidth + tol, params.v_max,
                     params.v_max * params.dt};
    const std::int64_t* track_off = in.track_offsets;

    for (std::size_t p = 0; p < in.n_plays; ++p) {
        const auto first_track = static_cast<std::size_t>(in.play_offsets[p]);
        const auto end_track = static_cast<std::size_t>(in.play_offsets[p + 1]);
        std::uint8_t play_reasons = 0;
        for (std::size_t t = first_track; t < end_track; ++t) {
            const auto b = static_cast<std::size_t>(track_off[t]);
            const auto e = static_cast<std::size_t>(track_off[t + 1]);
            const std::uint8_t allowed = in.is_player[t] != 0 ? 0xFFu : kBallReasons;
            const std::uint8_t reasons = flag_track(in, lim, allowed, b, e, out.flags);
            out.track_reasons[t] = reasons;
            play_reasons = static_cast<std::uint8_t>(play_reasons | reasons);
            if (policy == CleaningPolicy::kTrack) {
                std::memset(out.keep + b, reasons == 0 ? 1 : 0, e - b);
            } else if (policy == CleaningPolicy::kSample) {
                for (std::size_t i = b; i < e; ++i) {
                    out.keep[i] = static_cast<std::uint8_t>(
                        (out.flags[i] & mask_if(in.in_window[i] != 0)) == 0);
                }
            }
        }
        out.play_reasons[p] = play_reasons;
        if (policy == CleaningPolicy::kPlay) {
            const auto b = static_cast<std::size_t>(track_off[first_track]);
            const auto e = static_cast<std::size_t>(track_off[end_track]);
            std::memset(out.keep + b, play_reasons == 0 ? 1 : 0, e - b);
        }
    }
}

}  // namespace ghosting
