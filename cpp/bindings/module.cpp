// The one Python extension module, ghosting._core. Each concern registers its
// functions from its own register_<concern>.cpp file.
#include <pybind11/pybind11.h>

#include "ghosting/constants.hpp"

namespace py = pybind11;

void register_cleaning(py::module_& m);
void register_feasibility(py::module_& m);
void register_trajectory_score(py::module_& m);
void register_flights(py::module_& m);
void register_strings(py::module_& m);
void register_tiles(py::module_& m);

namespace {

// The numbers of constants.hpp, the one source the Python layer reads them from.
void register_constants(py::module_& m) {
    m.attr("FIELD_LENGTH") = ghosting::kFieldLength;
    m.attr("FIELD_WIDTH") = ghosting::kFieldWidth;
    m.attr("DT") = ghosting::kDefaultDt;
    m.attr("V_MAX") = ghosting::kDefaultVMax;
    m.attr("PENALTY") = ghosting::kDefaultPenalty;
    m.attr("RADIUS") = ghosting::kDefaultRadius;
    m.attr("FIELD_TOLERANCE") = ghosting::kDefaultFieldTolerance;
    m.attr("OFF_FIELD_TOLERANCE") = ghosting::kDefaultOffFieldTolerance;
}

}  // namespace

PYBIND11_MODULE(_core, m) {
    m.doc() = "ghosting native core (private: use the public ghosting API)";
    register_constants(m);
    register_cleaning(m);
    register_feasibility(m);
    register_trajectory_score(m);
    register_flights(m);
    register_strings(m);
    register_tiles(m);
}
