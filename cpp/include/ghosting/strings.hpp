// String codes: a string column as one integer code per row (-1 at nulls) into its
// distinct values, listed in the order they first appear (ARCHITECTURE.md, "String
// codes"). The column is read from the buffers of its Arrow chunks in place (a
// validity bitmap or none, the offsets, the character data), string (int32 offsets)
// or large_string (int64 offsets) alike.
//
// A tracking table repeats a value over each track's rows, so a row is first
// compared with the row before it (a run of equal values costs a length compare and
// a memcmp per row); the hash map of the values seen is asked only where a run
// starts.
//
// Memory safety: the buffers' sizes are checked against the chunk's offset and
// length before encoding (check_chunk). The offsets are read in place but each one
// exactly once, and every row's [start, end) is checked against the data buffer
// before its characters are read, so a caller rewriting a buffer meanwhile changes
// codes, never what memory is read. The distinct values are copied out (values()),
// so the dictionary never points into a caller's buffer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <limits>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <vector>

namespace ghosting {

// One chunk of an Arrow string or large_string array, as its raw buffers.
struct StringChunk {
    const std::uint8_t* validity;  // the validity bitmap (LSB first), or nullptr: all valid
    std::size_t validity_size;     // bytes
    const std::uint8_t* offsets;   // (offset + length + 1) int32 or int64 offsets
    std::size_t offsets_size;      // bytes
    const std::uint8_t* data;      // the characters (UTF-8), may be nullptr when empty
    std::size_t data_size;         // bytes
    std::int64_t offset;           // the array's offset into its buffers, in rows
    std::int64_t length;           // rows
    bool large;                    // int64 offsets (large_string) rather than int32
};

// Throws std::invalid_argument (naming chunk `index`) unless the buffers of `chunk`
// are large enough for its offset and length.
void check_chunk(const StringChunk& chunk, std::size_t index);

// The most distinct values codes of type Code may count (the Python layer's choice:
// int8 below 127 values, int16 below 32767, else int32).
template <typename Code>
constexpr std::size_t max_values() {
    return sizeof(Code) == 1 ? 126 : sizeof(Code) == 2 ? 32766 : 2147483647;
}

// The distinct values of the chunks encoded so far, and their codes.
class StringCodes {
  public:
    // Writes the codes of `chunk`'s rows first, first + 1, ... to out[first], ...,
    // extending the values with those it meets first, and returns the row it stopped
    // at: chunk.length, or the first row of a new value beyond max_values<Code>()
    // (encode that chunk on from there into wider codes). Code is int8_t, int16_t or
    // int32_t. The chunk must have passed check_chunk. Throws std::invalid_argument
    // (naming chunk `index` and the row) when a valid row's offsets decrease or point
    // beyond the data buffer.
    template <typename Code>
    std::int64_t encode(const StringChunk& chunk, std::size_t index, std::int64_t first,
                        Code* out);

    // The distinct values in the order they first appeared.
    const std::deque<std::string>& values() const { return values_; }

  private:
    template <typename Offset, typename Code>
    std::int64_t encode_rows(const StringChunk& chunk, std::size_t index, std::int64_t first,
                             Code* out);
    std::int32_t add(std::string_view value);

    std::deque<std::string> values_;  // a deque: the map's keys view these strings
    std::unordered_map<std::string_view, std::int32_t> index_;
};

// out[i] = table[codes[i]] for n codes, table[n_table - 1] where codes[i] is -1 (a
// null): one pass, whatever the number of values looked up (a test of a few values
// of a string column, a side code per value). Returns the index of the first code
// outside [-1, n_table - 1), or n when all are in range (out is then complete).
// `codes` must be the caller's private copy (the bindings copy them: they index).
// int8 and int16 codes index a full-range copy of the table, so that the loop
// needs no branch.
template <typename Code, typename Out>
std::size_t look_up_codes(const Code* codes, std::size_t n, const Out* table, std::size_t n_table,
                          Out* out) {
    const auto last = static_cast<std::int64_t>(n_table) - 1;
    if constexpr (sizeof(Code) <= 2) {
        using Index = std::make_unsigned_t<Code>;
        std::vector<Out> full(std::size_t{1} << (8 * sizeof(Code)), table[last]);
        // the non-negative codes' entries; the other bit patterns (negative codes) are
        // -1 (null, checked below) or out of range (refused below)
        const auto top = static_cast<std::int64_t>(std::numeric_limits<Code>::max());
        for (std::int64_t code = 0; code < last && code <= top; ++code) {
            full[static_cast<std::size_t>(code)] = table[code];
        }
        Code low = 0;
        Code high = -1;
        for (std::size_t i = 0; i < n; ++i) {  // vectorised: no branch
            low = codes[i] < low ? codes[i] : low;
            high = codes[i] > high ? codes[i] : high;
        }
        if (n > 0 && (low < -1 || high >= last)) {
            for (std::size_t i = 0; i < n; ++i) {
                if (codes[i] < -1 || codes[i] >= last) {
                    return i;
                }
            }
        }
        const Out* lookup = full.data();
        for (std::size_t i = 0; i < n; ++i) {
            out[i] = lookup[static_cast<Index>(codes[i])];
        }
        return n;
    } else {
        for (std::size_t i = 0; i < n; ++i) {
            const auto code = static_cast<std::int64_t>(codes[i]);
            if (code < -1 || code >= last) {
                return i;
            }
            out[i] = table[code < 0 ? last : code];
        }
        return n;
    }
}

}  // namespace ghosting
