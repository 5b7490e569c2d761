// Substring search for line filters: memmem's contract, faster on log text.
//
// glibc's generic memmem (a two-way search) was 10-12 % of a `|=` scan of
// stored chunks. This one tests 16 positions at once (SSE2, baseline on
// x86-64; 32 with AVX2 where the CPU has it) for the needle's first and last
// byte, and compares the rest only where both match: on log lines, where a
// pair of bytes a fixed distance apart is rare, that is one pass at memory
// speed (Wojciech Muła's "SIMD-friendly algorithms for substring searching").
#pragma once

#include <cstddef>

namespace lode {

// The first occurrence of needle[0, nl) in haystack[0, hn), or nullptr
// (an empty needle is found at haystack). Reads only inside both ranges.
const char* FindBytes(const char* haystack, size_t hn, const char* needle, size_t nl);

}  // namespace lode
