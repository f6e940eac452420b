// Kinematic feasibility of a batch of trajectories (DESIGN section 5).
//
// Same flat layout as trajectory_score.hpp: (n_samples, 2) row-major float64
// (x, y) in yards, trajectory i spanning samples [offsets[i], offsets[i + 1]).
//
// Per trajectory, with v_t = (P_t - P_{t-1}) / dt for t = 1..T:
//   max_speed    = max_t |v_t|                      (NaN when T < 1)
//   max_accel    = max_t |v_t - v_{t-1}| / dt        (NaN when T < 2)
//   n_long_steps = #{t : |P_t - P_{t-1}| > v_max dt}  (steps between finite samples)
//   n_off_field  = #{finite samples with x outside [-tol, 120 + tol] or
//                    y outside [-tol, 160/3 + tol]}
//   n_nonfinite  = #{samples with a NaN or infinite coordinate}
// A trajectory with any non-finite sample has max_speed = max_accel = NaN (a
// maximum over a trajectory with holes cannot be trusted); its counts still
// cover its finite samples and steps, and n_nonfinite says why.
#pragma once

#include <cstddef>
#include <cstdint>

#include "ghosting/constants.hpp"

namespace ghosting {

struct FeasibilityParams {
    double v_max = kDefaultVMax;      // yd/s
    double dt = kDefaultDt;           // s per frame
    double off_field_tolerance = kDefaultOffFieldTolerance;  // yd beyond the edges still on it
};

// Throws std::invalid_argument unless v_max and dt are finite and > 0 and the
// tolerance is finite and >= 0 (tracks.hpp).
void validate_feasibility_params(const FeasibilityParams& params);

// Each output array has n_trajectories elements.
void feasibility(const double* xy, const std::int64_t* offsets, std::size_t n_trajectories,
                 const FeasibilityParams& params, double* max_speed, double* max_accel,
                 std::int64_t* n_long_steps, std::int64_t* n_off_field,
                 std::int64_t* n_nonfinite);

}  // namespace ghosting
