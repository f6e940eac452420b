// Field geometry and physical limits shared by every kernel.
#pragma once

namespace ghosting {

// The field including end zones, in yards (x along the length, y across).
inline constexpr double kFieldLength = 120.0;
inline constexpr double kFieldWidth = 160.0 / 3.0;

// Tracking sample interval (10 Hz) and the fastest plausible human speed.
inline constexpr double kDefaultDt = 0.1;
inline constexpr double kDefaultVMax = 12.5;  // yd/s

}  // namespace ghosting
