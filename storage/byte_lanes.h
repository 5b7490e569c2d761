// 16 bytes classified at once with SSE2 (baseline on x86-64): each helper
// returns a mask whose bit i is byte i of the lane. Shared by the line
// codec's tokenizer (line_codec.cc) and the gram filters (gram_filter.cc);
// defined only where __SSE2__ is, and callers keep a byte-by-byte path.
#pragma once

#if defined(__SSE2__)
#include <emmintrin.h>

#include <cstdint>

namespace lode::lanes {

inline __m128i Load(const void* p) { return _mm_loadu_si128(static_cast<const __m128i*>(p)); }

inline uint32_t Mask(__m128i m) { return static_cast<uint32_t>(_mm_movemask_epi8(m)); }

// Bytes equal to c.
inline uint32_t Equal(__m128i v, char c) { return Mask(_mm_cmpeq_epi8(v, _mm_set1_epi8(c))); }

// Bytes in [lo, lo + span] (unsigned).
inline uint32_t Between(__m128i v, char lo, char span) {
  const __m128i d = _mm_sub_epi8(v, _mm_set1_epi8(lo));
  return Mask(_mm_cmpeq_epi8(_mm_min_epu8(d, _mm_set1_epi8(span)), d));
}

inline uint32_t Digits(__m128i v) { return Between(v, '0', 9); }

// ASCII letters: (c | 0x20) - 'a' <= 25 exactly for A-Z and a-z.
inline uint32_t Letters(__m128i v) { return Between(_mm_or_si128(v, _mm_set1_epi8(0x20)), 'a', 25); }

// Bytes >= 0x80.
inline uint32_t High(__m128i v) { return Mask(v); }

}  // namespace lode::lanes

#endif
