// Bindings of the cleaning kernel: validate with the GIL held, loop without it.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>

#include "ghosting/cleaning.hpp"
#include "ghosting/field.hpp"

namespace py = pybind11;

namespace {

template <typename T>
using CArray = py::array_t<T, py::array::c_style | py::array::forcecast>;

// Converts `obj` to a 1-D C-contiguous array of T without copying when it
// already is one. `kinds` lists the numpy dtype kinds accepted (e.g. "fiu").
template <typename T>
CArray<T> as_1d(const py::handle& obj, const char* name, const char* kinds) {
    py::array arr = py::array::ensure(obj);
    if (!arr) {
        PyErr_Clear();
        throw std::invalid_argument(std::string(name) + " must be a numpy array");
    }
    const char kind = arr.dtype().kind();
    if (std::string(kinds).find(kind) == std::string::npos) {
        throw std::invalid_argument(std::string(name) + " has dtype " +
                                    std::string(py::str(arr.dtype())) + "; expected kind in '" +
                                    kinds + "'");
    }
    if (kind == 'u' && sizeof(T) == 1 && arr.itemsize() != 1) {  // no silent narrowing
        throw std::invalid_argument(std::string(name) + " has dtype " +
                                    std::string(py::str(arr.dtype())) + "; expected bool or uint8");
    }
    if (arr.ndim() != 1) {
        throw std::invalid_argument(std::string(name) + " must be 1-D, got " +
                                    std::to_string(arr.ndim()) + " dimensions");
    }
    if (kind == 'b') {
        arr = arr.attr("view")("uint8");  // bool -> uint8 is a free reinterpretation
    }
    auto out = CArray<T>::ensure(arr);
    if (!out) {
        throw py::error_already_set();
    }
    return out;
}

void require_length(const py::array& arr, std::size_t n, const char* name, const char* of) {
    if (static_cast<std::size_t>(arr.shape(0)) != n) {
        throw std::invalid_argument(std::string(name) + " has length " +
                                    std::to_string(arr.shape(0)) + ", expected " +
                                    std::to_string(n) + " (" + of + ")");
    }
}

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
    py::array frame_arr = py::array::ensure(frame_obj);
    if (!frame_arr || !frame_arr.dtype().is(py::dtype::of<std::int32_t>())) {
        PyErr_Clear();
        throw std::invalid_argument("frame_id must be an int32 array");
    }
    const auto frame_id = as_1d<std::int32_t>(frame_arr, "frame_id", "i");
    const auto track_offsets = as_1d<std::int64_t>(track_offsets_obj, "track_offsets", "iu");
    const auto play_offsets = as_1d<std::int64_t>(play_offsets_obj, "play_offsets", "iu");
    const auto is_player = as_1d<std::uint8_t>(is_player_obj, "is_player", "bu");
    const auto in_window = as_1d<std::uint8_t>(in_window_obj, "in_window", "bu");

    const auto n_samples = static_cast<std::size_t>(x.shape(0));
    if (track_offsets.shape(0) < 1 || play_offsets.shape(0) < 1) {
        throw std::invalid_argument("track_offsets and play_offsets need at least one element (0)");
    }
    const auto n_tracks = static_cast<std::size_t>(track_offsets.shape(0) - 1);
    const auto n_plays = static_cast<std::size_t>(play_offsets.shape(0) - 1);
    require_length(y, n_samples, "y", "one per sample, like x");
    require_length(s, n_samples, "s", "one per sample, like x");
    require_length(frame_id, n_samples, "frame_id", "one per sample, like x");
    require_length(in_window, n_samples, "in_window", "one per sample, like x");
    require_length(is_player, n_tracks, "is_player", "one per track");

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
          py::arg("field_tolerance") = 0.0,
          R"doc(Flag samples that break the cleaning rules and decide what to keep.

Returns (flags uint8[n_samples], keep bool[n_samples], track_reasons uint8[n_tracks],
play_reasons uint8[n_plays]). Raises ValueError on bad shapes, dtypes, offsets or
parameters. Private: use ghosting.clean.)doc");
}
