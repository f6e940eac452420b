// Bindings of the cleaning kernel: copy the offsets and validate them with the GIL
// held, loop without it (numpy_args.hpp).
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "ghosting/cleaning.hpp"
#include "ghosting/constants.hpp"
#include "numpy_args.hpp"

namespace py = pybind11;

namespace {

using ghosting_bindings::as_1d;
using ghosting_bindings::as_1d_exact;
using ghosting_bindings::copy_1d;
using ghosting_bindings::copy_offsets;
using ghosting_bindings::require_length;

py::tuple clean_tracks_py(const py::object& x_obj, const py::object& y_obj,
                          const py::object& s_obj, const py::object& frame_obj,
                          const py::object& track_offsets_obj, const py::object& play_offsets_obj,
                          const py::object& is_player_obj, const py::object& in_window_obj,
                          const std::string& policy_name, double v_max, double dt,
                          double field_tolerance) {
    const ghosting::CleaningPolicy policy = ghosting::parse_cleaning_policy(policy_name.c_str());
    const auto x = as_1d<double>(x_obj, "x", "fiu");
    const auto y = as_1d<double>(y_obj, "y", "fiu");
    const auto s = as_1d<double>(s_obj, "s", "fiu");
    const auto frame_id = as_1d_exact<std::int32_t>(frame_obj, "frame_id", "an int32 array");
    // Private copies of what the loop indexes with (offsets) or reads per track.
    const auto track_offsets = copy_offsets(track_offsets_obj, "track_offsets");
    const auto play_offsets = copy_offsets(play_offsets_obj, "play_offsets");
    const auto is_player = copy_1d<std::uint8_t>(is_player_obj, "is_player", "bu");
    const auto in_window = as_1d<std::uint8_t>(in_window_obj, "in_window", "bu");

    const auto n_samples = static_cast<std::size_t>(x.shape(0));
    if (track_offsets.empty() || play_offsets.empty()) {
        throw std::invalid_argument("track_offsets and play_offsets need at least one element (0)");
    }
    const std::size_t n_tracks = track_offsets.size() - 1;
    const std::size_t n_plays = play_offsets.size() - 1;
    require_length(y, n_samples, "y", "one per sample, like x");
    require_length(s, n_samples, "s", "one per sample, like x");
    require_length(frame_id, n_samples, "frame_id", "one per sample, like x");
    require_length(in_window, n_samples, "in_window", "one per sample, like x");
    if (is_player.size() != n_tracks) {
        throw std::invalid_argument("is_player has length " + std::to_string(is_player.size()) +
                                    ", expected " + std::to_string(n_tracks) + " (one per track)");
    }

    ghosting::CleaningInput in;
    in.x = x.data();
    in.y = y.data();
    in.s = s.data();
    in.frame_id = frame_id.data();
    in.in_window = in_window.data();
    in.n_samples = n_samples;
    in.track_offsets = track_offsets.data();
    in.is_player = is_player.data();
    in.n_tracks = n_tracks;
    in.play_offsets = play_offsets.data();
    in.n_plays = n_plays;
    ghosting::CleaningParams params;
    params.v_max = v_max;
    params.dt = dt;
    params.field_tolerance = field_tolerance;
    ghosting::validate_cleaning_input(in, params);

    py::array_t<std::uint8_t> flags(static_cast<py::ssize_t>(n_samples));
    py::array_t<bool> keep(static_cast<py::ssize_t>(n_samples));
    py::array_t<std::uint8_t> track_reasons(static_cast<py::ssize_t>(n_tracks));
    py::array_t<std::uint8_t> play_reasons(static_cast<py::ssize_t>(n_plays));
    ghosting::CleaningOutput out;
    out.flags = flags.mutable_data();
    out.keep = reinterpret_cast<std::uint8_t*>(keep.mutable_data());
    out.track_reasons = track_reasons.mutable_data();
    out.play_reasons = play_reasons.mutable_data();
    {
        py::gil_scoped_release release;
        ghosting::clean_tracks(in, params, policy, out);
    }
    return py::make_tuple(flags, keep, track_reasons, play_reasons);
}

}  // namespace

void register_cleaning(py::module_& m) {
    py::dict reasons;
    reasons["NON_FINITE"] = static_cast<int>(ghosting::kNonFinite);
    reasons["OFF_FIELD"] = static_cast<int>(ghosting::kOffField);
    reasons["OVER_SPEED"] = static_cast<int>(ghosting::kOverSpeed);
    reasons["LONG_STEP"] = static_cast<int>(ghosting::kLongStep);
    reasons["FRAME_GAP"] = static_cast<int>(ghosting::kFrameGap);
    reasons["DUPLICATE_FRAME"] = static_cast<int>(ghosting::kDuplicateFrame);
    m.attr("CLEANING_REASONS") = reasons;
    m.attr("BALL_CLEANING_REASONS") = static_cast<int>(ghosting::kBallReasons);

    m.def("clean_tracks", &clean_tracks_py, py::arg("x"), py::arg("y"), py::arg("s"),
          py::arg("frame_id"), py::arg("track_offsets"), py::arg("play_offsets"),
          py::arg("is_player"), py::arg("in_window"), py::kw_only(), py::arg("policy") = "play",
          py::arg("v_max") = ghosting::kDefaultVMax, py::arg("dt") = ghosting::kDefaultDt,
          py::arg("field_tolerance") = ghosting::kDefaultFieldTolerance,
          R"doc(Flag samples that break the cleaning rules and decide what to keep.

Returns (flags uint8[n_samples], keep bool[n_samples], track_reasons uint8[n_tracks],
play_reasons uint8[n_plays]). Raises ValueError on bad shapes, dtypes, offsets or
parameters. Private: use ghosting.clean.)doc");
}
