#include "ghosting/flights.hpp"

#include <algorithm>
#include <cstring>
#include <cmath>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <string>

namespace ghosting {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// One player's rows in a play: rows[begin, end) of the play index, in table order.
struct Run {
    std::int64_t nfl_id;
    std::size_t begin;
    std::size_t end;
    std::int8_t side;    // the side of the player's last row
    bool frames_sorted;  // frame_id never decreases along the run
};

// The rows of one play grouped by player (ascending nfl_id, rows in table order).
class PlayIndex {
  public:
    explicit PlayIndex(const FlightTable& t) : t_(t) {}

    void build(std::int64_t p) {
        const auto begin = static_cast<std::size_t>(t_.play_offsets[p]);
        const auto end = static_cast<std::size_t>(t_.play_offsets[p + 1]);
        const std::size_t n = end - begin;
        ids_.assign(t_.nfl_id + begin, t_.nfl_id + end);  // private copies: they order rows
        sides_.assign(t_.side + begin, t_.side + end);
        local_.resize(n);
        std::iota(local_.begin(), local_.end(), std::size_t{0});
        const auto by_id = [&](std::size_t a, std::size_t b) { return ids_[a] < ids_[b]; };
        if (!std::is_sorted(local_.begin(), local_.end(), by_id)) {
            std::stable_sort(local_.begin(), local_.end(), by_id);
        }
        rows_.resize(n);
        for (std::size_t k = 0; k < n; ++k) {
            rows_[k] = static_cast<std::int64_t>(begin + local_[k]);
        }
        runs_.clear();
        std::size_t k = 0;
        while (k < n) {
            Run run{ids_[local_[k]], k, k, 0, true};
            std::int64_t previous = std::numeric_limits<std::int64_t>::min();
            for (; k < n && ids_[local_[k]] == run.nfl_id; ++k) {
                run.side = sides_[local_[k]];
                if (t_.frame_id == nullptr) {  // a roster only: no frames to index
                    run.frames_sorted = false;
                    continue;
                }
                const std::int64_t frame = t_.frame_id[rows_[k]];
                run.frames_sorted = run.frames_sorted && frame >= previous;
                previous = frame;
            }
            run.end = k;
            runs_.push_back(run);
        }
    }

    const std::vector<Run>& runs() const { return runs_; }

    // The run of nfl_id, or nullptr when the player has no row in the play.
    const Run* find(std::int64_t nfl_id) const {
        const auto it = std::lower_bound(
            runs_.begin(), runs_.end(), nfl_id,
            [](const Run& r, std::int64_t v) { return r.nfl_id < v; });
        return it != runs_.end() && it->nfl_id == nfl_id ? &*it : nullptr;
    }

    // Writes the run's tracked positions at frames first..first+n-1 into xy (n, 2),
    // NaN where not tracked; the last row of a frame wins.
    void gather(const Run* run, std::int64_t first, std::int64_t n, double* xy) const {
        std::fill(xy, xy + 2 * n, kNaN);
        if (run == nullptr) {
            return;
        }
        const std::int64_t last = first + (n - 1);
        std::size_t k = run->begin;
        std::size_t stop = run->end;
        if (run->frames_sorted) {  // only the rows in the window
            k = lower(run, first);
            const bool room = last < std::numeric_limits<std::int64_t>::max();
            stop = lower(run, last + (room ? 1 : 0));
            stop = std::max(stop, k);
        }
        for (; k < stop; ++k) {
            const std::int64_t row = rows_[k];
            const std::int64_t frame = t_.frame_id[row];  // read once: the caller may rewrite it
            if (frame < first || frame > last) {
                continue;
            }
            const std::int64_t j = frame - first;
            xy[2 * j] = t_.x[row];
            xy[2 * j + 1] = t_.y[row];
        }
    }

    // The rows of the run with a frame in [first, last], in table order, as positions
    // [k, stop) of rows() where frames are sorted (then every one of them is in the
    // range), else the whole run (the caller filters).
    std::pair<std::size_t, std::size_t> window(const Run& run, std::int64_t first,
                                               std::int64_t last) const {
        if (!run.frames_sorted) {
            return {run.begin, run.end};
        }
        const std::size_t k = lower(&run, first);
        const bool room = last < std::numeric_limits<std::int64_t>::max();
        return {k, std::max(k, lower(&run, last + (room ? 1 : 0)))};
    }

    const std::vector<std::int64_t>& rows() const { return rows_; }

    // The player's tracked position at `frame` (NaN when none); the last row wins.
    void at(const Run& run, std::int64_t frame, double& x, double& y) const {
        x = kNaN;
        y = kNaN;
        std::size_t k = run.begin;
        std::size_t stop = run.end;
        if (run.frames_sorted) {
            k = lower(&run, frame);
            const bool room = frame < std::numeric_limits<std::int64_t>::max();
            stop = std::max(k, lower(&run, frame + (room ? 1 : 0)));
        }
        for (; k < stop; ++k) {
            const std::int64_t row = rows_[k];
            if (t_.frame_id[row] == frame) {
                x = t_.x[row];
                y = t_.y[row];
            }
        }
    }

  private:
    // First position of the run whose frame is >= frame (frames sorted along the run;
    // if the caller rewrote them since, still a position inside the run).
    std::size_t lower(const Run* run, std::int64_t frame) const {
        const auto* lo = rows_.data() + run->begin;
        const auto* hi = rows_.data() + run->end;
        const auto* it = std::lower_bound(
            lo, hi, frame, [&](std::int64_t row, std::int64_t v) { return t_.frame_id[row] < v; });
        return static_cast<std::size_t>(it - rows_.data());
    }

    const FlightTable& t_;
    std::vector<std::int64_t> ids_;
    std::vector<std::int8_t> sides_;
    std::vector<std::size_t> local_;
    std::vector<std::int64_t> rows_;
    std::vector<Run> runs_;
};

// One player of a play at a pass-forward frame.
struct AtPassForward {
    std::int64_t nfl_id;
    std::int8_t side;
    double x;
    double y;
};

// Frames before `lead` without a finite x take the next frame's position.
void back_fill(double* xy, std::int64_t lead) {
    for (std::int64_t j = lead - 1; j >= 0; --j) {
        if (!std::isfinite(xy[2 * j])) {
            xy[2 * j] = xy[2 * j + 2];
            xy[2 * j + 1] = xy[2 * j + 3];
        }
    }
}

// Frames after `lead` without a finite x repeat the previous frame's position.
void forward_fill(double* xy, std::int64_t lead, std::int64_t n) {
    for (std::int64_t j = lead + 1; j < n; ++j) {
        if (!std::isfinite(xy[2 * j])) {
            xy[2 * j] = xy[2 * j - 2];
            xy[2 * j + 1] = xy[2 * j - 1];
        }
    }
}

// The nearest player of `side` other than `excluded`, relative to (dx, dy), into out.
void nearest(const std::vector<AtPassForward>& players, std::int8_t side, std::int64_t excluded,
             double dx, double dy, double* out) {
    double best = std::numeric_limits<double>::infinity();
    out[0] = kNaN;
    out[1] = kNaN;
    for (const auto& p : players) {
        if (p.side != side || p.nfl_id == excluded) {
            continue;
        }
        const double rx = p.x - dx;
        const double ry = p.y - dy;
        const double dist = std::hypot(rx, ry);
        if (std::isfinite(dist) && dist < best) {
            best = dist;
            out[0] = rx;
            out[1] = ry;
        }
    }
}

}  // namespace

std::vector<std::int64_t> flight_offsets(const FlightRequests& req, std::size_t n_plays) {
    std::vector<std::int64_t> offsets(req.n + 1, 0);
    for (std::size_t i = 0; i < req.n; ++i) {
        const std::string who = "window " + std::to_string(i);
        if (req.play[i] < 0 || static_cast<std::uint64_t>(req.play[i]) >= n_plays) {
            throw std::invalid_argument(who + ": play index " + std::to_string(req.play[i]) +
                                        " is not in [0, " + std::to_string(n_plays) + ")");
        }
        const std::int64_t first = req.first_frame[i];
        const std::int64_t pf = req.pass_forward_frame[i];
        const std::int64_t end = req.end_frame[i];
        if (!(first <= pf && pf <= end)) {
            throw std::invalid_argument(who + ": frames must satisfy first <= pass_forward <= "
                                              "end, got " +
                                        std::to_string(first) + ", " + std::to_string(pf) +
                                        ", " + std::to_string(end));
        }
        // end - first in unsigned arithmetic: it cannot overflow there
        const auto span = static_cast<std::uint64_t>(end) - static_cast<std::uint64_t>(first);
        if (span >= static_cast<std::uint64_t>(kMaxWindowFrames)) {
            throw std::invalid_argument(who + ": more than " + std::to_string(kMaxWindowFrames) +
                                        " frames from first to end");
        }
        offsets[i + 1] = offsets[i] + static_cast<std::int64_t>(span) + 1;
    }
    return offsets;
}

void gather_flights(const FlightTable& t, const FlightRequests& req, const std::int64_t* offsets,
                    double* defender_xy, double* receiver_xy, double* context,
                    std::uint8_t* flags) {
    // play by play: each play is indexed once, whatever the order of the windows
    std::vector<std::size_t> by_play(req.n);
    std::iota(by_play.begin(), by_play.end(), std::size_t{0});
    const auto play_order = [&](std::size_t a, std::size_t b) { return req.play[a] < req.play[b]; };
    if (!std::is_sorted(by_play.begin(), by_play.end(), play_order)) {
        std::stable_sort(by_play.begin(), by_play.end(), play_order);
    }
    PlayIndex index(t);
    std::vector<AtPassForward> players;
    std::int64_t indexed_play = -1;
    bool players_valid = false;
    std::int64_t players_frame = 0;
    for (const std::size_t i : by_play) {
        const std::int64_t p = req.play[i];
        if (p != indexed_play) {
            index.build(p);
            indexed_play = p;
            players_valid = false;
        }
        const std::int64_t first = req.first_frame[i];
        const std::int64_t pf = req.pass_forward_frame[i];
        const std::int64_t n = offsets[i + 1] - offsets[i];
        const std::int64_t lead = pf - first;
        double* d = defender_xy + 2 * offsets[i];
        double* r = receiver_xy + 2 * offsets[i];
        const Run* def_run = index.find(req.defender[i]);
        const Run* rec_run = index.find(req.receiver[i]);
        std::uint8_t f = 0;
        index.gather(def_run, first, n, d);
        if (def_run != nullptr) {
            f |= kDefenderInPlay;
        }
        if (std::isfinite(d[2 * lead])) {
            f |= kDefenderAtPassForward;
        }
        back_fill(d, lead);
        index.gather(rec_run, first, n, r);
        if (rec_run != nullptr) {
            f |= kReceiverInPlay;
        }
        if (std::isfinite(r[2 * lead])) {
            f |= kReceiverAtPassForward;
            back_fill(r, lead);
            forward_fill(r, lead, n);
        }
        flags[i] = f;

        if (!players_valid || pf != players_frame) {
            players.clear();
            for (const Run& run : index.runs()) {
                AtPassForward q{run.nfl_id, run.side, kNaN, kNaN};
                index.at(run, pf, q.x, q.y);
                players.push_back(q);
            }
            players_valid = true;
            players_frame = pf;
        }
        double dx = kNaN;
        double dy = kNaN;
        if (def_run != nullptr) {
            const auto& q = players[static_cast<std::size_t>(def_run - index.runs().data())];
            dx = q.x;
            dy = q.y;
        }
        nearest(players, kSideOffense, req.receiver[i], dx, dy, context + 4 * i);
        nearest(players, kSideDefense, req.defender[i], dx, dy, context + 4 * i + 2);
    }
}

void gather_tracks(const FlightTable& t, const FlightRequests& req, const std::int64_t* offsets,
                   double* xy, std::int64_t* n_rows, std::int64_t* first_row,
                   std::uint8_t* consecutive, std::uint8_t* nonfinite) {
    std::vector<std::size_t> by_play(req.n);
    std::iota(by_play.begin(), by_play.end(), std::size_t{0});
    const auto play_order = [&](std::size_t a, std::size_t b) { return req.play[a] < req.play[b]; };
    if (!std::is_sorted(by_play.begin(), by_play.end(), play_order)) {
        std::stable_sort(by_play.begin(), by_play.end(), play_order);
    }
    PlayIndex index(t);
    std::int64_t indexed_play = -1;
    for (const std::size_t i : by_play) {
        if (req.play[i] != indexed_play) {
            indexed_play = req.play[i];
            index.build(indexed_play);
        }
        const std::int64_t first = req.first_frame[i];
        const std::int64_t last = req.end_frame[i];
        const Run* run = index.find(req.defender[i]);
        index.gather(run, first, offsets[i + 1] - offsets[i], xy + 2 * offsets[i]);
        std::int64_t count = 0;
        std::int64_t first_seen = -1;
        std::int64_t previous = 0;
        bool steps = true;
        bool finite = true;
        if (run != nullptr) {
            const auto range = index.window(*run, first, last);
            for (std::size_t k = range.first; k < range.second; ++k) {
                const std::int64_t row = index.rows()[k];
                const std::int64_t frame = t.frame_id[row];
                if (frame < first || frame > last) {
                    continue;
                }
                if (count == 0) {
                    first_seen = row;
                } else if (frame - previous != 1) {  // both in [first, last]: no overflow
                    steps = false;
                }
                previous = frame;
                finite = finite && std::isfinite(t.x[row]) && std::isfinite(t.y[row]);
                ++count;
            }
        }
        n_rows[i] = count;
        first_row[i] = first_seen;
        consecutive[i] = steps ? 1 : 0;
        nonfinite[i] = finite ? 0 : 1;
    }
}

void play_rosters(const FlightTable& t, const std::vector<std::int64_t>& plays,
                  std::vector<std::int64_t>& roster_offsets,
                  std::vector<std::int64_t>& roster_nfl_id, std::vector<std::int8_t>& roster_side) {
    roster_offsets.assign(plays.size() + 1, 0);
    roster_nfl_id.clear();
    roster_side.clear();
    PlayIndex index(t);
    for (std::size_t k = 0; k < plays.size(); ++k) {
        index.build(plays[k]);
        for (const Run& run : index.runs()) {
            roster_nfl_id.push_back(run.nfl_id);
            roster_side.push_back(run.side);
        }
        roster_offsets[k + 1] = static_cast<std::int64_t>(roster_nfl_id.size());
    }
}

void pad_windows(const double* xy, const std::int64_t* offsets, const std::int64_t* index,
                 std::size_t m, std::size_t width, double* out) {
    const double nan = std::numeric_limits<double>::quiet_NaN();
    for (std::size_t k = 0; k < m; ++k) {
        const std::int64_t lo = offsets[index[k]];
        const auto length = static_cast<std::size_t>(offsets[index[k] + 1] - lo);
        double* row = out + k * width * 2;
        if (length) {
            std::memcpy(row, xy + lo * 2, length * 2 * sizeof(double));
        }
        std::fill(row + length * 2, row + width * 2, nan);
    }
}

}  // namespace ghosting
