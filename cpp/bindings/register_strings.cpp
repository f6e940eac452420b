// Bindings of the string codes (strings.hpp): take each chunk's buffers through the
// buffer protocol and check their sizes with the GIL held, encode without it into
// int8 codes, widened to int16 or int32 only when the values outgrow them (the
// narrowest type that holds them, as the Python layer chose it).
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "ghosting/strings.hpp"

namespace py = pybind11;

namespace {

// A buffer argument's bytes, held (and released) with the GIL.
struct Bytes {
    std::unique_ptr<py::buffer_info> info;
    const std::uint8_t* data = nullptr;
    std::size_t size = 0;
};

Bytes bytes_of(const py::handle& obj, std::size_t index, const char* what, bool optional) {
    Bytes out;
    if (obj.is_none()) {
        if (!optional) {
            throw std::invalid_argument("string chunk " + std::to_string(index) + ": its " +
                                        what + " buffer is None");
        }
        return out;
    }
    if (!PyObject_CheckBuffer(obj.ptr())) {
        throw std::invalid_argument("string chunk " + std::to_string(index) + ": its " + what +
                                    " is not a buffer (got " +
                                    std::string(py::str(py::type::of(obj))) + ")");
    }
    out.info = std::make_unique<py::buffer_info>(py::reinterpret_borrow<py::buffer>(obj).request());
    if (PyBuffer_IsContiguous(out.info->view(), 'C') == 0) {
        throw std::invalid_argument("string chunk " + std::to_string(index) + ": its " + what +
                                    " buffer is not contiguous");
    }
    out.data = static_cast<const std::uint8_t*>(out.info->ptr);
    out.size = static_cast<std::size_t>(out.info->size) * static_cast<std::size_t>(out.info->itemsize);
    return out;
}

std::int64_t int_of(const py::handle& obj, std::size_t index, const char* what) {
    if (!PyLong_Check(obj.ptr())) {
        throw std::invalid_argument("string chunk " + std::to_string(index) + ": its " + what +
                                    " must be an int");
    }
    return obj.cast<std::int64_t>();
}

// The codes of `chunks` (rows laid back to back) into Code, starting at row `first`
// of chunk `chunk` (the rows before it are in out already); returns where it stopped
// (chunk, row): the end, or the first new value that Code cannot hold.
template <typename Code>
std::pair<std::size_t, std::int64_t> encode_from(ghosting::StringCodes& encoder,
                                                 const std::vector<ghosting::StringChunk>& chunks,
                                                 const std::vector<std::size_t>& starts,
                                                 std::size_t chunk, std::int64_t first,
                                                 Code* out) {
    for (; chunk < chunks.size(); ++chunk, first = 0) {
        const std::int64_t stop = encoder.encode(chunks[chunk], chunk, first, out + starts[chunk]);
        if (stop < chunks[chunk].length) {
            return {chunk, stop};
        }
    }
    return {chunk, 0};
}

// `codes` (the first `n` rows written) as a new array of the wider Wide.
template <typename Code, typename Wide>
py::array_t<Wide> widened(const py::array_t<Code>& codes, std::size_t n) {
    py::array_t<Wide> out(codes.size());
    const Code* src = codes.data();
    Wide* dst = out.mutable_data();
    for (std::size_t i = 0; i < n; ++i) {
        dst[i] = src[i];
    }
    return out;
}

py::tuple string_codes(const py::sequence& chunks_obj, bool large) {
    const std::size_t n_chunks = chunks_obj.size();
    std::vector<Bytes> held;  // released with the GIL, after the encoding
    held.reserve(3 * n_chunks);
    std::vector<ghosting::StringChunk> chunks;
    chunks.reserve(n_chunks);
    std::size_t total = 0;
    for (std::size_t k = 0; k < n_chunks; ++k) {
        const py::object item = chunks_obj[k];
        if (!py::isinstance<py::tuple>(item) || py::len(item) != 5) {
            throw std::invalid_argument("string chunk " + std::to_string(k) +
                                        " must be a tuple (validity, offsets, data, offset, "
                                        "length)");
        }
        const auto t = py::reinterpret_borrow<py::tuple>(item);
        ghosting::StringChunk c{};
        c.offset = int_of(t[3], k, "offset");
        c.length = int_of(t[4], k, "length");
        c.large = large;
        held.push_back(bytes_of(t[0], k, "validity", true));
        c.validity = held.back().data;
        c.validity_size = held.back().size;
        held.push_back(bytes_of(t[1], k, "offsets", c.length == 0));
        c.offsets = held.back().data;
        c.offsets_size = held.back().size;
        held.push_back(bytes_of(t[2], k, "data", true));
        c.data = held.back().data;
        c.data_size = held.back().size;
        ghosting::check_chunk(c, k);
        total += static_cast<std::size_t>(c.length);
        chunks.push_back(c);
    }
    std::vector<std::size_t> starts(n_chunks + 1, 0);
    for (std::size_t k = 0; k < n_chunks; ++k) {
        starts[k + 1] = starts[k] + static_cast<std::size_t>(chunks[k].length);
    }
    // int8 codes, widened (rarely) when the values outgrow them: no int32 pass for
    // the usual few values
    ghosting::StringCodes encoder;
    const auto len = static_cast<py::ssize_t>(total);
    py::array_t<std::int8_t> codes8(len);
    py::array out_codes = codes8;
    std::pair<std::size_t, std::int64_t> at{0, 0};
    {
        py::gil_scoped_release release;
        at = encode_from(encoder, chunks, starts, 0, 0, codes8.mutable_data());
    }
    if (at.first < n_chunks) {
        const std::size_t done = starts[at.first] + static_cast<std::size_t>(at.second);
        auto codes16 = widened<std::int8_t, std::int16_t>(codes8, done);
        out_codes = codes16;
        {
            py::gil_scoped_release release;
            at = encode_from(encoder, chunks, starts, at.first, at.second,
                             codes16.mutable_data());
        }
        if (at.first < n_chunks) {
            const std::size_t done16 = starts[at.first] + static_cast<std::size_t>(at.second);
            auto codes32 = widened<std::int16_t, std::int32_t>(codes16, done16);
            out_codes = codes32;
            py::gil_scoped_release release;
            at = encode_from(encoder, chunks, starts, at.first, at.second,
                             codes32.mutable_data());
        }
    }
    const auto& values = encoder.values();
    py::list out_values(values.size());
    for (std::size_t i = 0; i < values.size(); ++i) {
        PyObject* text = PyUnicode_DecodeUTF8(values[i].data(),
                                              static_cast<py::ssize_t>(values[i].size()), "strict");
        if (text == nullptr) {
            PyErr_Clear();
            throw std::invalid_argument("string value " + std::to_string(i) +
                                        " is not valid UTF-8");
        }
        PyList_SET_ITEM(out_values.ptr(), static_cast<py::ssize_t>(i), text);
    }
    return py::make_tuple(out_codes, out_values);
}

template <typename Code, typename Out>
py::array look_up_typed(const py::array& codes_arr, const std::vector<Out>& table) {
    const auto codes = py::array_t<Code, py::array::c_style>::ensure(codes_arr);
    if (!codes) {
        throw py::error_already_set();
    }
    const auto n = static_cast<std::size_t>(codes.size());
    py::array_t<Out> out(static_cast<py::ssize_t>(n));
    std::size_t stop = 0;
    {
        py::gil_scoped_release release;
        // a private copy: the codes index the table (numpy_args.hpp says why)
        const std::vector<Code> own(codes.data(), codes.data() + n);
        stop = ghosting::look_up_codes(own.data(), n, table.data(), table.size(),
                                       out.mutable_data());
    }
    if (stop < n) {
        throw std::invalid_argument("codes[" + std::to_string(stop) + "] is outside [-1, " +
                                    std::to_string(table.size() - 1) + ")");
    }
    return std::move(out);
}

// `table` (bool or int8, one entry per value then one for null) at each of `codes`
// (int8/int16/int32, 1-D, as string_codes gives them).
py::array look_up_codes(const py::object& codes_obj, const py::object& table_obj) {
    py::array codes = py::array::ensure(codes_obj);
    if (!codes || codes.ndim() != 1) {
        PyErr_Clear();
        throw std::invalid_argument("codes must be a 1-D array of string codes");
    }
    py::array table_arr = py::array::ensure(table_obj);
    if (!table_arr || table_arr.ndim() != 1 || table_arr.size() < 1) {
        PyErr_Clear();
        throw std::invalid_argument("table must be a 1-D array of at least one entry (null)");
    }
    const auto dt = table_arr.dtype();
    const bool is_bool = dt.is(py::dtype::of<bool>());
    if (!is_bool && !dt.is(py::dtype::of<std::int8_t>())) {
        throw std::invalid_argument("table must be bool or int8, got " +
                                    std::string(py::str(dt)));
    }
    // a private copy of the (small) table: the loop indexes it
    const auto bytes = py::array_t<std::int8_t, py::array::c_style | py::array::forcecast>::ensure(
        is_bool ? table_arr.attr("view")("int8") : table_arr);
    std::vector<std::int8_t> table(bytes.data(), bytes.data() + bytes.size());
    py::array out;
    const auto cdt = codes.dtype();
    if (cdt.is(py::dtype::of<std::int8_t>())) {
        out = look_up_typed<std::int8_t>(codes, table);
    } else if (cdt.is(py::dtype::of<std::int16_t>())) {
        out = look_up_typed<std::int16_t>(codes, table);
    } else if (cdt.is(py::dtype::of<std::int32_t>())) {
        out = look_up_typed<std::int32_t>(codes, table);
    } else {
        throw std::invalid_argument("codes must be int8, int16 or int32, got " +
                                    std::string(py::str(cdt)));
    }
    return is_bool ? py::array(out.attr("view")("bool")) : out;
}

}  // namespace

void register_strings(py::module_& m) {
    m.def("string_codes", &string_codes, py::arg("chunks"), py::arg("large"),
          "(codes, values): per row of the string chunks (validity, offsets, data, offset, "
          "length) a code into the distinct values in first-appearance order (-1: null).");
    m.def("look_up_codes", &look_up_codes, py::arg("codes"), py::arg("table"),
          "table[codes] in one pass, the last entry of table at -1 (null); table: bool or "
          "int8, one entry per value and one for null.");
}
