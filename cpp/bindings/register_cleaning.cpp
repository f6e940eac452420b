#include <pybind11/pybind11.h>

namespace py = pybind11;

void register_cleaning(py::module_& m) { (void)m; }
