// Bindings of the kinematic feasibility kernel (feasibility.hpp): arrays checked with
// the GIL held (std::invalid_argument -> ValueError), the offsets on a private copy
// (numpy_args.hpp); the loop runs with the GIL released and allocates no Python object.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <cstdint>
#include <vector>

#include "ghosting/constants.hpp"
#include "ghosting/feasibility.hpp"
#include "numpy_args.hpp"

namespace py = pybind11;

namespace {

using ghosting_bindings::as_points;
using ghosting_bindings::check_offsets;
using ghosting_bindings::copy_offsets;

py::tuple feasibility(const py::object& xy_obj, const py::object& offsets_obj, double v_max,
                      double dt, double off_field_tolerance) {
    const auto xy = as_points(xy_obj, "xy");
    const std::vector<std::int64_t> offsets = copy_offsets(offsets_obj, "offsets");
    const std::size_t n = check_offsets(offsets, static_cast<std::size_t>(xy.shape(0)), "offsets");
    ghosting::FeasibilityParams params;
    params.v_max = v_max;
    params.dt = dt;
    params.off_field_tolerance = off_field_tolerance;
    ghosting::validate_feasibility_params(params);
    const auto len = static_cast<py::ssize_t>(n);
    py::array_t<double> max_speed(len), max_accel(len);
    py::array_t<std::int64_t> long_steps(len), off_field(len), nonfinite(len);
    {
        py::gil_scoped_release release;
        ghosting::feasibility(xy.data(), offsets.data(), n, params, max_speed.mutable_data(),
                              max_accel.mutable_data(), long_steps.mutable_data(),
                              off_field.mutable_data(), nonfinite.mutable_data());
    }
    return py::make_tuple(max_speed, max_accel, long_steps, off_field, nonfinite);
}

}  // namespace

void register_feasibility(py::module_& m) {
    m.def("feasibility", &feasibility, py::arg("xy"), py::arg("offsets"),
          py::arg("v_max") = ghosting::kDefaultVMax, py::arg("dt") = ghosting::kDefaultDt,
          py::arg("off_field_tolerance") = ghosting::kDefaultOffFieldTolerance,
          "(max_speed, max_accel, n_long_steps, n_off_field, n_nonfinite) per trajectory.");
}
