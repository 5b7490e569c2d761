// NeedleFilter: drops the entries of an EntryBatch whose line does not
// contain a literal, for Reader::ScanStreamContaining, before they reach the
// query pipeline.
//
// Decoded chunk blocks hand out lines that lie back to back in one buffer
// (docs/STORAGE.md: the line bytes of a block are concatenated), so the
// filter searches that whole run once (FindBytes, base/find.h) and maps each
// hit to its line, instead of one search (and one pipeline call) per line: for a
// rare needle that is one pass over the block at memory speed. A hit that
// straddles two lines matches neither; the search resumes one byte later.
// Batches whose lines are not one run (merged overlapping chunks, head
// entries) are searched line by line. Not thread-safe; one per scan.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "storage/reader.h"

namespace lode {

class NeedleFilter {
 public:
  explicit NeedleFilter(std::string_view needle) : needle_(needle) {}

  // The entries of `in` whose line contains the needle, in `in`'s order.
  // The result is `in` itself when every entry matches, else an internal
  // batch valid until the next call (its views point where `in`'s do).
  // An empty needle matches everything.
  const EntryBatch& Apply(const EntryBatch& in);

 private:
  // Sets match_[i] for the lines of `in` containing the needle; returns how many.
  size_t Mark(const EntryBatch& in);

  std::string needle_;
  std::vector<uint8_t> match_;
  EntryBatch out_;
};

}  // namespace lode
