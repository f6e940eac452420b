// Track views: flat sample arrays cut into contiguous ranges by offsets.
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

}  // namespace ghosting
