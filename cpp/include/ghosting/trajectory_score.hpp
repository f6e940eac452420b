// The Trajectory Score (DESIGN section 5), batched over many trajectories.
//
// Layout of a batch: N trajectories stored back to back in flat (n_samples, 2)
// row-major float64 arrays of (x, y) in yards, cut by N + 1 int64 offsets
// (tracks.hpp): trajectory i spans samples [offsets[i], offsets[i + 1]). The
// defender and the targeted receiver share the offsets: sample k of the receiver
// array is the receiver at the same frame as sample k of the defender array.
// Offsets rather than padded arrays because real trajectories differ in length
// (the ball is in the air 5 to 40 frames) and a flat layout costs no padding.
//
// For one trajectory D_0..D_T against the receiver R_0..R_T (T = samples - 1):
//   C_t   = R_T (Reference::CatchPoint, default) or R_t (Reference::Receiver)
//   d_t   = |D_t - C_t|
//   PS    = sum_{t=1..T} w_t (d_t - d_{t-1}) / sum w_t, w_t = 1 (uniform) or t (linear)
//   act   = sum_{t=1..T} |D_t - D_{t-1}|,  opt = min(|R_T - D_0|, v_max dt T)
//   DR    = 1 - |opt - act| / (opt + act)   (1 when opt = act = 0)
//   SP    = #{t : |D_t - D_{t-1}| > v_max dt}
//   TS    = PS DR if PS <= 0 else PS (2 - DR), then + penalty SP
//
// Documented edge cases:
//   - a trajectory with one sample (T = 0) has PS = NaN (no step to average),
//     DR = 1, SP = 0 and TS = NaN;
//   - any non-finite coordinate in the defender's or the receiver's samples of a
//     trajectory makes all four results of that trajectory NaN (SP included);
//   - a trajectory with no sample is invalid input (std::invalid_argument).
#pragma once

#include <cstddef>
#include <cstdint>

#include "ghosting/constants.hpp"

namespace ghosting {

enum class Weighting { Uniform, Linear };
enum class Reference { CatchPoint, Receiver };

struct ScoreParams {
    Weighting weights = Weighting::Uniform;
    Reference reference = Reference::CatchPoint;
    double v_max = kDefaultVMax;  // yd/s
    double dt = kDefaultDt;       // s per frame
    double penalty = kDefaultPenalty;  // lambda, added per superhuman step
};

// Throws std::invalid_argument unless v_max and dt are finite and > 0 and the
// penalty is finite.
void validate_score_params(const ScoreParams& params);

// Throws std::invalid_argument (naming `what` and the trajectory) when a
// trajectory of a valid offsets array has no sample.
void require_nonempty(const std::int64_t* offsets, std::size_t n_trajectories, const char* what);

// Scores n_trajectories trajectories; each output array has n_trajectories
// elements. Inputs must have been validated (offsets, params, non-empty).
void score_trajectories(const double* defender_xy, const double* receiver_xy,
                        const std::int64_t* offsets, std::size_t n_trajectories,
                        const ScoreParams& params, double* ps, double* dr, double* sp,
                        double* ts);

// Play scores: trajectories are grouped into plays by play_offsets (n_plays + 1
// offsets into the trajectories). Each trajectory's weight is
// w_i = exp(-|D_i(0) - R_i(0)| / radius), its distance to the targeted receiver
// at pass forward; play score = sum w_i TS_i / sum w_i over the play's
// trajectories whose TS and weight are finite (NaN when there is none).
// Writes weight[n_trajectories] (NaN for a non-finite start) and
// play_score[n_plays].
void play_scores(const double* defender_xy, const double* receiver_xy,
                 const std::int64_t* offsets, std::size_t n_trajectories, const double* ts,
                 const std::int64_t* play_offsets, std::size_t n_plays, double radius,
                 double* weight, double* play_score);

// Model score: the mean of the finite values of ts[0..n) (NaN when there is none).
double model_score(const double* ts, std::size_t n);

}  // namespace ghosting
