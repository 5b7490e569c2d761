// Line codec: the log-aware encoding of the lines of a chunk block (chunk
// format v3, storage/chunk.h), in the spirit of CLP (Rodrigues et al., OSDI
// 2021). Each line is split into *tokens* (maximal runs of ASCII letters,
// digits and '_'; a double-quoted string holding a space, or a '/' but not
// at its start (a message, a user agent, a URL), is one token, so free text
// does not multiply templates; of a number followed by letters,
// "23ms", the number is the token) and the text between them; the text
// between tokens, with a hole per token, is the line's *template*. A block stores its distinct
// templates once, a template id per line, and the tokens in columns, one per
// (template, hole), so that the values of one field sit together. Tokens are
// typed: decimal numbers become varints, long hex strings become their bytes,
// and an ISO-8601 date-time that is the entry's own timestamp (up to a fixed
// offset, e.g. a time zone) becomes a zigzag delta that is usually 0. The
// whole section is then compressed with the rest of the block (zstd): the
// columns compress far better than the interleaved lines, and the templates
// remove zstd's per-field match overhead.
//
// Every line round-trips byte for byte, whatever it holds (invalid UTF-8,
// NUL bytes, empty lines): the encoder only picks a typed form for a token
// when printing it back gives the same bytes.
//
//   section  := text_bytes:varint n_templates:varint template{n_templates}
//               template_id:varint{n_lines}
//               column_size:varint{n_columns} column_bytes{n_columns}
//   template := n_holes:varint piece:len-prefixed (kind:u8 piece:len-prefixed){n_holes}
//   columns  := one per (template, hole), in template order then hole order;
//               a column holds one value per line of its template, in line order
//   kind 0 (token): value := v:varint with v & 3 =
//               0: the decimal number v >> 2 (no leading zeros)
//               1: v >> 2 bytes of text follow
//               2: v >> 2 bytes follow, printed as lowercase hex (2 digits each)
//               3: the same, uppercase hex
//   kind 0x80 | 0x40 ('T' between date and time, else ' ') | 0x20 (',' before
//             the fraction, else '.') | digits (0..9 fraction digits):
//             value := delta:zigzag-varint; the text is the date-time
//             YYYY-MM-DD?hh:mm:ss[.f] (UTC, years 1900..2199) of the instant
//             floor(entry_ts / 10^(9-digits)) + delta, in units of 10^-digits s.
//   kind 0x90: the same in whole seconds, printed dd/Mon/yyyy:hh:mm:ss (the
//             common log format of nginx and Apache);
//   kind 0x91: the same, printed Mon _d hh:mm:ss (BSD syslog; no year).
//
// text_bytes is the sum of the lengths of the lines (lets the reader size its
// buffer once). A line is the template's pieces with its holes filled in.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.h"

namespace lode {

struct OwnedEntry;

// Appends the section of the lines of entries [b, e) to *out. Not
// thread-safe state is kept per thread (column buffers, template map).
void EncodeLines(const OwnedEntry* b, const OwnedEntry* e, std::string* out);

// Reads text_bytes of a section (the bytes DecodeLines writes).
Status LinesTextSize(std::string_view section, uint64_t* text_bytes);

// Bytes past the end of DecodeLines' section that may be read, and past
// dst + dst_size that may be written (short copies move 16 bytes at once).
constexpr size_t kLineCodecSlack = 16;

// Decodes the n lines of `section` whose entries have timestamps ts[0..n):
// writes their text into dst[0..dst_size) (dst_size must be text_bytes) and
// views into it into lines[0..n). The kLineCodecSlack bytes after the section
// must be readable and those after dst + dst_size writable (their contents
// are unspecified afterwards). Corrupt input is an error, never a crash.
Status DecodeLines(std::string_view section, const int64_t* ts, size_t n, char* dst,
                   uint64_t dst_size, std::string_view* lines);

}  // namespace lode
