#include "ghosting/strings.hpp"

#include <cstring>
#include <limits>
#include <stdexcept>
#include <string>

namespace ghosting {

namespace {

std::string chunk_name(std::size_t index) { return "string chunk " + std::to_string(index); }

// Offset `i` of the buffer, read once (memcpy: the buffer need not be aligned).
template <typename Offset>
std::int64_t offset_at(const std::uint8_t* offsets, std::int64_t i) {
    Offset value;
    std::memcpy(&value, offsets + static_cast<std::size_t>(i) * sizeof(Offset), sizeof(Offset));
    return static_cast<std::int64_t>(value);
}

template <typename Word>
Word load(const std::uint8_t* p) {
    Word w;
    std::memcpy(&w, p, sizeof(Word));
    return w;
}

// a[0, n) == b[0, n), inline and with few branches (the values compared are short):
// words that may overlap, never a byte beyond n.
inline bool same_bytes(const std::uint8_t* a, const std::uint8_t* b, std::size_t n) {
    if (n >= 8) {
        for (std::size_t k = 0; k + 8 < n; k += 8) {
            if (load<std::uint64_t>(a + k) != load<std::uint64_t>(b + k)) {
                return false;
            }
        }
        return load<std::uint64_t>(a + n - 8) == load<std::uint64_t>(b + n - 8);
    }
    if (n >= 4) {
        return ((load<std::uint32_t>(a) ^ load<std::uint32_t>(b)) |
                (load<std::uint32_t>(a + n - 4) ^ load<std::uint32_t>(b + n - 4))) == 0;
    }
    if (n == 0) {
        return true;
    }
    // 1 to 3 bytes: the first, the middle and the last cover them all
    return a[0] == b[0] && a[n >> 1] == b[n >> 1] && a[n - 1] == b[n - 1];
}

// The length of the common prefix of a[0, n) and b[0, n) (n when equal): words,
// then bytes. b may overlap a (b = a - size compares rows with their predecessors).
inline std::size_t common_prefix(const std::uint8_t* a, const std::uint8_t* b, std::size_t n) {
    std::size_t k = 0;
    for (; k + 8 <= n; k += 8) {
        if (load<std::uint64_t>(a + k) != load<std::uint64_t>(b + k)) {
            break;
        }
    }
    for (; k < n; ++k) {
        if (a[k] != b[k]) {
            return k;
        }
    }
    return n;
}

// Rows looked at ahead of a run at once.
constexpr std::int64_t kBlock = 32;

[[noreturn]] void throw_bad_offsets(std::size_t index, std::int64_t row, std::int64_t start,
                                   std::int64_t end, std::int64_t data_size) {
    throw std::invalid_argument(chunk_name(index) + ": row " + std::to_string(row) +
                                " has offsets [" + std::to_string(start) + ", " +
                                std::to_string(end) + ") outside its data buffer of " +
                                std::to_string(data_size) + " bytes");
}

}  // namespace

void check_chunk(const StringChunk& c, std::size_t index) {
    if (c.offset < 0 || c.length < 0) {
        throw std::invalid_argument(chunk_name(index) + ": negative offset or length");
    }
    const auto width = static_cast<std::uint64_t>(c.large ? sizeof(std::int64_t)
                                                          : sizeof(std::int32_t));
    const auto rows = static_cast<std::uint64_t>(c.offset) + static_cast<std::uint64_t>(c.length);
    if (rows >= (std::numeric_limits<std::uint64_t>::max() / width) - 1) {
        throw std::invalid_argument(chunk_name(index) + ": offset + length too large");
    }
    if (c.length == 0) {
        return;  // nothing is read
    }
    if (c.offsets == nullptr || c.offsets_size < (rows + 1) * width) {
        throw std::invalid_argument(chunk_name(index) + ": its offsets buffer holds " +
                                    std::to_string(c.offsets_size) + " bytes, " +
                                    std::to_string((rows + 1) * width) + " needed for " +
                                    std::to_string(rows) + " rows");
    }
    if (c.validity != nullptr && c.validity_size < (rows + 7) / 8) {
        throw std::invalid_argument(chunk_name(index) + ": its validity bitmap holds " +
                                    std::to_string(c.validity_size) + " bytes, " +
                                    std::to_string((rows + 7) / 8) + " needed");
    }
    if (c.data == nullptr && c.data_size != 0) {
        throw std::invalid_argument(chunk_name(index) + ": no data buffer but a data size");
    }
}

std::int32_t StringCodes::add(std::string_view value) {
    const auto code = static_cast<std::int32_t>(values_.size());
    values_.emplace_back(value);
    index_.emplace(std::string_view(values_.back()), code);
    return code;
}

template <typename Code>
std::int64_t StringCodes::encode(const StringChunk& c, std::size_t index, std::int64_t first,
                                 Code* out) {
    if (first >= c.length) {
        return c.length;
    }
    return c.large ? encode_rows<std::int64_t, Code>(c, index, first, out)
                   : encode_rows<std::int32_t, Code>(c, index, first, out);
}

template <typename Offset, typename Code>
std::int64_t StringCodes::encode_rows(const StringChunk& c, std::size_t index, std::int64_t first,
                                      Code* out) {
    // locals only in the loop: int8 codes are a char type, which may alias anything,
    // so a write to out would make the compiler reload every field of `c`
    const std::size_t most = max_values<Code>();
    const auto data_size = static_cast<std::int64_t>(c.data_size);
    const std::uint8_t* const validity = c.validity;
    const std::uint8_t* const offsets = c.offsets;
    const std::uint8_t* const data = c.data;
    const std::int64_t offset = c.offset;
    const std::int64_t length = c.length;
    std::int64_t start = offset_at<Offset>(offsets, offset + first);
    // the run so far: its value's characters (in the caller's buffer) and code
    const std::uint8_t* run_chars = nullptr;
    std::int64_t run_size = -1;  // -1: no run of a value (the first row, or a null)
    Code run_code = -1;
    for (std::int64_t i = first; i < length; ++i) {
        const std::int64_t row = offset + i;
        const std::int64_t end = offset_at<Offset>(offsets, row + 1);
        if (validity != nullptr &&
            ((validity[static_cast<std::size_t>(row >> 3)] >> (row & 7)) & 1) == 0) {
            out[i] = -1;
            run_size = -1;
            start = end;
            continue;
        }
        if (start < 0 || end < start || end > data_size) {
            throw_bad_offsets(index, i, start, end, data_size);
        }
        const std::int64_t size = end - start;
        // no data buffer: every value is empty (data_size 0), no pointer arithmetic
        const std::uint8_t* chars = data == nullptr ? nullptr : data + start;
        if (size != run_size || !same_bytes(chars, run_chars, static_cast<std::size_t>(size))) {
            const std::string_view value(reinterpret_cast<const char*>(chars),
                                         static_cast<std::size_t>(size));
            const auto found = index_.find(value);
            if (found != index_.end()) {
                run_code = static_cast<Code>(found->second);
            } else if (values_.size() < most) {
                run_code = static_cast<Code>(add(value));
            } else {
                return i;  // a new value whose code Code cannot hold: widen, go on from i
            }
            run_chars = chars;
            run_size = size;
        }
        out[i] = run_code;
        start = end;
        // The run goes on while the next rows have its size and its bytes. Those rows
        // lie back to back after row i, so a block of them equals the run's value when
        // its bytes equal the bytes one value earlier: one comparison per block.
        for (;;) {
            const std::int64_t stop = length - i - 1 < kBlock ? length : i + 1 + kBlock;
            std::int64_t j = i + 1;
            std::int64_t pos = start;  // the end of the rows i + 1 .. j - 1
            for (; j < stop; ++j) {
                const std::int64_t r = offset + j;
                if (validity != nullptr &&
                    ((validity[static_cast<std::size_t>(r >> 3)] >> (r & 7)) & 1) == 0) {
                    break;
                }
                const std::int64_t next = offset_at<Offset>(offsets, r + 1);
                if (next - pos != run_size || next > data_size) {
                    break;  // row j is looked at again, one by one
                }
                pos = next;
            }
            const std::int64_t sized = j - i - 1;  // rows of the run's size
            std::int64_t same = sized;
            if (run_size > 0 && sized > 0) {
                const auto bytes = static_cast<std::size_t>(pos - start);
                const std::size_t equal =
                    common_prefix(data + start, data + start - run_size, bytes);
                same = static_cast<std::int64_t>(equal / static_cast<std::size_t>(run_size));
            }
            for (std::int64_t k = 1; k <= same; ++k) {
                out[i + k] = run_code;
            }
            i += same;
            start += same * run_size;
            if (same < sized || j < stop || j == length) {
                break;  // a different row next (or none): back to one by one
            }
        }
    }
    return length;
}

template std::int64_t StringCodes::encode<std::int8_t>(const StringChunk&, std::size_t,
                                                       std::int64_t, std::int8_t*);
template std::int64_t StringCodes::encode<std::int16_t>(const StringChunk&, std::size_t,
                                                        std::int64_t, std::int16_t*);
template std::int64_t StringCodes::encode<std::int32_t>(const StringChunk&, std::size_t,
                                                        std::int64_t, std::int32_t*);

}  // namespace ghosting
