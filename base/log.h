// lode's own log records on stderr. Every record is one line: the message is
// formatted, every control character, DEL, invalid UTF-8 byte and Unicode
// line separator in it (including text a client sent: queries, label values,
// tenant IDs, error messages quoting them) is escaped, and the record ends
// with exactly one newline of its own. So no request content can start a new
// record, forge one, or glue onto the next. Each record is written with a
// single write(2), so concurrent records do not interleave. Thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace lode {

// `s` with \n \r \t and \\ written as two-character escapes, other bytes
// below 0x20, 0x7f and bytes that are not valid UTF-8 as \xNN, and U+0085,
// U+2028, U+2029 as \u0085, \u2028, \u2029. Valid UTF-8 text without those
// characters is returned unchanged.
std::string EscapeLogText(std::string_view s);

// Formats like printf, escapes the result with EscapeLogText, prefixes
// "lode: " and writes it as one record. `fmt` needs no trailing newline; one
// trailing newline in the formatted text is dropped, not escaped.
void Logf(const char* fmt, ...) __attribute__((format(printf, 1, 2)));

}  // namespace lode
