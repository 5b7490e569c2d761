// Little helpers for the on-disk encodings: varints, zigzag, fixed-width
// big-endian integers (used in keys so that byte order is numeric order).
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace lode {

inline void PutVarint(std::string* dst, uint64_t v) {
  while (v >= 0x80) {
    dst->push_back(static_cast<char>(v | 0x80));
    v >>= 7;
  }
  dst->push_back(static_cast<char>(v));
}

// Reads a varint from *p (< end). Returns false on truncation.
inline bool GetVarint(const char** p, const char* end, uint64_t* v) {
  uint64_t r = 0;
  for (int shift = 0; shift <= 63 && *p < end; shift += 7) {
    uint64_t b = static_cast<unsigned char>(**p);
    ++*p;
    r |= (b & 0x7f) << shift;
    if (!(b & 0x80)) {
      *v = r;
      return true;
    }
  }
  return false;
}

inline uint64_t ZigZag(int64_t v) {
  return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
}
inline int64_t UnZigZag(uint64_t v) {
  return static_cast<int64_t>(v >> 1) ^ -static_cast<int64_t>(v & 1);
}

inline void PutBE64(std::string* dst, uint64_t v) {
  for (int i = 7; i >= 0; --i) dst->push_back(static_cast<char>(v >> (i * 8)));
}
inline void PutBE32(std::string* dst, uint32_t v) {
  for (int i = 3; i >= 0; --i) dst->push_back(static_cast<char>(v >> (i * 8)));
}
inline uint64_t GetBE64(const char* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}
inline uint32_t GetBE32(const char* p) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}
// Signed timestamps in keys: flip the sign bit so that order is preserved.
inline void PutTsKey(std::string* dst, int64_t ts) {
  PutBE64(dst, static_cast<uint64_t>(ts) ^ (1ULL << 63));
}
inline int64_t GetTsKey(const char* p) { return static_cast<int64_t>(GetBE64(p) ^ (1ULL << 63)); }

inline void PutLengthPrefixed(std::string* dst, std::string_view s) {
  PutVarint(dst, s.size());
  dst->append(s.data(), s.size());
}
inline bool GetLengthPrefixed(const char** p, const char* end, std::string_view* out) {
  uint64_t n;
  if (!GetVarint(p, end, &n) || static_cast<uint64_t>(end - *p) < n) return false;
  *out = std::string_view(*p, n);
  *p += n;
  return true;
}

}  // namespace lode
