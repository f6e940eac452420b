#include "ghosting/cleaning.hpp"

#include <cfloat>
#include <cmath>
#include <cstring>
#include <stdexcept>
#include <string>

#include "ghosting/constants.hpp"
#include "ghosting/tracks.hpp"

namespace ghosting {

namespace {

// Bounds of the accepted field, and the longest accepted step (squared).
struct Limits {
    double x_lo, x_hi, y_lo, y_hi, v_max, step_max_sq;
};

// All-ones when the flag is true, else zero: keeps the loops branch-free.
inline std::uint8_t mask_if(bool flag) { return static_cast<std::uint8_t>(-static_cast<int>(flag)); }

// Comparisons are combined with `&` and `|` (not `&&`, `||`) so that the loops
// stay free of branches and the compiler can vectorise them.
inline std::uint8_t sample_flags(double x, double y, double s, const Limits& lim) {
    // |v| <= DBL_MAX is false for NaN and for +-inf.
    const bool finite = (std::fabs(x) <= DBL_MAX) & (std::fabs(y) <= DBL_MAX);
    const bool off = (x < lim.x_lo) | (x > lim.x_hi) | (y < lim.y_lo) | (y > lim.y_hi);
    return static_cast<std::uint8_t>((mask_if(!finite) & kNonFinite) | (mask_if(off) & kOffField) |
                                     (mask_if(s > lim.v_max) & kOverSpeed));
}

// The hot loop, over samples [b + 1, e) of a block: every rule, the steps taken
// from the previous sample whatever its track (the caller fixes each track's
// first sample). Squared lengths, no sqrt: its errno handling would keep the loop
// scalar. Where the compiler can, an AVX2 clone is chosen at load time; results
// are the same bit for bit (the same IEEE operations, no contraction).
// (target_clones needs GNU ifunc: GCC on x86-64 with glibc.)
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__GLIBC__)
#define GHOSTING_TARGET_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define GHOSTING_TARGET_CLONES
#endif
#if defined(_MSC_VER)
#define GHOSTING_RESTRICT __restrict
#else
#define GHOSTING_RESTRICT __restrict__
#endif

GHOSTING_TARGET_CLONES
void flag_block(const double* GHOSTING_RESTRICT x, const double* GHOSTING_RESTRICT y,
                const double* GHOSTING_RESTRICT s, const std::int32_t* GHOSTING_RESTRICT frame,
                std::size_t b, std::size_t e, Limits lim, std::uint8_t* GHOSTING_RESTRICT flags) {
    const double x_lo = lim.x_lo, x_hi = lim.x_hi, y_lo = lim.y_lo, y_hi = lim.y_hi;
    const double v_max = lim.v_max, step_max_sq = lim.step_max_sq;
    for (std::size_t i = b + 1; i < e; ++i) {
        const bool finite = (std::fabs(x[i]) <= DBL_MAX) & (std::fabs(y[i]) <= DBL_MAX);
        const bool off = (x[i] < x_lo) | (x[i] > x_hi) | (y[i] < y_lo) | (y[i] > y_hi);
        const double dx = x[i] - x[i - 1];
        const double dy = y[i] - y[i - 1];
        const bool long_step = dx * dx + dy * dy > step_max_sq;
        const std::int64_t frame_step =
            static_cast<std::int64_t>(frame[i]) - static_cast<std::int64_t>(frame[i - 1]);
        const bool duplicate = frame_step == 0;
        const bool gap = (frame_step != 1) & !duplicate;
        flags[i] = static_cast<std::uint8_t>(
            (mask_if(!finite) & kNonFinite) | (mask_if(off) & kOffField) |
            (mask_if(s[i] > v_max) & kOverSpeed) | (mask_if(long_step) & kLongStep) |
            (mask_if(gap) & kFrameGap) | (mask_if(duplicate) & kDuplicateFrame));
    }
}

// OR of the flags of the samples [b, e) inside the window.
std::uint8_t window_reasons(const std::uint8_t* GHOSTING_RESTRICT flags,
                            const std::uint8_t* GHOSTING_RESTRICT in_window, std::size_t b,
                            std::size_t e) {
    std::uint8_t reasons = 0;
    for (std::size_t i = b; i < e; ++i) {
        reasons = static_cast<std::uint8_t>(reasons | (flags[i] & mask_if(in_window[i] != 0)));
    }
    return reasons;
}

}  // namespace

CleaningPolicy parse_cleaning_policy(const char* name) {
    const std::string policy(name == nullptr ? "" : name);
    if (policy == "play") {
        return CleaningPolicy::kPlay;
    }
    if (policy == "track") {
        return CleaningPolicy::kTrack;
    }
    if (policy == "sample") {
        return CleaningPolicy::kSample;
    }
    throw std::invalid_argument("cleaning policy must be 'play', 'track' or 'sample', got '" +
                                policy + "'");
}

void validate_cleaning_input(const CleaningInput& in, const CleaningParams& params) {
    validate_speed_limit(params.v_max, params.dt);
    validate_field_tolerance(params.field_tolerance, "field_tolerance");
    if (in.track_offsets == nullptr || in.play_offsets == nullptr) {
        throw std::invalid_argument("track_offsets and play_offsets are required");
    }
    validate_offsets(in.track_offsets, in.n_tracks + 1, in.n_samples, "track_offsets");
    validate_offsets(in.play_offsets, in.n_plays + 1, in.n_tracks, "play_offsets");
}

void clean_tracks(const CleaningInput& in, const CleaningParams& params, CleaningPolicy policy,
                  const CleaningOutput& out) noexcept {
    const double tol = params.field_tolerance;
    const double step_max = params.v_max * params.dt;
    const Limits lim{-tol, kFieldLength + tol, -tol, kFieldWidth + tol, params.v_max,
                     step_max * step_max};
    const std::int64_t* track_off = in.track_offsets;
    std::uint8_t* flags = out.flags;

    // One play at a time, so that its samples stay in cache between the passes.
    for (std::size_t p = 0; p < in.n_plays; ++p) {
        const auto first_track = static_cast<std::size_t>(in.play_offsets[p]);
        const auto end_track = static_cast<std::size_t>(in.play_offsets[p + 1]);
        const auto play_b = static_cast<std::size_t>(track_off[first_track]);
        const auto play_e = static_cast<std::size_t>(track_off[end_track]);
        if (play_b < play_e) {
            flag_block(in.x, in.y, in.s, in.frame_id, play_b, play_e, lim, flags);
        }
        std::uint8_t play_reasons = 0;
        for (std::size_t t = first_track; t < end_track; ++t) {
            const auto b = static_cast<std::size_t>(track_off[t]);
            const auto e = static_cast<std::size_t>(track_off[t + 1]);
            if (b == e) {
                out.track_reasons[t] = 0;
                continue;
            }
            // A track's first sample has no previous sample: no step rules.
            flags[b] = sample_flags(in.x[b], in.y[b], in.s[b], lim);
            if (in.is_player[t] == 0) {
                for (std::size_t i = b; i < e; ++i) {
                    flags[i] = static_cast<std::uint8_t>(flags[i] & kBallReasons);
                }
            }
            const std::uint8_t reasons = window_reasons(flags, in.in_window, b, e);
            out.track_reasons[t] = reasons;
            play_reasons = static_cast<std::uint8_t>(play_reasons | reasons);
            if (policy == CleaningPolicy::kTrack) {
                std::memset(out.keep + b, reasons == 0 ? 1 : 0, e - b);
            }
        }
        out.play_reasons[p] = play_reasons;
        if (policy == CleaningPolicy::kPlay) {
            std::memset(out.keep + play_b, play_reasons == 0 ? 1 : 0, play_e - play_b);
        } else if (policy == CleaningPolicy::kSample) {
            for (std::size_t i = play_b; i < play_e; ++i) {
                out.keep[i] =
                    static_cast<std::uint8_t>((flags[i] & mask_if(in.in_window[i] != 0)) == 0);
            }
        }
    }
}

}  // namespace ghosting
