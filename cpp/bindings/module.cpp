// The one Python extension module, ghosting._core. Each concern registers its
// functions from its own register_<concern>.cpp file.
#include <pybind11/pybind11.h>

#include "ghosting/field.hpp"

namespace py = pybind11;

void register_cleaning(py::module_& m);
void register_scoring(py::module_& m);
void register_flights(py::module_& m);

PYBIND11_MODULE(_core, m) {
    m.doc() = "ghosting native core (private: use the public ghosting API)";
    m.attr("FIELD_LENGTH") = ghosting::kFieldLength;
    m.attr("FIELD_WIDTH") = ghosting::kFieldWidth;
    register_cleaning(m);
    register_scoring(m);
    register_flights(m);
}
