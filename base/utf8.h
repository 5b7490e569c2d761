// Small UTF-8 helpers with Go's semantics (unicode/utf8), shared by the
// parsers: an invalid byte decodes as U+FFFD with width 1.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace lode {

inline constexpr uint32_t kRuneError = 0xFFFD;

// utf8.DecodeRune(s[i:]).
inline uint32_t DecodeRune(std::string_view s, size_t i, size_t* width) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  *width = 1;
  if (b0 < 0x80) return b0;
  auto cont = [&](size_t k) {
    return i + k < s.size() && (static_cast<unsigned char>(s[i + k]) & 0xC0) == 0x80;
  };
  auto at = [&](size_t k) { return static_cast<uint32_t>(static_cast<unsigned char>(s[i + k])); };
  if (b0 >= 0xC2 && b0 <= 0xDF && cont(1)) {
    *width = 2;
    return ((b0 & 0x1Fu) << 6) | (at(1) & 0x3F);
  }
  if (b0 >= 0xE0 && b0 <= 0xEF && cont(1) && cont(2)) {
    const uint32_t b1 = at(1);
    if ((b0 == 0xE0 && b1 < 0xA0) || (b0 == 0xED && b1 > 0x9F)) return kRuneError;
    *width = 3;
    return ((b0 & 0x0Fu) << 12) | ((b1 & 0x3F) << 6) | (at(2) & 0x3F);
  }
  if (b0 >= 0xF0 && b0 <= 0xF4 && cont(1) && cont(2) && cont(3)) {
    const uint32_t b1 = at(1);
    if ((b0 == 0xF0 && b1 < 0x90) || (b0 == 0xF4 && b1 > 0x8F)) return kRuneError;
    *width = 4;
    return ((b0 & 0x07u) << 18) | ((b1 & 0x3F) << 12) | ((at(2) & 0x3F) << 6) | (at(3) & 0x3F);
  }
  return kRuneError;
}

// utf8.EncodeRune: surrogates and out-of-range values encode U+FFFD.
inline void AppendRune(uint32_t r, std::string* out) {
  if ((r >= 0xD800 && r <= 0xDFFF) || r > 0x10FFFF) r = kRuneError;
  if (r < 0x80) {
    out->push_back(static_cast<char>(r));
  } else if (r < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (r >> 6)));
    out->push_back(static_cast<char>(0x80 | (r & 0x3F)));
  } else if (r < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (r >> 12)));
    out->push_back(static_cast<char>(0x80 | ((r >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (r & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (r >> 18)));
    out->push_back(static_cast<char>(0x80 | ((r >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((r >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (r & 0x3F)));
  }
}

// bytes.ContainsRune(s, utf8.RuneError): an invalid byte or U+FFFD.
inline bool HasRuneError(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    if (static_cast<unsigned char>(s[i]) < 0x80) {
      ++i;
      continue;
    }
    size_t w;
    if (DecodeRune(s, i, &w) == kRuneError) return true;
    i += w;
  }
  return false;
}

// Loki's removeInvalidUtf mapping: every invalid byte and every U+FFFD
// becomes a space. Returns `s` itself when there is nothing to replace,
// else a view of *buf.
inline std::string_view ReplaceInvalidUtf8(std::string_view s, std::string* buf) {
  if (!HasRuneError(s)) return s;
  buf->clear();
  for (size_t i = 0; i < s.size();) {
    size_t w;
    uint32_t r = DecodeRune(s, i, &w);
    if (r == kRuneError) {
      buf->push_back(' ');
    } else {
      buf->append(s.substr(i, w));
    }
    i += w;
  }
  return *buf;
}

}  // namespace lode
