// Converting and checking numpy arguments of the bindings (pybind11 only here).
//
// Every binding follows the same three steps with the GIL held: convert each
// argument (as_array / as_1d), copy what the loop will use as an index (offsets:
// copy_offsets, other small per-track arrays: copy_1d), then validate the copies.
// Only then is the GIL released. Large sample arrays (coordinates, frames) are read
// in place, but nothing read in place is ever used as an index: another Python
// thread may rewrite the caller's buffer while the loop runs, and an index read
// twice from it could point anywhere.
#pragma once

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

#include "ghosting/tracks.hpp"

namespace ghosting_bindings {

namespace py = pybind11;

template <typename T>
using CArray = py::array_t<T, py::array::c_style | py::array::forcecast>;

// `obj` as a C-contiguous array of T (no copy when it already is one), accepting
// only the numpy dtype kinds in `kinds` (e.g. "fiu"): a float offset, a string, a
// bool or a complex coordinate is an error, never silently truncated or
// reinterpreted. A bool array is accepted for uint8 (kind 'b' in `kinds`) as the
// free reinterpretation it is; a wider unsigned integer is not narrowed to uint8.
template <typename T>
CArray<T> as_array(const py::handle& obj, const char* name, const char* kinds) {
    py::array arr = py::array::ensure(obj);
    if (!arr) {
        PyErr_Clear();
        throw std::invalid_argument(std::string(name) + " must be a numeric array");
    }
    const char kind = arr.dtype().kind();
    if (std::string(kinds).find(kind) == std::string::npos) {
        throw std::invalid_argument(std::string(name) + " has dtype " +
                                    std::string(py::str(arr.dtype())) + "; expected kind in '" +
                                    kinds + "'");
    }
    if (kind == 'u' && sizeof(T) == 1 && arr.itemsize() != 1) {
        throw std::invalid_argument(std::string(name) + " has dtype " +
                                    std::string(py::str(arr.dtype())) + "; expected bool or uint8");
    }
    if (kind == 'b') {
        arr = arr.attr("view")("uint8");
    }
    auto out = CArray<T>::ensure(arr);
    if (!out) {
        throw py::error_already_set();
    }
    return out;
}

// as_array, and the result must be one-dimensional.
template <typename T>
CArray<T> as_1d(const py::handle& obj, const char* name, const char* kinds) {
    auto arr = as_array<T>(obj, name, kinds);
    if (arr.ndim() != 1) {
        throw std::invalid_argument(std::string(name) + " must be 1-D, got " +
                                    std::to_string(arr.ndim()) + " dimensions");
    }
    return arr;
}

// A 1-D argument whose dtype must already be exactly T (`what` names it in the error,
// e.g. "an int32 array"): no cast, not even a lossless one, so that the caller's
// types are the contract (frame ids are int32 in the canonical table).
template <typename T>
CArray<T> as_1d_exact(const py::handle& obj, const char* name, const char* what) {
    py::array arr = py::array::ensure(obj);
    if (!arr || !arr.dtype().is(py::dtype::of<T>())) {
        PyErr_Clear();
        throw std::invalid_argument(std::string(name) + " must be " + what);
    }
    return as_1d<T>(arr, name, "biuf");
}

// A private copy of a 1-D argument: what the loop reads can no longer change.
template <typename T>
std::vector<T> copy_1d(const py::handle& obj, const char* name, const char* kinds) {
    const auto arr = as_1d<T>(obj, name, kinds);
    const auto n = static_cast<std::size_t>(arr.shape(0));
    std::vector<T> out(n);
    if (n > 0) {
        std::memcpy(out.data(), arr.data(), n * sizeof(T));
    }
    return out;
}

// Offsets (any integer dtype) as a private int64 copy; validate the copy.
inline std::vector<std::int64_t> copy_offsets(const py::handle& obj, const char* name) {
    return copy_1d<std::int64_t>(obj, name, "iu");
}

// Throws unless `arr` has `n` elements along its first axis; `of` says why.
inline void require_length(const py::array& arr, std::size_t n, const char* name,
                           const char* of) {
    if (static_cast<std::size_t>(arr.shape(0)) != n) {
        throw std::invalid_argument(std::string(name) + " has length " +
                                    std::to_string(arr.shape(0)) + ", expected " +
                                    std::to_string(n) + " (" + of + ")");
    }
}

// Validates a private copy of offsets (copy_offsets) over n_samples samples;
// returns the number of segments.
inline std::size_t check_offsets(const std::vector<std::int64_t>& offsets, std::size_t n_samples,
                                 const char* name) {
    ghosting::validate_offsets(offsets.data(), offsets.size(), n_samples, name);
    return offsets.size() - 1;
}

// `obj` as flat (n_samples, 2) float64 points (x, y), the trajectories' layout.
inline CArray<double> as_points(const py::handle& obj, const char* name) {
    auto xy = as_array<double>(obj, name, "fiu");
    if (xy.ndim() != 2 || xy.shape(1) != 2) {
        throw std::invalid_argument(std::string(name) +
                                    " must have shape (n_samples, 2), got ndim " +
                                    std::to_string(xy.ndim()));
    }
    return xy;
}

}  // namespace ghosting_bindings
