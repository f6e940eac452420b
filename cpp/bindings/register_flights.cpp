// Bindings of the flight gatherer (flights.hpp): copy what the loop indexes with
// (the play offsets, the requests) and validate the copies with the GIL held; gather
// without it (numpy_args.hpp). The core copies each play's nfl_id and side before
// ordering its rows by them.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

#include "ghosting/flights.hpp"
#include "ghosting/tracks.hpp"
#include "numpy_args.hpp"

namespace py = pybind11;

namespace {

using ghosting_bindings::as_1d;
using ghosting_bindings::copy_1d;
using ghosting_bindings::copy_offsets;
using ghosting_bindings::require_length;
using Ids = std::vector<std::int64_t>;

// The table's columns, read in place (flights.hpp says how that stays memory-safe);
// the play offsets copied and validated.
struct Table {
    ghosting_bindings::CArray<std::int64_t> nfl_id;
    ghosting_bindings::CArray<std::int64_t> frame_id;
    ghosting_bindings::CArray<double> x;
    ghosting_bindings::CArray<double> y;
    ghosting_bindings::CArray<std::int8_t> side;
    Ids play_offsets;

    ghosting::FlightTable view() const {
        return {nfl_id.data(),
                frame_id.data(),
                x.data(),
                y.data(),
                side.data(),
                static_cast<std::size_t>(nfl_id.shape(0)),
                play_offsets.data(),
                play_offsets.size() - 1};
    }
};

ghosting_bindings::CArray<std::int8_t> side_of(const py::object& obj, std::size_t n) {
    py::array arr = py::array::ensure(obj);
    if (!arr || !arr.dtype().is(py::dtype::of<std::int8_t>())) {
        PyErr_Clear();
        throw std::invalid_argument("side must be an int8 array of side codes");
    }
    auto out = as_1d<std::int8_t>(arr, "side", "i");
    require_length(out, n, "side", "one per row, like nfl_id");
    return out;
}

Table table_of(const py::object& nfl_obj, const py::object& frame_obj, const py::object& x_obj,
               const py::object& y_obj, const py::object& side_obj,
               const py::object& play_offsets_obj) {
    auto nfl_id = as_1d<std::int64_t>(nfl_obj, "nfl_id", "iu");
    const auto n = static_cast<std::size_t>(nfl_id.shape(0));
    Table t{nfl_id,
            as_1d<std::int64_t>(frame_obj, "frame_id", "iu"),
            as_1d<double>(x_obj, "x", "fiu"),
            as_1d<double>(y_obj, "y", "fiu"),
            side_of(side_obj, n),
            copy_offsets(play_offsets_obj, "play_offsets")};
    require_length(t.frame_id, n, "frame_id", "one per row, like nfl_id");
    require_length(t.x, n, "x", "one per row, like nfl_id");
    require_length(t.y, n, "y", "one per row, like nfl_id");
    ghosting::validate_offsets(t.play_offsets.data(), t.play_offsets.size(), n, "play_offsets");
    return t;
}

Ids request(const py::object& obj, const char* name, std::size_t n) {
    Ids out = copy_1d<std::int64_t>(obj, name, "iu");
    if (out.size() != n) {
        throw std::invalid_argument(std::string(name) + " has length " +
                                    std::to_string(out.size()) + ", expected " +
                                    std::to_string(n) + " (one per window, like play)");
    }
    return out;
}

py::tuple gather_flights(const py::object& nfl_obj, const py::object& frame_obj,
                         const py::object& x_obj, const py::object& y_obj,
                         const py::object& side_obj, const py::object& play_offsets_obj,
                         const py::object& play_obj, const py::object& defender_obj,
                         const py::object& receiver_obj, const py::object& first_obj,
                         const py::object& pass_forward_obj, const py::object& end_obj) {
    const Table t = table_of(nfl_obj, frame_obj, x_obj, y_obj, side_obj, play_offsets_obj);
    const Ids play = copy_1d<std::int64_t>(play_obj, "play", "iu");
    const std::size_t n = play.size();
    const Ids defender = request(defender_obj, "defender", n);
    const Ids receiver = request(receiver_obj, "receiver", n);
    const Ids first = request(first_obj, "first_frame", n);
    const Ids pass_forward = request(pass_forward_obj, "pass_forward_frame", n);
    const Ids end = request(end_obj, "end_frame", n);
    const ghosting::FlightRequests req{play.data(),  defender.data(),     receiver.data(),
                                       first.data(), pass_forward.data(), end.data(),
                                       n};
    const ghosting::FlightTable view = t.view();
    const Ids offsets = ghosting::flight_offsets(req, view.n_plays);
    const auto n_samples = static_cast<py::ssize_t>(offsets.back());

    py::array_t<double> defender_xy({n_samples, static_cast<py::ssize_t>(2)});
    py::array_t<double> receiver_xy({n_samples, static_cast<py::ssize_t>(2)});
    py::array_t<double> context({static_cast<py::ssize_t>(n), static_cast<py::ssize_t>(4)});
    py::array_t<std::uint8_t> flags(static_cast<py::ssize_t>(n));
    py::array_t<std::int64_t> offsets_out(static_cast<py::ssize_t>(offsets.size()));
    std::memcpy(offsets_out.mutable_data(), offsets.data(), offsets.size() * sizeof(std::int64_t));
    {
        py::gil_scoped_release release;
        ghosting::gather_flights(view, req, offsets.data(), defender_xy.mutable_data(),
                                 receiver_xy.mutable_data(), context.mutable_data(),
                                 flags.mutable_data());
    }
    return py::make_tuple(defender_xy, receiver_xy, offsets_out, context, flags);
}

py::tuple gather_tracks(const py::object& nfl_obj, const py::object& frame_obj,
                        const py::object& x_obj, const py::object& y_obj,
                        const py::object& side_obj, const py::object& play_offsets_obj,
                        const py::object& play_obj, const py::object& player_obj,
                        const py::object& first_obj, const py::object& end_obj) {
    const Table t = table_of(nfl_obj, frame_obj, x_obj, y_obj, side_obj, play_offsets_obj);
    const Ids play = copy_1d<std::int64_t>(play_obj, "play", "iu");
    const std::size_t n = play.size();
    const Ids player = request(player_obj, "nfl", n);
    const Ids first = request(first_obj, "first_frame", n);
    const Ids end = request(end_obj, "end_frame", n);
    const ghosting::FlightRequests req{play.data(),  player.data(), player.data(),
                                       first.data(), first.data(),  end.data(),
                                       n};
    const ghosting::FlightTable view = t.view();
    const Ids offsets = ghosting::flight_offsets(req, view.n_plays);
    const auto len = static_cast<py::ssize_t>(n);
    py::array_t<double> xy({static_cast<py::ssize_t>(offsets.back()), static_cast<py::ssize_t>(2)});
    py::array_t<std::int64_t> n_rows(len), first_row(len);
    py::array_t<std::uint8_t> consecutive(len), nonfinite(len);
    py::array_t<std::int64_t> offsets_out(static_cast<py::ssize_t>(offsets.size()));
    std::memcpy(offsets_out.mutable_data(), offsets.data(), offsets.size() * sizeof(std::int64_t));
    {
        py::gil_scoped_release release;
        ghosting::gather_tracks(view, req, offsets.data(), xy.mutable_data(),
                                n_rows.mutable_data(), first_row.mutable_data(),
                                consecutive.mutable_data(), nonfinite.mutable_data());
    }
    return py::make_tuple(xy, offsets_out, n_rows, first_row, consecutive.attr("view")("bool"),
                          nonfinite.attr("view")("bool"));
}

template <typename T>
py::array_t<T> to_numpy(const std::vector<T>& v) {
    py::array_t<T> out(static_cast<py::ssize_t>(v.size()));
    if (!v.empty()) {
        std::memcpy(out.mutable_data(), v.data(), v.size() * sizeof(T));
    }
    return out;
}

py::tuple play_rosters(const py::object& nfl_obj, const py::object& side_obj,
                       const py::object& play_offsets_obj, const py::object& plays_obj) {
    const auto nfl_id = as_1d<std::int64_t>(nfl_obj, "nfl_id", "iu");
    const auto n = static_cast<std::size_t>(nfl_id.shape(0));
    const auto side = side_of(side_obj, n);
    const Ids play_offsets = copy_offsets(play_offsets_obj, "play_offsets");
    ghosting::validate_offsets(play_offsets.data(), play_offsets.size(), n, "play_offsets");
    const std::size_t n_plays = play_offsets.size() - 1;
    const Ids plays = copy_1d<std::int64_t>(plays_obj, "plays", "iu");
    for (std::size_t k = 0; k < plays.size(); ++k) {
        if (plays[k] < 0 || static_cast<std::uint64_t>(plays[k]) >= n_plays) {
            throw std::invalid_argument("plays[" + std::to_string(k) + "] = " +
                                        std::to_string(plays[k]) + " is not in [0, " +
                                        std::to_string(n_plays) + ")");
        }
    }
    const ghosting::FlightTable view{nfl_id.data(),       nullptr, nullptr, nullptr, side.data(),
                                     n,                   play_offsets.data(), n_plays};
    Ids roster_offsets;
    Ids roster_nfl_id;
    std::vector<std::int8_t> roster_side;
    {
        py::gil_scoped_release release;
        ghosting::play_rosters(view, plays, roster_offsets, roster_nfl_id, roster_side);
    }
    return py::make_tuple(to_numpy(roster_offsets), to_numpy(roster_nfl_id),
                          to_numpy(roster_side));
}

py::array_t<double> pad_windows(const py::object& xy_obj, const py::object& offsets_obj,
                                const py::object& index_obj, py::ssize_t width) {
    const auto xy = ghosting_bindings::as_points(xy_obj, "xy");
    const Ids offsets = copy_offsets(offsets_obj, "offsets");
    const std::size_t n_windows =
        ghosting_bindings::check_offsets(offsets, static_cast<std::size_t>(xy.shape(0)), "offsets");
    const Ids index = copy_1d<std::int64_t>(index_obj, "index", "iu");
    if (width < 0) {
        throw std::invalid_argument("width must be >= 0, got " + std::to_string(width));
    }
    for (std::size_t k = 0; k < index.size(); ++k) {
        if (index[k] < 0 || static_cast<std::uint64_t>(index[k]) >= n_windows) {
            throw std::invalid_argument("index[" + std::to_string(k) + "] = " +
                                        std::to_string(index[k]) + " is not in [0, " +
                                        std::to_string(n_windows) + ")");
        }
        const std::int64_t length = offsets[index[k] + 1] - offsets[index[k]];
        if (length > width) {
            throw std::invalid_argument("window " + std::to_string(index[k]) + " has " +
                                        std::to_string(length) + " samples, more than width " +
                                        std::to_string(width));
        }
    }
    const auto m = static_cast<py::ssize_t>(index.size());
    py::array_t<double> out({m, width, static_cast<py::ssize_t>(2)});
    {
        py::gil_scoped_release release;
        ghosting::pad_windows(xy.data(), offsets.data(), index.data(), index.size(),
                              static_cast<std::size_t>(width), out.mutable_data());
    }
    return out;
}

}  // namespace

void register_flights(py::module_& m) {
    m.attr("SIDE_OFFENSE") = ghosting::kSideOffense;
    m.attr("SIDE_DEFENSE") = ghosting::kSideDefense;
    m.attr("FLIGHT_DEFENDER_IN_PLAY") = ghosting::kDefenderInPlay;
    m.attr("FLIGHT_DEFENDER_AT_PASS_FORWARD") = ghosting::kDefenderAtPassForward;
    m.attr("FLIGHT_RECEIVER_IN_PLAY") = ghosting::kReceiverInPlay;
    m.attr("FLIGHT_RECEIVER_AT_PASS_FORWARD") = ghosting::kReceiverAtPassForward;
    m.def("gather_flights", &gather_flights, py::arg("nfl_id"), py::arg("frame_id"),
          py::arg("x"), py::arg("y"), py::arg("side"), py::arg("play_offsets"), py::arg("play"),
          py::arg("defender"), py::arg("receiver"), py::arg("first_frame"),
          py::arg("pass_forward_frame"), py::arg("end_frame"),
          "(defender_xy, receiver_xy, offsets, context, flags) of each requested window.");
    m.def("gather_tracks", &gather_tracks, py::arg("nfl_id"), py::arg("frame_id"), py::arg("x"),
          py::arg("y"), py::arg("side"), py::arg("play_offsets"), py::arg("play"), py::arg("nfl"),
          py::arg("first_frame"), py::arg("end_frame"),
          "(xy, offsets, n_rows, first_row, consecutive, nonfinite) of each requested track.");
    m.def("pad_windows", &pad_windows, py::arg("xy"), py::arg("offsets"), py::arg("index"),
          py::arg("width"),
          "Windows index of flat (n, 2) points cut by offsets, as (m, width, 2), NaN-padded.");
    m.def("play_rosters", &play_rosters, py::arg("nfl_id"), py::arg("side"),
          py::arg("play_offsets"), py::arg("plays"),
          "(roster_offsets, nfl_id, side): the players of the plays `plays`, ascending nfl_id.");
}
