#include "storage/gram_filter.h"

#include <algorithm>
#include <bit>
#include <cstring>

#include <endian.h>

#include "storage/byte_lanes.h"

namespace lode {

namespace {

constexpr uint32_t kMaxBits = 1u << GramFilterBuilder::kMaxLog2Bits;

// 256-entry table: 1 for gram bytes.
struct LetterTable {
  bool is[256];
  constexpr LetterTable() : is() {
    for (int c = 0; c < 256; ++c)
      is[c] = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80;
  }
};
constexpr LetterTable kLetters;

// Multiplicative hash; the top bits are the well-mixed ones.
inline uint32_t Hash(uint32_t gram) {
  return (gram * 0x9E3779B1u) >> (32 - GramFilterBuilder::kMaxLog2Bits);
}

// Calls f(hash) for every gram of s, byte by byte (needles: a few bytes).
template <typename F>
inline void ForEachGram(std::string_view s, F&& f) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const auto* end = p + s.size();
  uint32_t gram = 0;
  int run = 0;
  for (; p < end; ++p) {
    unsigned char c = *p;
    if (!kLetters.is[c]) {
      run = 0;
      continue;
    }
    gram = (gram >> 8) | (static_cast<uint32_t>(c) << 24);
    if (++run >= 4) f(Hash(gram));
  }
}

// Bit i set: p[i] is a gram byte, for the 64 bytes at p.
inline uint64_t LetterBits(const unsigned char* p) {
#if defined(__SSE2__)
  uint64_t bits = 0;
  for (int k = 0; k < 4; ++k) {
    const __m128i v = lanes::Load(p + 16 * k);
    bits |= static_cast<uint64_t>(lanes::Letters(v) | lanes::High(v)) << (16 * k);
  }
  return bits;
#else
  uint64_t bits = 0;
  for (int i = 0; i < 64; ++i) bits |= static_cast<uint64_t>(kLetters.is[p[i]]) << i;
  return bits;
#endif
}

// Bit counts use the popcnt instruction where the CPU has it (the portable
// build's std::popcount is a libgcc call): each loop is written once and
// always inlined, into a popcnt-enabled copy and a plain one.
bool HasPopcnt() {
#if defined(__x86_64__)
  static const bool popcnt = __builtin_cpu_supports("popcnt");
  return popcnt;
#else
  return false;
#endif
}

// The set bits of (a[i] | b[i]) for i < n.
[[gnu::always_inline]] inline size_t OrOnesLoop(const uint64_t* a, const uint64_t* b, size_t n) {
  size_t ones = 0;
  for (size_t i = 0; i < n; ++i) ones += static_cast<size_t>(std::popcount(a[i] | b[i]));
  return ones;
}

// The set bits of fold[i & mask] for the indices i, zeroing those words
// (a word shared by several indices counts once).
[[gnu::always_inline]] inline size_t TakeOnesLoop(uint64_t* fold, const uint16_t* idx, size_t k,
                                                  size_t mask) {
  size_t ones = 0;
  for (size_t j = 0; j < k; ++j) {
    uint64_t& f = fold[idx[j] & mask];
    ones += static_cast<size_t>(std::popcount(f));
    f = 0;
  }
  return ones;
}

#if defined(__x86_64__)
__attribute__((target("popcnt"))) size_t OrOnesPopcnt(const uint64_t* a, const uint64_t* b,
                                                      size_t n) {
  return OrOnesLoop(a, b, n);
}
__attribute__((target("popcnt"))) size_t TakeOnesPopcnt(uint64_t* fold, const uint16_t* idx,
                                                        size_t k, size_t mask) {
  return TakeOnesLoop(fold, idx, k, mask);
}
#endif

size_t OrOnes(const uint64_t* a, const uint64_t* b, size_t n) {
#if defined(__x86_64__)
  if (HasPopcnt()) return OrOnesPopcnt(a, b, n);
#endif
  return OrOnesLoop(a, b, n);
}

size_t TakeOnes(uint64_t* fold, const uint16_t* idx, size_t k, size_t mask) {
#if defined(__x86_64__)
  if (HasPopcnt()) return TakeOnesPopcnt(fold, idx, k, mask);
#endif
  return TakeOnesLoop(fold, idx, k, mask);
}

}  // namespace

// Lines are classified 64 bytes at a time into a bitmap of gram bytes; a
// gram ends at every byte whose bit and the 3 bits before it are set, so
// only those positions are loaded and hashed (no branch per byte).
void GramFilterBuilder::Add(std::string_view line) {
  const auto* p = reinterpret_cast<const unsigned char*>(line.data());
  const size_t n = line.size();
  uint64_t* w = words_.data();
  uint64_t prev = 0;
  for (size_t off = 0; off < n; off += 64) {
    uint64_t bits;
    if (n - off >= 64) {
      bits = LetterBits(p + off);
    } else {
      unsigned char tail[64] = {};  // zeros are not gram bytes
      std::memcpy(tail, p + off, n - off);
      bits = LetterBits(tail);
    }
    uint64_t ends = bits & ((bits << 1) | (prev >> 63)) & ((bits << 2) | (prev >> 62)) &
                    ((bits << 3) | (prev >> 61));
    prev = bits;
    while (ends != 0) {
      const size_t i = off + static_cast<size_t>(std::countr_zero(ends)) - 3;
      ends &= ends - 1;
      uint32_t gram;
      std::memcpy(&gram, p + i, 4);  // little-endian: the last byte on top
      const uint32_t h = Hash(le32toh(gram));
      Touch(h >> 6);
      w[h >> 6] |= uint64_t{1} << (h & 63);
    }
  }
}

GramFilterBuilder::GramFilterBuilder() : words_(kMaxBits / 64, 0), fold_(kMaxBits / 64, 0) {
  dirty_.reserve(words_.size());
}

void GramFilterBuilder::Clear() {
  if (dirty_.size() * 8 < words_.size()) {
    for (uint16_t i : dirty_) words_[i] = 0;
  } else {
    std::fill(words_.begin(), words_.end(), 0);
  }
  dirty_.clear();
}

void GramFilterBuilder::Merge(const GramFilterBuilder& other) {
  for (uint16_t i : other.dirty_) {
    Touch(i);
    words_[i] |= other.words_[i];
  }
}

void GramFilterBuilder::Finish(std::string* out) const {
  // Fold while the halved filter stays at most a quarter full (a gram that
  // is absent then passes with probability <= 1/4). At n words, word j of
  // the folded filter is the OR of the words i with i mod n == j.
  int log2 = kMaxLog2Bits;
  size_t n = words_.size();
  const bool sparse = dirty_.size() * 8 < words_.size();
  std::vector<uint64_t> dense;
  if (sparse) {
    // Only the non-zero words take part; fold_ is all zeros between uses.
    while (log2 > kMinLog2Bits) {
      const size_t half = n / 2;
      for (uint16_t i : dirty_) fold_[i & (half - 1)] |= words_[i];
      const size_t folded_ones = TakeOnes(fold_.data(), dirty_.data(), dirty_.size(), half - 1);
      if (folded_ones * 4 > half * 64) break;
      n = half;
      --log2;
    }
    for (uint16_t i : dirty_) fold_[i & (n - 1)] |= words_[i];
  } else {
    dense = words_;
    while (log2 > kMinLog2Bits) {
      const size_t half = n / 2;
      const size_t folded_ones = OrOnes(dense.data(), dense.data() + half, half);
      if (folded_ones * 4 > half * 64) break;
      for (size_t i = 0; i < half; ++i) dense[i] |= dense[i + half];
      n = half;
      --log2;
    }
  }
  const uint64_t* w = sparse ? fold_.data() : dense.data();
  out->push_back(static_cast<char>(log2));
  const size_t old = out->size();
  out->resize(old + n * 8);
  char* dst = out->data() + old;
  for (size_t i = 0; i < n; ++i)
    for (int b = 0; b < 8; ++b) dst[i * 8 + b] = static_cast<char>(w[i] >> (8 * b));
  if (sparse)
    for (uint16_t i : dirty_) fold_[i & (n - 1)] = 0;
}

GramQuery::GramQuery(std::string_view needle) {
  ForEachGram(needle, [this](uint32_t h) { hashes_.push_back(h); });
  std::sort(hashes_.begin(), hashes_.end());
  hashes_.erase(std::unique(hashes_.begin(), hashes_.end()), hashes_.end());
}

bool GramQuery::MayMatch(std::string_view filter) const {
  if (filter.empty() || hashes_.empty()) return true;
  int log2 = static_cast<unsigned char>(filter[0]);
  if (log2 < GramFilterBuilder::kMinLog2Bits || log2 > GramFilterBuilder::kMaxLog2Bits) return true;
  uint32_t bits = 1u << log2;
  if (filter.size() != 1 + bits / 8) return true;
  const auto* map = reinterpret_cast<const unsigned char*>(filter.data() + 1);
  for (uint32_t h : hashes_) {
    uint32_t i = h & (bits - 1);
    if (!(map[i >> 3] & (1u << (i & 7)))) return false;
  }
  return true;
}

}  // namespace lode
