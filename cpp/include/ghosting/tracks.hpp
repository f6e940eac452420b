// Track views: flat sample arrays cut into contiguous ranges by offsets, and the
// checks every kernel makes of its tracks' inputs (offsets, speed limit, tolerance).
//
// A batch of n tracks is described by n + 1 offsets into the flat arrays:
// track i spans samples [offsets[i], offsets[i + 1]). Offsets start at 0, never
// decrease, and end at the number of samples.
#pragma once

#include <cstddef>
#include <cstdint>

namespace ghosting {

// Throws std::invalid_argument (naming `what`) unless `offsets` (length
// n_offsets >= 1) is a valid partition of n_samples samples.
void validate_offsets(const std::int64_t* offsets, std::size_t n_offsets, std::size_t n_samples,
                      const char* what);

// Throws std::invalid_argument unless v_max (yd/s) and dt (s per frame) are finite
// and > 0: the speed limit that bounds one step to v_max * dt yards.
void validate_speed_limit(double v_max, double dt);

// Throws std::invalid_argument (naming `what`) unless a tolerance in yards beyond
// the field is finite and >= 0.
void validate_field_tolerance(double tolerance, const char* what);

}  // namespace ghosting
