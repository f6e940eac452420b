// Cleaning: flag tracking samples that break the cardinal rules, then decide
// what to keep under one of three policies (DESIGN section 4).
//
// Input is a batch of plays, each a contiguous range of tracks (one player or
// the ball), each a contiguous range of samples (frames), described by offsets
// as in tracks.hpp. The kernel never allocates; the caller owns every buffer.
#pragma once

#include <cstddef>
#include <cstdint>

#include "ghosting/constants.hpp"

namespace ghosting {

// Reasons, one bit each, OR-ed into a per-sample uint8 mask.
enum CleaningReason : std::uint8_t {
    kNonFinite = 1u << 0,       // x or y is NaN or infinite
    kOffField = 1u << 1,        // x outside [-tol, 120 + tol] or y outside [-tol, 160/3 + tol]
    kOverSpeed = 1u << 2,       // recorded speed s > v_max (a NaN s is not flagged)
    kLongStep = 1u << 3,        // squared step from the previous sample > (v_max * dt)^2
    kFrameGap = 1u << 4,        // frame_id is neither previous + 1 nor equal to previous
    kDuplicateFrame = 1u << 5,  // frame_id equals the previous sample's
};

inline constexpr int kNumCleaningReasons = 6;

// Reasons that apply to the ball's tracks (is_player == 0); the rest are for players.
inline constexpr std::uint8_t kBallReasons = kNonFinite | kFrameGap | kDuplicateFrame;

enum class CleaningPolicy {
    kPlay,    // drop every play with a flagged sample (in the window) on any track
    kTrack,   // drop every track with a flagged sample in the window
    kSample,  // drop the flagged samples in the window only
};

struct CleaningParams {
    double v_max = kDefaultVMax;                      // yd/s
    double dt = kDefaultDt;                           // s between frames
    double field_tolerance = kDefaultFieldTolerance;  // yd beyond the field still accepted
};

// Read-only views of the inputs. Sample arrays have n_samples elements;
// track_offsets n_tracks + 1; play_offsets (over tracks) n_plays + 1;
// is_player n_tracks.
struct CleaningInput {
    const double* x = nullptr;
    const double* y = nullptr;
    const double* s = nullptr;
    const std::int32_t* frame_id = nullptr;
    const std::uint8_t* in_window = nullptr;  // nonzero: sample is inside the analysed window
    std::size_t n_samples = 0;
    const std::int64_t* track_offsets = nullptr;
    const std::uint8_t* is_player = nullptr;  // zero: the ball
    std::size_t n_tracks = 0;
    const std::int64_t* play_offsets = nullptr;
    std::size_t n_plays = 0;
};

// Caller-allocated outputs: flags and keep have n_samples elements,
// track_reasons n_tracks, play_reasons n_plays.
struct CleaningOutput {
    std::uint8_t* flags = nullptr;          // reasons of each sample (whole track, window or not)
    std::uint8_t* keep = nullptr;           // 1 = keep the sample, 0 = drop it
    std::uint8_t* track_reasons = nullptr;  // OR of the flags of the track's samples in the window
    std::uint8_t* play_reasons = nullptr;   // OR of track_reasons over the play's tracks
};

// Throws std::invalid_argument unless the offsets partition the samples and
// tracks, and the parameters are finite with v_max > 0, dt > 0, tolerance >= 0.
void validate_cleaning_input(const CleaningInput& in, const CleaningParams& params);

// Fills every output. Call validate_cleaning_input first: this does not check.
void clean_tracks(const CleaningInput& in, const CleaningParams& params, CleaningPolicy policy,
                  const CleaningOutput& out) noexcept;

// Parses "play", "track" or "sample"; throws std::invalid_argument otherwise.
CleaningPolicy parse_cleaning_policy(const char* name);

}  // namespace ghosting
