#include "ghosting/trajectory_score.hpp"

#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

#include "ghosting/tracks.hpp"

namespace ghosting {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

inline double distance(double ax, double ay, double bx, double by) {
    const double dx = ax - bx;
    const double dy = ay - by;
    return std::sqrt(dx * dx + dy * dy);
}

// Scores samples [begin, end) (end > begin) of one trajectory.
void score_one(const double* d, const double* r, std::int64_t begin, std::int64_t end,
               const ScoreParams& p, double& ps, double& dr, double& sp, double& ts) {
    const double step_max = p.v_max * p.dt;
    const bool follow = p.reference == Reference::Receiver;
    const bool linear = p.weights == Weighting::Linear;
    const std::int64_t last = end - 1;
    const double catch_x = r[2 * last];
    const double catch_y = r[2 * last + 1];

    // x * 0 is NaN exactly when x is NaN or infinite: one sum flags the trajectory.
    double finite_probe = 0.0;
    double cx = follow ? r[2 * begin] : catch_x;
    double cy = follow ? r[2 * begin + 1] : catch_y;
    double px = d[2 * begin];
    double py = d[2 * begin + 1];
    finite_probe += (px + py + r[2 * begin] + r[2 * begin + 1]) * 0.0;
    double d_prev = distance(px, py, cx, cy);
    double sum_w = 0.0;
    double sum_wd = 0.0;
    double actual = 0.0;
    std::int64_t superhuman = 0;
    for (std::int64_t k = begin + 1; k < end; ++k) {
        const double x = d[2 * k];
        const double y = d[2 * k + 1];
        if (follow) {
            cx = r[2 * k];
            cy = r[2 * k + 1];
        }
        finite_probe += (x + y + r[2 * k] + r[2 * k + 1]) * 0.0;
        const double step = distance(x, y, px, py);
        actual += step;
        superhuman += step > step_max ? 1 : 0;
        const double d_now = distance(x, y, cx, cy);
        const double w = linear ? static_cast<double>(k - begin) : 1.0;
        sum_wd += w * (d_now - d_prev);
        sum_w += w;
        d_prev = d_now;
        px = x;
        py = y;
    }
    if (finite_probe != 0.0) {  // NaN != 0: a non-finite coordinate somewhere
        ps = dr = sp = ts = kNaN;
        return;
    }
    const double n_steps = static_cast<double>(last - begin);
    ps = sum_w > 0.0 ? sum_wd / sum_w : kNaN;
    const double optimal =
        std::fmin(distance(catch_x, catch_y, d[2 * begin], d[2 * begin + 1]), step_max * n_steps);
    const double total = optimal + actual;
    dr = total > 0.0 ? 1.0 - std::fabs(optimal - actual) / total : 1.0;
    sp = static_cast<double>(superhuman);
    ts = (ps <= 0.0 ? ps * dr : ps * (2.0 - dr)) + p.penalty * sp;
}

}  // namespace

void validate_score_params(const ScoreParams& params) {
    validate_speed_limit(params.v_max, params.dt);
    if (!std::isfinite(params.penalty)) {
        throw std::invalid_argument("penalty must be finite");
    }
}

void require_nonempty(const std::int64_t* offsets, std::size_t n_trajectories, const char* what) {
    for (std::size_t i = 0; i < n_trajectories; ++i) {
        if (offsets[i + 1] == offsets[i]) {
            throw std::invalid_argument(std::string(what) + ": trajectory " + std::to_string(i) +
                                        " has no sample (a trajectory needs at least one)");
        }
    }
}

void score_trajectories(const double* defender_xy, const double* receiver_xy,
                        const std::int64_t* offsets, std::size_t n_trajectories,
                        const ScoreParams& params, double* ps, double* dr, double* sp,
                        double* ts) {
    for (std::size_t i = 0; i < n_trajectories; ++i) {
        score_one(defender_xy, receiver_xy, offsets[i], offsets[i + 1], params, ps[i], dr[i],
                  sp[i], ts[i]);
    }
}

void play_scores(const double* defender_xy, const double* receiver_xy,
                 const std::int64_t* offsets, std::size_t n_trajectories, const double* ts,
                 const std::int64_t* play_offsets, std::size_t n_plays, double radius,
                 double* weight, double* play_score) {
    for (std::size_t i = 0; i < n_trajectories; ++i) {
        const std::int64_t k = offsets[i];
        const double d0 = distance(defender_xy[2 * k], defender_xy[2 * k + 1], receiver_xy[2 * k],
                                   receiver_xy[2 * k + 1]);
        weight[i] = std::isfinite(d0) ? std::exp(-d0 / radius) : kNaN;
    }
    for (std::size_t p = 0; p < n_plays; ++p) {
        double sum_w = 0.0;
        double sum_wts = 0.0;
        for (std::int64_t i = play_offsets[p]; i < play_offsets[p + 1]; ++i) {
            if (std::isfinite(ts[i]) && std::isfinite(weight[i])) {
                sum_w += weight[i];
                sum_wts += weight[i] * ts[i];
            }
        }
        play_score[p] = sum_w > 0.0 ? sum_wts / sum_w : kNaN;
    }
}

double model_score(const double* ts, std::size_t n) {
    double sum = 0.0;
    std::size_t count = 0;
    for (std::size_t i = 0; i < n; ++i) {
        if (std::isfinite(ts[i])) {
            sum += ts[i];
            ++count;
        }
    }
    return count > 0 ? sum / static_cast<double>(count) : kNaN;
}

}  // namespace ghosting
