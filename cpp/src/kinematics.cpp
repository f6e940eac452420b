#include "ghosting/kinematics.hpp"

#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

namespace ghosting {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

inline bool finite_point(double x, double y) { return std::isfinite(x) && std::isfinite(y); }

}  // namespace

void validate_feasibility_params(const FeasibilityParams& params) {
    if (!(std::isfinite(params.v_max) && params.v_max > 0.0)) {
        throw std::invalid_argument("v_max must be finite and > 0, got " +
                                    std::to_string(params.v_max));
    }
    if (!(std::isfinite(params.dt) && params.dt > 0.0)) {
        throw std::invalid_argument("dt must be finite and > 0, got " + std::to_string(params.dt));
    }
    if (!(std::isfinite(params.off_field_tolerance) && params.off_field_tolerance >= 0.0)) {
        throw std::invalid_argument("off_field_tolerance must be finite and >= 0, got " +
                                    std::to_string(params.off_field_tolerance));
    }
}

void feasibility(const double* xy, const std::int64_t* offsets, std::size_t n_trajectories,
                 const FeasibilityParams& params, double* max_speed, double* max_accel,
                 std::int64_t* n_long_steps, std::int64_t* n_off_field,
                 std::int64_t* n_nonfinite) {
    const double step_max = params.v_max * params.dt;
    const double tol = params.off_field_tolerance;
    const double lo = -tol;
    const double x_hi = kFieldLength + tol;
    const double y_hi = kFieldWidth + tol;
    const double inv_dt = 1.0 / params.dt;
    for (std::size_t i = 0; i < n_trajectories; ++i) {
        const std::int64_t begin = offsets[i];
        const std::int64_t end = offsets[i + 1];
        std::int64_t long_steps = 0;
        std::int64_t off_field = 0;
        std::int64_t nonfinite = 0;
        double speed_max = -1.0;
        double accel_max = -1.0;
        double vx_prev = 0.0;
        double vy_prev = 0.0;
        bool have_velocity = false;
        for (std::int64_t k = begin; k < end; ++k) {
            const double x = xy[2 * k];
            const double y = xy[2 * k + 1];
            if (!finite_point(x, y)) {
                ++nonfinite;
                have_velocity = false;
                continue;
            }
            off_field += (x < lo || x > x_hi || y < lo || y > y_hi) ? 1 : 0;
            if (k == begin || !finite_point(xy[2 * k - 2], xy[2 * k - 1])) {
                continue;
            }
            const double dx = x - xy[2 * k - 2];
            const double dy = y - xy[2 * k - 1];
            const double step = std::sqrt(dx * dx + dy * dy);
            long_steps += step > step_max ? 1 : 0;
            const double vx = dx * inv_dt;
            const double vy = dy * inv_dt;
            speed_max = std::fmax(speed_max, step * inv_dt);
            if (have_velocity) {
                const double ax = vx - vx_prev;
                const double ay = vy - vy_prev;
                accel_max = std::fmax(accel_max, std::sqrt(ax * ax + ay * ay) * inv_dt);
            }
            vx_prev = vx;
            vy_prev = vy;
            have_velocity = true;
        }
        n_long_steps[i] = long_steps;
        n_off_field[i] = off_field;
        n_nonfinite[i] = nonfinite;
        const bool clean = nonfinite == 0;
        max_speed[i] = clean && speed_max >= 0.0 ? speed_max : kNaN;
        max_accel[i] = clean && accel_max >= 0.0 ? accel_max : kNaN;
    }
}

}  // namespace ghosting
