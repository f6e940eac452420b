#include "ghosting/feasibility.hpp"

#include <cmath>
#include <limits>

#include "ghosting/tracks.hpp"

namespace ghosting {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

inline bool finite_point(double x, double y) { return std::isfinite(x) && std::isfinite(y); }

}  // namespace

void validate_feasibility_params(const FeasibilityParams& params) {
    validate_speed_limit(params.v_max, params.dt);
    validate_field_tolerance(params.off_field_tolerance, "off_field_tolerance");
}

namespace {

struct TrackFeasibility {
    double max_speed;
    double max_accel;
    std::int64_t long_steps;
    std::int64_t off_field;
    std::int64_t nonfinite;
};

struct Limits {
    double step_max, inv_dt, lo, x_hi, y_hi;
};

inline bool off_field(double x, double y, const Limits& l) {
    return x < l.lo || x > l.x_hi || y < l.lo || y > l.y_hi;
}

// The fast path, assuming every sample finite (no per-sample test); `probe`
// becomes NaN when one is not (x * 0 is NaN exactly when x is NaN or infinite).
TrackFeasibility finite_track(const double* xy, std::int64_t begin, std::int64_t end,
                              const Limits& l, double& probe) {
    TrackFeasibility r{-1.0, -1.0, 0, 0, 0};
    probe = (xy[2 * begin] + xy[2 * begin + 1]) * 0.0;
    r.off_field += off_field(xy[2 * begin], xy[2 * begin + 1], l) ? 1 : 0;
    double vx_prev = 0.0;
    double vy_prev = 0.0;
    for (std::int64_t k = begin + 1; k < end; ++k) {
        const double x = xy[2 * k];
        const double y = xy[2 * k + 1];
        probe += (x + y) * 0.0;
        r.off_field += off_field(x, y, l) ? 1 : 0;
        const double dx = x - xy[2 * k - 2];
        const double dy = y - xy[2 * k - 1];
        const double step = std::sqrt(dx * dx + dy * dy);
        r.long_steps += step > l.step_max ? 1 : 0;
        const double speed = step * l.inv_dt;
        r.max_speed = speed > r.max_speed ? speed : r.max_speed;
        const double vx = dx * l.inv_dt;
        const double vy = dy * l.inv_dt;
        if (k > begin + 1) {
            const double ax = vx - vx_prev;
            const double ay = vy - vy_prev;
            const double accel = std::sqrt(ax * ax + ay * ay) * l.inv_dt;
            r.max_accel = accel > r.max_accel ? accel : r.max_accel;
        }
        vx_prev = vx;
        vy_prev = vy;
    }
    return r;
}

// Some sample non-finite: counts over finite samples and steps, maxima NaN.
TrackFeasibility holed_track(const double* xy, std::int64_t begin, std::int64_t end,
                             const Limits& l) {
    TrackFeasibility r{kNaN, kNaN, 0, 0, 0};
    for (std::int64_t k = begin; k < end; ++k) {
        const double x = xy[2 * k];
        const double y = xy[2 * k + 1];
        if (!finite_point(x, y)) {
            ++r.nonfinite;
            continue;
        }
        r.off_field += off_field(x, y, l) ? 1 : 0;
        if (k > begin && finite_point(xy[2 * k - 2], xy[2 * k - 1])) {
            const double dx = x - xy[2 * k - 2];
            const double dy = y - xy[2 * k - 1];
            r.long_steps += std::sqrt(dx * dx + dy * dy) > l.step_max ? 1 : 0;
        }
    }
    return r;
}

}  // namespace

void feasibility(const double* xy, const std::int64_t* offsets, std::size_t n_trajectories,
                 const FeasibilityParams& params, double* max_speed, double* max_accel,
                 std::int64_t* n_long_steps, std::int64_t* n_off_field,
                 std::int64_t* n_nonfinite) {
    const double tol = params.off_field_tolerance;
    const Limits limits{params.v_max * params.dt, 1.0 / params.dt, -tol, kFieldLength + tol,
                        kFieldWidth + tol};
    for (std::size_t i = 0; i < n_trajectories; ++i) {
        const std::int64_t begin = offsets[i];
        const std::int64_t end = offsets[i + 1];
        TrackFeasibility r{kNaN, kNaN, 0, 0, 0};  // no sample: nothing to measure
        if (end > begin) {
            double probe = 0.0;
            r = finite_track(xy, begin, end, limits, probe);
            if (probe != 0.0) {  // a non-finite sample: redo it the careful way
                r = holed_track(xy, begin, end, limits);
            }
        }
        max_speed[i] = r.max_speed >= 0.0 ? r.max_speed : kNaN;
        max_accel[i] = r.max_accel >= 0.0 ? r.max_accel : kNaN;
        n_long_steps[i] = r.long_steps;
        n_off_field[i] = r.off_field;
        n_nonfinite[i] = r.nonfinite;
    }
}

}  // namespace ghosting
