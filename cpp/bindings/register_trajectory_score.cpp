// Bindings of the Trajectory Score kernels (trajectory_score.hpp): per-trajectory
// scores, play scores and the model score.
// Arrays are checked with the GIL held (std::invalid_argument -> ValueError), the
// offsets on private copies (numpy_args.hpp); the loops run with the GIL released
// and allocate no Python object.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

#include "ghosting/constants.hpp"
#include "ghosting/trajectory_score.hpp"
#include "numpy_args.hpp"

namespace py = pybind11;

namespace {

using ghosting_bindings::as_array;
using ghosting_bindings::as_points;
using ghosting_bindings::check_offsets;
using ghosting_bindings::copy_offsets;
using Offsets = std::vector<std::int64_t>;
using Points = ghosting_bindings::CArray<double>;
using Values = ghosting_bindings::CArray<double>;

ghosting::Weighting parse_weights(const std::string& s) {
    if (s == "uniform") return ghosting::Weighting::Uniform;
    if (s == "linear") return ghosting::Weighting::Linear;
    throw std::invalid_argument("weights must be 'uniform' or 'linear', got '" + s + "'");
}

ghosting::Reference parse_reference(const std::string& s) {
    if (s == "catch_point") return ghosting::Reference::CatchPoint;
    if (s == "receiver") return ghosting::Reference::Receiver;
    throw std::invalid_argument("reference must be 'catch_point' or 'receiver', got '" + s + "'");
}

py::tuple trajectory_score(const py::object& defender_obj, const py::object& receiver_obj,
                           const py::object& offsets_obj, const std::string& weights,
                           const std::string& reference, double v_max, double dt,
                           double penalty) {
    const Points defender_xy = as_points(defender_obj, "defender_xy");
    const Points receiver_xy = as_points(receiver_obj, "receiver_xy");
    const Offsets offsets = copy_offsets(offsets_obj, "offsets");
    if (defender_xy.shape(0) != receiver_xy.shape(0)) {
        throw std::invalid_argument("defender_xy and receiver_xy must have the same number of "
                                    "samples, got " + std::to_string(defender_xy.shape(0)) +
                                    " and " + std::to_string(receiver_xy.shape(0)));
    }
    const std::size_t n =
        check_offsets(offsets, static_cast<std::size_t>(defender_xy.shape(0)), "offsets");
    ghosting::require_nonempty(offsets.data(), n, "offsets");
    ghosting::ScoreParams params;
    params.weights = parse_weights(weights);
    params.reference = parse_reference(reference);
    params.v_max = v_max;
    params.dt = dt;
    params.penalty = penalty;
    ghosting::validate_score_params(params);

    const auto len = static_cast<py::ssize_t>(n);
    py::array_t<double> ps(len), dr(len), sp(len), ts(len);
    {
        py::gil_scoped_release release;
        ghosting::score_trajectories(defender_xy.data(), receiver_xy.data(), offsets.data(), n,
                                     params, ps.mutable_data(), dr.mutable_data(),
                                     sp.mutable_data(), ts.mutable_data());
    }
    return py::make_tuple(ps, dr, sp, ts);
}

py::tuple play_scores(const py::object& defender_obj, const py::object& receiver_obj,
                      const py::object& offsets_obj, const py::object& ts_obj,
                      const py::object& play_offsets_obj, double radius) {
    const Points defender_xy = as_points(defender_obj, "defender_xy");
    const Points receiver_xy = as_points(receiver_obj, "receiver_xy");
    const Offsets offsets = copy_offsets(offsets_obj, "offsets");
    const Values ts = as_array<double>(ts_obj, "ts", "fiu");
    const Offsets play_offsets = copy_offsets(play_offsets_obj, "play_offsets");
    if (defender_xy.shape(0) != receiver_xy.shape(0)) {
        throw std::invalid_argument(
            "defender_xy and receiver_xy must have the same number of samples");
    }
    const std::size_t n =
        check_offsets(offsets, static_cast<std::size_t>(defender_xy.shape(0)), "offsets");
    ghosting::require_nonempty(offsets.data(), n, "offsets");
    if (ts.ndim() != 1 || static_cast<std::size_t>(ts.shape(0)) != n) {
        throw std::invalid_argument("ts must be one-dimensional with one value per trajectory (" +
                                    std::to_string(n) + ")");
    }
    const std::size_t n_plays = check_offsets(play_offsets, n, "play_offsets");
    if (!(std::isfinite(radius) && radius > 0.0)) {
        throw std::invalid_argument("radius must be finite and > 0, got " +
                                    std::to_string(radius));
    }
    py::array_t<double> weight(static_cast<py::ssize_t>(n));
    py::array_t<double> score(static_cast<py::ssize_t>(n_plays));
    {
        py::gil_scoped_release release;
        ghosting::play_scores(defender_xy.data(), receiver_xy.data(), offsets.data(), n, ts.data(),
                              play_offsets.data(), n_plays, radius, weight.mutable_data(),
                              score.mutable_data());
    }
    return py::make_tuple(weight, score);
}

double model_score(const py::object& ts_obj) {
    const Values ts = as_array<double>(ts_obj, "ts", "fiu");
    if (ts.ndim() != 1) {
        throw std::invalid_argument("ts must be one-dimensional");
    }
    const auto n = static_cast<std::size_t>(ts.shape(0));
    py::gil_scoped_release release;
    return ghosting::model_score(ts.data(), n);
}

}  // namespace

void register_trajectory_score(py::module_& m) {
    m.def("trajectory_score", &trajectory_score, py::arg("defender_xy"), py::arg("receiver_xy"),
          py::arg("offsets"), py::arg("weights") = "uniform", py::arg("reference") = "catch_point",
          py::arg("v_max") = ghosting::kDefaultVMax, py::arg("dt") = ghosting::kDefaultDt,
          py::arg("penalty") = ghosting::kDefaultPenalty,
          "PS, DR, SP, TS per trajectory of flat (n_samples, 2) arrays cut by int64 offsets.");
    m.def("play_scores", &play_scores, py::arg("defender_xy"), py::arg("receiver_xy"),
          py::arg("offsets"), py::arg("ts"), py::arg("play_offsets"), py::arg("radius") = ghosting::kDefaultRadius,
          "(weight per trajectory, play score per play), trajectories grouped by play_offsets.");
    m.def("model_score", &model_score, py::arg("ts"), "Mean of the finite trajectory scores.");
}
