#include "base/find.h"

#include <string.h>

#include <cstdint>
#include <cstring>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace lode {

namespace {

// Candidates start at i in [0, last_start]; the ones the vector loops leave
// are tested here (and every one when there is no vector path).
const char* FindScalar(const char* h, size_t from, size_t last_start, const char* nd, size_t nl) {
  for (size_t i = from; i <= last_start; ++i) {
    if (h[i] == nd[0] && h[i + nl - 1] == nd[nl - 1] && std::memcmp(h + i, nd, nl) == 0)
      return h + i;
  }
  return nullptr;
}

#if defined(__x86_64__)
// Positions i..i+15: bit j set when h[i+j] == first and h[i+j+nl-1] == last.
const char* FindSse2(const char* h, size_t last_start, const char* nd, size_t nl, size_t* next) {
  const __m128i first = _mm_set1_epi8(nd[0]);
  const __m128i last = _mm_set1_epi8(nd[nl - 1]);
  size_t i = 0;
  // The load at i + nl - 1 reads up to i + nl + 14 <= last_start + nl - 1.
  for (; i + 15 <= last_start; i += 16) {
    const __m128i a = _mm_loadu_si128(reinterpret_cast<const __m128i*>(h + i));
    const __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i*>(h + i + nl - 1));
    uint32_t m = static_cast<uint32_t>(
        _mm_movemask_epi8(_mm_and_si128(_mm_cmpeq_epi8(a, first), _mm_cmpeq_epi8(b, last))));
    while (m != 0) {
      const size_t j = static_cast<size_t>(__builtin_ctz(m));
      if (std::memcmp(h + i + j + 1, nd + 1, nl - 2) == 0) return h + i + j;
      m &= m - 1;
    }
  }
  *next = i;
  return nullptr;
}

__attribute__((target("avx2"))) const char* FindAvx2(const char* h, size_t last_start,
                                                      const char* nd, size_t nl, size_t* next) {
  const __m256i first = _mm256_set1_epi8(nd[0]);
  const __m256i last = _mm256_set1_epi8(nd[nl - 1]);
  size_t i = 0;
  for (; i + 31 <= last_start; i += 32) {
    const __m256i a = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(h + i));
    const __m256i b = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(h + i + nl - 1));
    uint32_t m = static_cast<uint32_t>(_mm256_movemask_epi8(
        _mm256_and_si256(_mm256_cmpeq_epi8(a, first), _mm256_cmpeq_epi8(b, last))));
    while (m != 0) {
      const size_t j = static_cast<size_t>(__builtin_ctz(m));
      if (std::memcmp(h + i + j + 1, nd + 1, nl - 2) == 0) return h + i + j;
      m &= m - 1;
    }
  }
  *next = i;
  return nullptr;
}
#endif

}  // namespace

const char* FindBytes(const char* h, size_t hn, const char* nd, size_t nl) {
  if (nl == 0) return h;
  if (nl > hn) return nullptr;
  if (nl == 1) return static_cast<const char*>(memchr(h, static_cast<unsigned char>(nd[0]), hn));
  const size_t last_start = hn - nl;
  size_t next = 0;
#if defined(__x86_64__)
  static const bool avx2 = __builtin_cpu_supports("avx2");
  const char* found = avx2 ? FindAvx2(h, last_start, nd, nl, &next)
                           : FindSse2(h, last_start, nd, nl, &next);
  if (found != nullptr) return found;
#endif
  return FindScalar(h, next, last_start, nd, nl);
}

}  // namespace lode
