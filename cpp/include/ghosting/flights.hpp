// The flight gatherer: positions of a defender and a receiver over a pass's flight,
// cut from the canonical tracking table in one pass (ARCHITECTURE.md, "Flights").
//
// The table: per row nfl_id, frame_id, x, y and a side code (kSideOffense,
// kSideDefense, anything else: neither), its plays cut by play_offsets (n_plays + 1,
// tracks.hpp). Rows of a play may come in any order; when one player has several
// rows at one frame, the last row of the play wins.
//
// A request (one window): the play index, the defender's and the receiver's nfl_id,
// the first frame, the pass-forward frame and the end (arrival) frame, with
// first <= pass_forward <= end. Its samples are the frames first..end, laid back to
// back: window i spans samples [offsets[i], offsets[i + 1]) of the flat (n, 2)
// defender and receiver arrays, offsets[i + 1] - offsets[i] = end - first + 1.
//
// Fill rules (those of the ghosting model's windows):
//   - the defender: a frame before pass forward without a finite x takes the next
//     frame's (filled) position (back-fill); frames after pass forward are as tracked;
//   - the receiver, when tracked at pass forward: before it, back-fill as above; from
//     it on, a frame without a finite x repeats the last tracked one. A receiver not
//     tracked at pass forward is left as tracked (NaN where missing).
// "Tracked at a frame" means a finite x there. Flags say which of the four checks a
// window passed (kDefenderInPlay, ...); callers skip windows on them.
//
// The context at pass forward (4 values per window, positions as tracked, no fill):
// the nearest offense player other than the receiver, relative to the defender
// (dx, dy), then the nearest other defense player, relative likewise; NaN when none
// is at a finite distance. Players are visited in ascending nfl_id and the first of
// equal distances wins. A player's side is that of its last row in the play.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace ghosting {

constexpr std::int8_t kSideOffense = 1;
constexpr std::int8_t kSideDefense = 2;

// Bits of a window's flags.
constexpr std::uint8_t kDefenderInPlay = 1;         // the defender has a row in the play
constexpr std::uint8_t kDefenderAtPassForward = 2;  // ... and a finite x at pass forward
constexpr std::uint8_t kReceiverInPlay = 4;
constexpr std::uint8_t kReceiverAtPassForward = 8;

// A window longer than this many frames is invalid input (a frame value gone wrong,
// not a pass: the longest flight is a few seconds at 10 Hz).
constexpr std::int64_t kMaxWindowFrames = 100000;

// The table's columns, read in place. A play's nfl_id and side values are copied
// once, when the play is first needed, and only the copies order its rows; frame_id,
// x and y are read as values (a frame is bounds-checked where it is used), so a
// caller rewriting the buffers meanwhile changes results, never memory safety.
struct FlightTable {
    const std::int64_t* nfl_id;    // n_rows
    const std::int64_t* frame_id;  // n_rows
    const double* x;               // n_rows
    const double* y;               // n_rows
    const std::int8_t* side;       // n_rows
    std::size_t n_rows;
    const std::int64_t* play_offsets;  // n_plays + 1, a validated private copy
    std::size_t n_plays;
};

struct FlightRequests {
    const std::int64_t* play;
    const std::int64_t* defender;
    const std::int64_t* receiver;
    const std::int64_t* first_frame;
    const std::int64_t* pass_forward_frame;
    const std::int64_t* end_frame;
    std::size_t n;
};

// Throws std::invalid_argument (naming the window) unless each play index is in
// [0, n_plays) and first <= pass_forward <= end with at most kMaxWindowFrames frames.
// Returns the n + 1 sample offsets of the windows.
std::vector<std::int64_t> flight_offsets(const FlightRequests& req, std::size_t n_plays);

// Gathers every window of `req` (validated, private copies; offsets from
// flight_offsets). defender_xy and receiver_xy have offsets[n] * 2 values, context
// n * 4, flags n. Windows are gathered play by play, whatever their order.
void gather_flights(const FlightTable& table, const FlightRequests& req,
                    const std::int64_t* offsets, double* defender_xy, double* receiver_xy,
                    double* context, std::uint8_t* flags);

// Real tracks: for request i, one player's (nfl_id[i]) positions as tracked at frames
// first[i]..end[i] of play play[i] (NaN where not tracked, the last row of a frame
// wins, no fill), and what the player's rows with a frame in that range say, taken
// in table order: how many there are (n_rows), the first one's row index (-1 when
// none), whether each steps exactly one frame past the one before (consecutive) and
// whether any has a non-finite x or y (nonfinite). `req` holds the pairs as windows
// with pass_forward_frame = first_frame (validated by flight_offsets), defender the
// player; receiver is not read.
void gather_tracks(const FlightTable& table, const FlightRequests& req,
                   const std::int64_t* offsets, double* xy, std::int64_t* n_rows,
                   std::int64_t* first_row, std::uint8_t* consecutive, std::uint8_t* nonfinite);

// The players (ascending nfl_id) of the plays `plays` (indices, validated) and their
// side (that of their last row in the play): roster_offsets (n_requested + 1) cut
// roster_nfl_id and roster_side.
void play_rosters(const FlightTable& table, const std::vector<std::int64_t>& plays,
                  std::vector<std::int64_t>& roster_offsets,
                  std::vector<std::int64_t>& roster_nfl_id, std::vector<std::int8_t>& roster_side);

// Window index[k] of a flat (n_samples x 2) array of points (samples offsets[i] ..
// offsets[i + 1], i = index[k]) copied to out[k][0 .. length) of an (m x width x 2)
// array, NaN in the rest of the row: the windows padded to one width. Preconditions
// (the bindings check them on private copies): offsets valid, every index in
// [0, n_windows), every chosen window at most `width` samples long.
void pad_windows(const double* xy, const std::int64_t* offsets, const std::int64_t* index,
                 std::size_t m, std::size_t width, double* out);

}  // namespace ghosting
