// The one definition of every number the kernels and the Python layer share: the
// field, the tracking rate, and the defaults of the Trajectory Score, feasibility and
// cleaning. The bindings expose each as an attribute of ghosting._core
// (register_constants in module.cpp); schema.py, the scoring and cleaning wrappers
// and the run settings read them from there, never write them again.
#pragma once

namespace ghosting {

// The field including end zones, in yards (x along the length, y across).
inline constexpr double kFieldLength = 120.0;
inline constexpr double kFieldWidth = 160.0 / 3.0;

// Tracking sample interval (10 Hz) and the fastest plausible human speed.
inline constexpr double kDefaultDt = 0.1;
inline constexpr double kDefaultVMax = 12.5;  // yd/s

// Trajectory Score: lambda, added per superhuman step; the radius (yd) of the play
// score's distance weight exp(-d(0) / radius).
inline constexpr double kDefaultPenalty = 0.5;
inline constexpr double kDefaultRadius = 10.0;

// Yards beyond the field still counted on it: cleaning accepts 1 yd (players legally
// step out of bounds), feasibility counts every sample off the field by default.
inline constexpr double kDefaultFieldTolerance = 1.0;
inline constexpr double kDefaultOffFieldTolerance = 0.0;

}  // namespace ghosting
