#include "ghosting/tiles.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "ghosting/constants.hpp"

namespace ghosting {

namespace {

constexpr double kDt = kDefaultDt;

// np.maximum / np.minimum: a NaN operand is the result (the first when both are).
double np_maximum(double a, double b) {
    if (std::isnan(a)) {
        return a;
    }
    if (std::isnan(b)) {
        return b;
    }
    return a >= b ? a : b;
}

double np_minimum(double a, double b) {
    if (std::isnan(a)) {
        return a;
    }
    if (std::isnan(b)) {
        return b;
    }
    return a <= b ? a : b;
}

// np.nan_to_num(x, nan=0.0): NaN -> 0, +-inf -> the largest finite of that sign.
double nan_to_num(double x) {
    if (std::isnan(x)) {
        return 0.0;
    }
    if (std::isinf(x)) {
        return x > 0 ? std::numeric_limits<double>::max() : -std::numeric_limits<double>::max();
    }
    return x;
}

std::string window_name(std::size_t i, std::int64_t row) {
    return "active window " + std::to_string(i) + " (row " + std::to_string(row) + ")";
}

// The full feature vector of one tile (features.py, tile_features) into f.
void one_tile(const TileWindows& w, std::int64_t row, std::int64_t start,
              std::int64_t flight_frames, std::size_t horizon, double* f) {
    const std::size_t k = w.history;
    const std::size_t lead = k - 1;
    const auto r = static_cast<std::size_t>(row);
    const auto s = static_cast<std::size_t>(start);
    const double* hist = w.defender + (r * w.defender_frames + s) * 2;  // k positions
    const double* rec = w.receiver + r * w.receiver_frames * 2;
    const std::size_t last = lead + static_cast<std::size_t>(flight_frames);
    // the receiver's path: index m of lead + start - 1 .. lead + start + horizon
    const auto path = [&](std::size_t m) { return rec + std::min(lead + s - 1 + m, last) * 2; };

    std::size_t o = 0;
    for (std::size_t j = 0; j + 1 < k; ++j) {  // most recent first
        const double* a = hist + (lead - j) * 2;
        const double* b = a - 2;
        f[o++] = (a[0] - b[0]) / kDt;
        f[o++] = (a[1] - b[1]) / kDt;
    }
    const double v0x = f[0];
    const double v0y = f[1];
    const double v1x = k > 2 ? f[2] : v0x;
    const double v1y = k > 2 ? f[3] : v0y;
    const double speed = std::hypot(v0x, v0y);
    f[o++] = speed;
    f[o++] = (v0x - v1x) / kDt;
    f[o++] = (v0y - v1y) / kDt;
    const double ox = hist[lead * 2];
    const double oy = hist[lead * 2 + 1];
    const double* p0 = path(0);
    const double* p1 = path(1);
    const double rec_dx = p1[0] - ox;
    const double rec_dy = p1[1] - oy;
    f[o++] = rec_dx;
    f[o++] = rec_dy;
    f[o++] = std::hypot(rec_dx, rec_dy);
    const double rec_vx = (p1[0] - p0[0]) / kDt;
    const double rec_vy = (p1[1] - p0[1]) / kDt;
    f[o++] = rec_vx;
    f[o++] = rec_vy;
    f[o++] = rec_vx - v0x;
    f[o++] = rec_vy - v0y;
    for (std::size_t h = 0; h < horizon; ++h) {
        const double* p = path(2 + h);
        f[o++] = p[0] - ox;
        f[o++] = p[1] - oy;
    }
    const double* c = w.catch_xy + r * 2;
    const double catch_dx = c[0] - ox;
    const double catch_dy = c[1] - oy;
    const double catch_dist = std::hypot(catch_dx, catch_dy);
    f[o++] = catch_dx;
    f[o++] = catch_dy;
    f[o++] = catch_dist;
    const double speed_div = np_maximum(speed, 1e-6);
    const double catch_div = np_maximum(catch_dist, 1e-6);
    const double hx = v0x / speed_div;
    const double hy = v0y / speed_div;
    const double tx = catch_dx / catch_div;
    const double ty = catch_dy / catch_div;
    const bool moving = (speed > 0.1) && (catch_dist > 1e-6);
    f[o++] = moving ? (0.0 + hx * tx) + hy * ty : 1.0;  // numpy's sum starts at 0.0
    f[o++] = moving ? hx * ty - hy * tx : 0.0;
    f[o++] = catch_dx - rec_dx;
    f[o++] = catch_dy - rec_dy;
    const auto left = static_cast<double>(flight_frames - start);
    f[o++] = left * kDt;
    f[o++] = np_minimum(left / static_cast<double>(horizon), 1.0);
    f[o++] = ox;
    f[o++] = oy;
    f[o++] = np_minimum(oy, kFieldWidth - oy);
    const double* ctx = w.context + r * w.context_stride;
    for (std::size_t q = 0; q < 4; ++q) {
        f[o++] = nan_to_num(ctx[q]);
    }
    f[o++] = w.is_back == nullptr ? 1.0 : w.is_back[r];
}

}  // namespace

std::size_t tile_feature_count(std::size_t history, std::size_t horizon) {
    return 2 * (history - 1) + 2 * horizon + 27;
}

void validate_tiles(const TileRequest& req, const TileBounds& bounds) {
    const std::size_t n = bounds.n;
    const std::size_t history = bounds.history;
    const bool unique = bounds.unique;
    if (history < 2 || static_cast<std::int64_t>(history) > kMaxTileFrames) {
        throw std::invalid_argument("history must be in [2, " + std::to_string(kMaxTileFrames) +
                                    "], got " + std::to_string(history));
    }
    if (req.horizon < 1 || static_cast<std::int64_t>(req.horizon) > kMaxTileFrames) {
        throw std::invalid_argument("horizon must be in [1, " + std::to_string(kMaxTileFrames) +
                                    "], got " + std::to_string(req.horizon));
    }
    const auto lead = static_cast<std::int64_t>(history) - 1;
    std::vector<bool> seen(unique ? n : 0, false);
    for (std::size_t i = 0; i < req.n_active; ++i) {
        const std::int64_t row = req.rows[i];
        if (row < 0 || static_cast<std::uint64_t>(row) >= n) {
            throw std::invalid_argument("rows[" + std::to_string(i) + "] = " +
                                        std::to_string(row) + " is not in [0, " +
                                        std::to_string(n) + ")");
        }
        if (unique) {
            if (seen[static_cast<std::size_t>(row)]) {
                throw std::invalid_argument("rows[" + std::to_string(i) + "] = " +
                                            std::to_string(row) + " is repeated");
            }
            seen[static_cast<std::size_t>(row)] = true;
        }
        const std::int64_t start = req.start[i];
        const std::int64_t flight = req.flight_frames[i];
        if (flight < 1 || flight > kMaxTileFrames) {
            throw std::invalid_argument(window_name(i, row) + ": flight_frames " +
                                        std::to_string(flight) + " is not in [1, " +
                                        std::to_string(kMaxTileFrames) + "]");
        }
        if (start < 0 || start >= flight) {
            throw std::invalid_argument(window_name(i, row) + ": start " + std::to_string(start) +
                                        " is not in [0, flight_frames = " +
                                        std::to_string(flight) + ")");
        }
        if (static_cast<std::uint64_t>(lead + flight) >= bounds.defender_frames) {
            throw std::invalid_argument(
                window_name(i, row) + ": the defender has " + std::to_string(bounds.defender_frames) +
                " frames, fewer than history + flight_frames = " +
                std::to_string(lead + flight + 1));
        }
        if (bounds.has_receiver &&
            static_cast<std::uint64_t>(lead + flight) >= bounds.receiver_frames) {
            throw std::invalid_argument(
                window_name(i, row) + ": the receiver has " + std::to_string(bounds.receiver_frames) +
                " frames, fewer than history + flight_frames = " +
                std::to_string(lead + flight + 1));
        }
        if (bounds.has_sigma && static_cast<std::uint64_t>(flight) > bounds.sigma_frames) {
            throw std::invalid_argument(window_name(i, row) + ": sigma has " +
                                        std::to_string(bounds.sigma_frames) +
                                        " frames, fewer than flight_frames = " +
                                        std::to_string(flight));
        }
    }
}

void tile_features(const TileWindows& w, const TileRequest& req, const std::int64_t* columns,
                   std::size_t n_columns, double* features, double* velocity) {
    // Tiles in blocks: each block's full vectors row by row, then its kept columns
    // written column by column (contiguous runs of the column-major output).
    constexpr std::size_t kBlock = 64;
    const std::size_t n_full = tile_feature_count(w.history, req.horizon);
    std::vector<double> block(kBlock * n_full);
    for (std::size_t first = 0; first < req.n_active; first += kBlock) {
        const std::size_t m = std::min(kBlock, req.n_active - first);
        for (std::size_t b = 0; b < m; ++b) {
            const std::size_t i = first + b;
            double* full = block.data() + b * n_full;
            one_tile(w, req.rows[i], req.start[i], req.flight_frames[i], req.horizon, full);
            velocity[i * 2] = full[0];
            velocity[i * 2 + 1] = full[1];
        }
        for (std::size_t c = 0; c < n_columns; ++c) {
            const auto col = static_cast<std::size_t>(columns[c]);
            double* out = features + c * req.n_active + first;
            for (std::size_t b = 0; b < m; ++b) {
                out[b] = block[b * n_full + col];
            }
        }
    }
}

void advance_tiles(const TileState& s, const TileRequest& req, const double* base_sigma,
                   const double* rel, std::size_t rel_frames, const double* sig,
                   std::size_t sig_frames, std::int64_t* end, double* last_sigma) {
    const std::size_t lead = s.history - 1;
    for (std::size_t i = 0; i < req.n_active; ++i) {
        const auto r = static_cast<std::size_t>(req.rows[i]);
        const auto start = static_cast<std::size_t>(req.start[i]);
        const auto left = static_cast<std::size_t>(req.flight_frames[i] - req.start[i]);
        const std::size_t steps = std::min(left, req.horizon);
        double* d = s.defender + r * s.defender_frames * 2;
        double* sigma = s.sigma + r * s.sigma_frames;
        const double ox = d[(lead + start) * 2];
        const double oy = d[(lead + start) * 2 + 1];
        const double base = base_sigma[i];
        const double* rel_i = rel + i * rel_frames * 2;
        const double* sig_i = sig + i * sig_frames;
        double sd = 0.0;
        for (std::size_t j = 0; j < steps; ++j) {
            const std::size_t t = start + j + 1;
            d[(lead + t) * 2] = ox + rel_i[j * 2];
            d[(lead + t) * 2 + 1] = oy + rel_i[j * 2 + 1];
            sd = std::sqrt(base * base + sig_i[j] * sig_i[j]);
            sigma[t - 1] = sd;
        }
        end[i] = static_cast<std::int64_t>(start + steps);
        last_sigma[i] = sd;
    }
}

}  // namespace ghosting
