// Bindings of the roll-out step (tiles.hpp). With the GIL held: convert the arrays,
// copy what the loop indexes with (the active rows, their tile starts and flight
// lengths, the kept columns) and validate the copies (numpy_args.hpp); then compute
// without the GIL. advance_tiles writes the roll-out's positions and sigmas in place,
// so those two must already be C-contiguous, writeable float64 arrays (a converted
// copy would swallow the writes); the tile starts and base sigmas are inputs, the
// next starts and last sigmas outputs, so a call replayed gives the same writes.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "ghosting/tiles.hpp"
#include "numpy_args.hpp"

namespace py = pybind11;

namespace {

using ghosting_bindings::as_1d;
using ghosting_bindings::as_array;
using ghosting_bindings::CArray;
using ghosting_bindings::copy_1d;
using ghosting_bindings::require_length;
using Ids = std::vector<std::int64_t>;

std::string shape_of(const py::array& arr) {
    std::string out = "(";
    for (py::ssize_t d = 0; d < arr.ndim(); ++d) {
        out += (d ? ", " : "") + std::to_string(arr.shape(d));
    }
    return out + (arr.ndim() == 1 ? ",)" : ")");
}

// Throws unless `arr` has `ndim` dimensions; `want` spells the expected shape.
void require_ndim(const py::array& arr, py::ssize_t ndim, const char* name, const char* want) {
    if (arr.ndim() != ndim) {
        throw std::invalid_argument(std::string(name) + " must have shape " + want + ", got " +
                                    shape_of(arr));
    }
}

// (n, frames, 2) positions, read as values.
CArray<double> positions(const py::object& obj, const char* name) {
    auto arr = as_array<double>(obj, name, "fiu");
    require_ndim(arr, 3, name, "(n, frames, 2)");
    if (arr.shape(2) != 2) {
        throw std::invalid_argument(std::string(name) + " must have shape (n, frames, 2), got " +
                                    shape_of(arr));
    }
    return arr;
}

// A state array of advance_tiles, written in place: exactly T, C-contiguous,
// writeable, `ndim` dimensions.
template <typename T>
py::array_t<T, py::array::c_style> state(const py::object& obj, const char* name,
                                         const char* what, py::ssize_t ndim, const char* want) {
    if (!py::isinstance<py::array>(obj)) {
        throw std::invalid_argument(std::string(name) + " must be a numpy array (" + what + ")");
    }
    const auto arr = py::reinterpret_borrow<py::array>(obj);
    if (!arr.dtype().is(py::dtype::of<T>())) {
        throw std::invalid_argument(std::string(name) + " has dtype " +
                                    std::string(py::str(arr.dtype())) + "; it must be " + what);
    }
    if (!(arr.flags() & py::array::c_style)) {
        throw std::invalid_argument(std::string(name) + " must be C-contiguous");
    }
    if (!arr.writeable()) {
        throw std::invalid_argument(std::string(name) + " must be writeable");
    }
    require_ndim(arr, ndim, name, want);
    return py::array_t<T, py::array::c_style>::ensure(arr);
}

// An input of advance_tiles's arithmetic (base sigmas, predictions): float64 exactly
// (another dtype would change the arithmetic), read as values in any layout, `ndim`
// dimensions, n_active along the first, >= horizon along a second, 2 along a third.
CArray<double> prediction(const py::object& obj, const char* name, py::ssize_t ndim,
                          const char* want, std::size_t n_active, std::size_t horizon) {
    py::array arr = py::array::ensure(obj);
    if (!arr || !arr.dtype().is(py::dtype::of<double>())) {
        PyErr_Clear();
        throw std::invalid_argument(std::string(name) + " must be a float64 array " + want);
    }
    auto out = as_array<double>(arr, name, "f");
    require_ndim(out, ndim, name, want);
    if (static_cast<std::size_t>(out.shape(0)) != n_active ||
        (ndim >= 2 && static_cast<std::size_t>(out.shape(1)) < horizon) ||
        (ndim == 3 && out.shape(2) != 2)) {
        throw std::invalid_argument(std::string(name) + " must have shape " + want + " with " +
                                    std::to_string(n_active) + " active windows (horizon " +
                                    std::to_string(horizon) + "), got " + shape_of(out));
    }
    return out;
}

std::size_t checked_size(std::int64_t v, std::int64_t lo, const char* name) {
    if (v < lo || v > ghosting::kMaxTileFrames) {
        throw std::invalid_argument(std::string(name) + " must be in [" + std::to_string(lo) +
                                    ", " + std::to_string(ghosting::kMaxTileFrames) + "], got " +
                                    std::to_string(v));
    }
    return static_cast<std::size_t>(v);
}

// The active windows' requests: private copies of rows and of their tile starts,
// and each row's flight length (rows checked against n first).
struct Active {
    Ids rows;
    Ids start;
    Ids flight;

    Active(const py::object& rows_obj, const py::object& start_obj, const Ids& all_flight)
        : rows(copy_1d<std::int64_t>(rows_obj, "rows", "iu")),
          start(copy_1d<std::int64_t>(start_obj, "start", "iu")) {
        const std::size_t n = all_flight.size();
        if (start.size() != rows.size()) {
            throw std::invalid_argument("start has length " + std::to_string(start.size()) +
                                        ", expected " + std::to_string(rows.size()) +
                                        " (one per active window, like rows)");
        }
        flight.resize(rows.size());
        for (std::size_t i = 0; i < rows.size(); ++i) {
            if (rows[i] < 0 || static_cast<std::uint64_t>(rows[i]) >= n) {
                throw std::invalid_argument("rows[" + std::to_string(i) + "] = " +
                                            std::to_string(rows[i]) + " is not in [0, " +
                                            std::to_string(n) + ")");
            }
            flight[i] = all_flight[static_cast<std::size_t>(rows[i])];
        }
    }

    ghosting::TileRequest request(std::size_t horizon) const {
        return {rows.data(), start.data(), flight.data(), rows.size(), horizon};
    }
};

Ids per_window(const py::object& obj, const char* name, std::size_t n) {
    Ids out = copy_1d<std::int64_t>(obj, name, "iu");
    if (out.size() != n) {
        throw std::invalid_argument(std::string(name) + " has length " +
                                    std::to_string(out.size()) + ", expected " +
                                    std::to_string(n) + " (one per window, like defender)");
    }
    return out;
}

py::tuple tile_features(const py::object& defender_obj, const py::object& receiver_obj,
                        const py::object& flight_obj, const py::object& catch_obj,
                        const py::object& context_obj, const py::object& is_back_obj,
                        const py::object& rows_obj, const py::object& start_obj,
                        std::int64_t horizon_arg, std::int64_t history_arg,
                        const py::object& columns_obj) {
    const std::size_t horizon = checked_size(horizon_arg, 1, "horizon");
    const std::size_t history = checked_size(history_arg, 2, "history");
    const auto defender = positions(defender_obj, "defender");
    const auto n = static_cast<std::size_t>(defender.shape(0));
    const auto receiver = positions(receiver_obj, "receiver");
    require_length(receiver, n, "receiver", "one per window, like defender");
    const auto catch_xy = as_array<double>(catch_obj, "catch", "fiu");
    require_ndim(catch_xy, 2, "catch", "(n, 2)");
    require_length(catch_xy, n, "catch", "one per window, like defender");
    if (catch_xy.shape(1) != 2) {
        throw std::invalid_argument("catch must have shape (n, 2), got " + shape_of(catch_xy));
    }
    const auto context = as_array<double>(context_obj, "context", "fiu");
    require_ndim(context, 2, "context", "(n, 4)");
    require_length(context, n, "context", "one per window, like defender");
    if (context.shape(1) < 4) {
        throw std::invalid_argument("context must have shape (n, 4), got " + shape_of(context));
    }
    CArray<double> is_back;
    if (!is_back_obj.is_none()) {
        is_back = as_1d<double>(is_back_obj, "is_back", "bfiu");
        require_length(is_back, n, "is_back", "one per window, like defender");
    }
    const Active active(rows_obj, start_obj, per_window(flight_obj, "flight_frames", n));
    const ghosting::TileRequest req = active.request(horizon);
    ghosting::validate_tiles(
        req, {n, history, static_cast<std::size_t>(defender.shape(1)), true,
              static_cast<std::size_t>(receiver.shape(1)), false, 0, false});
    const Ids columns = copy_1d<std::int64_t>(columns_obj, "columns", "iu");
    const std::size_t n_full = ghosting::tile_feature_count(history, horizon);
    for (std::size_t c = 0; c < columns.size(); ++c) {
        if (columns[c] < 0 || static_cast<std::uint64_t>(columns[c]) >= n_full) {
            throw std::invalid_argument("columns[" + std::to_string(c) + "] = " +
                                        std::to_string(columns[c]) + " is not in [0, " +
                                        std::to_string(n_full) + ")");
        }
    }
    const ghosting::TileWindows w{defender.data(),
                                  static_cast<std::size_t>(defender.shape(1)),
                                  receiver.data(),
                                  static_cast<std::size_t>(receiver.shape(1)),
                                  catch_xy.data(),
                                  context.data(),
                                  static_cast<std::size_t>(context.shape(1)),
                                  is_back_obj.is_none() ? nullptr : is_back.data(),
                                  n,
                                  history};
    const auto n_active = static_cast<py::ssize_t>(req.n_active);
    // column-major (n_active, n_columns): the layout of the numpy reference's [:, columns]
    py::array_t<double, py::array::f_style> features(
        {n_active, static_cast<py::ssize_t>(columns.size())});
    py::array_t<double> velocity({n_active, static_cast<py::ssize_t>(2)});
    {
        py::gil_scoped_release release;
        ghosting::tile_features(w, req, columns.data(), columns.size(), features.mutable_data(),
                                velocity.mutable_data());
    }
    return py::make_tuple(features, velocity);
}

py::tuple advance_tiles(const py::object& defender_obj, const py::object& sigma_obj,
                        const py::object& flight_obj, const py::object& rows_obj,
                        const py::object& start_obj, const py::object& base_sigma_obj,
                        const py::object& rel_obj, const py::object& sig_obj,
                        std::int64_t horizon_arg, std::int64_t history_arg) {
    const std::size_t horizon = checked_size(horizon_arg, 1, "horizon");
    const std::size_t history = checked_size(history_arg, 2, "history");
    auto defender = state<double>(defender_obj, "defender", "float64", 3, "(n, frames, 2)");
    if (defender.shape(2) != 2) {
        throw std::invalid_argument("defender must have shape (n, frames, 2), got " +
                                    shape_of(defender));
    }
    const auto n = static_cast<std::size_t>(defender.shape(0));
    auto sigma = state<double>(sigma_obj, "sigma", "float64", 2, "(n, frames)");
    require_length(sigma, n, "sigma", "one per window, like defender");
    const Active active(rows_obj, start_obj, per_window(flight_obj, "flight_frames", n));
    const ghosting::TileRequest req = active.request(horizon);
    ghosting::validate_tiles(
        req, {n, history, static_cast<std::size_t>(defender.shape(1)), false, 0, true,
              static_cast<std::size_t>(sigma.shape(1)), true});
    const auto base_sigma = prediction(base_sigma_obj, "base_sigma", 1, "(n_active,)",
                                       req.n_active, 0);
    const auto rel = prediction(rel_obj, "rel", 3, "(n_active, horizon, 2)", req.n_active, horizon);
    const auto sig = prediction(sig_obj, "sig", 2, "(n_active, horizon)", req.n_active, horizon);
    const ghosting::TileState s{defender.mutable_data(),
                                static_cast<std::size_t>(defender.shape(1)),
                                sigma.mutable_data(), static_cast<std::size_t>(sigma.shape(1)),
                                history};
    const auto n_active = static_cast<py::ssize_t>(req.n_active);
    py::array_t<std::int64_t> end(n_active);
    py::array_t<double> last_sigma(n_active);
    {
        py::gil_scoped_release release;
        ghosting::advance_tiles(s, req, base_sigma.data(), rel.data(),
                                static_cast<std::size_t>(rel.shape(1)), sig.data(),
                                static_cast<std::size_t>(sig.shape(1)), end.mutable_data(),
                                last_sigma.mutable_data());
    }
    return py::make_tuple(end, last_sigma);
}

}  // namespace

void register_tiles(py::module_& m) {
    m.def("tile_features", &tile_features, py::arg("defender"), py::arg("receiver"),
          py::arg("flight_frames"), py::arg("catch"), py::arg("context"), py::arg("is_back"),
          py::arg("rows"), py::arg("start"), py::arg("horizon"), py::arg("history"),
          py::arg("columns"),
          "(features, velocity): the kept feature columns of the tiles of the windows `rows`.");
    m.def("advance_tiles", &advance_tiles, py::arg("defender"), py::arg("sigma"),
          py::arg("flight_frames"), py::arg("rows"), py::arg("start"), py::arg("base_sigma"),
          py::arg("rel"), py::arg("sig"), py::arg("horizon"), py::arg("history"),
          "(end, last_sigma): write one tile's predicted positions and sigmas in place.");
}
