// The ghosting model's roll-out step (python/ghosting/model/features.py, `rollout`):
// the kept feature columns of one tile per active window, computed straight from the
// roll-out's state (no full feature matrix, no per-tile copy of the windows), and the
// write-back of the tile's predicted positions and sigmas into that state.
//
// The numpy reference is `tile_features(*tile_inputs(...))[:, columns]`
// (model/features.py, model/ghost_inputs.py); every value here is computed with the
// same operations in the same order, so the two agree bit for bit (the one sum,
// `(heading * to_catch).sum(1)`, is numpy's reduction: 0.0 + h0 * t0 + h1 * t1).
//
// Frames: a window's frame index `lead + t` (lead = history - 1) is t frames after
// pass forward; a tile starting `start` frames after pass forward reads the
// defender's positions at indices start .. start + lead (the last is the tile's
// origin) and the receiver's at lead + start - 1 .. lead + start + horizon, each
// clamped to the arrival index lead + flight_frames.
#pragma once

#include <cstddef>
#include <cstdint>

namespace ghosting {

// Bounds of the sizes a roll-out step accepts (larger is a value gone wrong).
constexpr std::int64_t kMaxTileFrames = 100000;

// Columns of the full candidate feature vector: 2 (history - 1) velocities, the
// receiver's 2 horizon path values and 27 others (features.py, FEATURE_GROUPS).
std::size_t tile_feature_count(std::size_t history, std::size_t horizon);

// The windows' inputs, read in place as values (never as indices).
struct TileWindows {
    const double* defender;       // (n, defender_frames, 2): the roll-out's positions
    std::size_t defender_frames;
    const double* receiver;       // (n, receiver_frames, 2)
    std::size_t receiver_frames;
    const double* catch_xy;       // (n, 2) the ball's landing point
    const double* context;        // (n, context_stride), the first 4 values used
    std::size_t context_stride;
    const double* is_back;        // (n,) 1.0 / 0.0, or nullptr: all 1.0
    std::size_t n;
    std::size_t history;          // k >= 2 positions per tile start
};

// The active windows of one step, as private copies the caller validated with
// validate_tiles: window index, tile start and flight length of each. Nothing a
// step reads is changed by it, so a step called again gives the same results.
struct TileRequest {
    const std::int64_t* rows;
    const std::int64_t* start;
    const std::int64_t* flight_frames;
    std::size_t n_active;
    std::size_t horizon;  // >= 1
};

// The frames of the arrays a step reads or writes (per window); a bound is checked
// only when its `has_` flag is set.
struct TileBounds {
    std::size_t n;                // windows
    std::size_t history;          // k in [2, kMaxTileFrames]
    std::size_t defender_frames;  // always checked
    bool has_receiver;
    std::size_t receiver_frames;
    bool has_sigma;
    std::size_t sigma_frames;
    bool unique;  // rows must not repeat
};

// Throws std::invalid_argument naming the first bad value: history or horizon out of
// range, or an active window whose row is outside [0, n) (or repeated, when
// `unique`), whose start is outside [0, flight_frames), or whose defender or
// receiver has no frame at its arrival index lead + flight_frames (or whose sigma
// has fewer than flight_frames frames).
void validate_tiles(const TileRequest& req, const TileBounds& bounds);

// The kept columns `columns` (each in [0, tile_feature_count)) of every active
// window's tile: features (n_active, n_columns) in column-major order (the layout
// numpy's `full[:, columns]` gives, which a predictor may see) and the defender's
// last velocity (n_active, 2) row-major, yd/s.
void tile_features(const TileWindows& w, const TileRequest& req, const std::int64_t* columns,
                   std::size_t n_columns, double* features, double* velocity);

// The roll-out's positions and sigmas, written in place.
struct TileState {
    double* defender;  // (n, defender_frames, 2)
    std::size_t defender_frames;
    double* sigma;  // (n, sigma_frames)
    std::size_t sigma_frames;
    std::size_t history;
};

// Writes one tile's predictions: for step j < min(flight - start, horizon) of each
// active window, the position origin + rel[j] at frame start + j + 1 (origin: the
// position at the tile start) and the sigma sqrt(base^2 + sig[j]^2), base the sigma
// at the end of the window's previous tile (base_sigma, one per active window).
// Returns through end and last_sigma (one per active window) the next tile's start
// and the sigma written last. Reads only frames up to the tile start and writes only
// after it, so calling it again with the same arguments writes the same values.
// rel: (n_active, rel_frames >= horizon, 2), sig: (n_active, sig_frames >= horizon).
// The rows must be unique and validated against the state's shapes.
void advance_tiles(const TileState& s, const TileRequest& req, const double* base_sigma,
                   const double* rel, std::size_t rel_frames, const double* sig,
                   std::size_t sig_frames, std::int64_t* end, double* last_sigma);

}  // namespace ghosting
