// GramFilter: a one-hash Bloom filter of the letter 4-grams of a set of log
// lines, written per chunk block and per chunk at cut time, so that a scan
// for `|= "needle"` can skip blocks (and whole chunks) that cannot contain
// the needle without decompressing them.
//
// A *gram* is 4 consecutive bytes that are all "letters": ASCII A-Z, a-z or
// any byte >= 0x80 (UTF-8 text). Digits, punctuation and spaces are not
// indexed: they make most of the distinct 4-grams of log lines (numbers,
// ids, timestamps) and would fill the filter, while words carry what people
// search for. A line containing a needle contains every gram of the needle,
// so a filter missing any of the needle's grams proves that no line added to
// it contains the needle (no false negatives); a needle without a gram (say
// "500" or "a b") can never be excluded.
//
// Serialized form: log2(bits):u8 then bits/8 bytes of bitmap (bit i is byte
// i/8, bit i%8). A gram g (its 4 bytes as a little-endian u32) sets bit
// Hash(g) mod bits, with bits a power of two in [kMinBits, kMaxBits]. The
// builder always fills kMaxBits and then folds the bitmap (OR of its halves,
// which is the same filter modulo bits/2) while it stays at most a quarter
// full, so sparse blocks get small filters. An empty string is "no filter"
// (everything may match). Not thread-safe; one builder per thread.
//
// The builder remembers which of its words are non-zero, so that clearing,
// merging and finishing the filter of a few lines (a quiet stream's chunk)
// costs in proportion to its grams, not to the 8 KiB bitmap.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace lode {

class GramFilterBuilder {
 public:
  static constexpr int kMaxLog2Bits = 16;  // 8 KiB
  static constexpr int kMinLog2Bits = 9;   // 64 bytes

  GramFilterBuilder();
  void Clear();
  // Adds the grams of one line.
  void Add(std::string_view line);
  // ORs another builder's grams into this one.
  void Merge(const GramFilterBuilder& other);
  // Appends the folded, serialized filter to *out.
  void Finish(std::string* out) const;

 private:
  void Touch(uint32_t word) {
    if (words_[word] == 0) dirty_.push_back(static_cast<uint16_t>(word));
  }

  std::vector<uint64_t> words_;   // kMaxBits bits
  std::vector<uint16_t> dirty_;   // the indices of the non-zero words_
  mutable std::vector<uint64_t> fold_;  // Finish's scratch
};

// The grams of a needle, hashed once per query.
class GramQuery {
 public:
  explicit GramQuery(std::string_view needle);
  // False when the needle has no gram: no filter can exclude anything.
  bool useful() const { return !hashes_.empty(); }
  // False only when `filter` (serialized; empty: none) proves that no line
  // added to it contains the needle. Malformed filters answer true.
  bool MayMatch(std::string_view filter) const;

 private:
  std::vector<uint32_t> hashes_;  // in [0, kMaxBits)
};

}  // namespace lode
