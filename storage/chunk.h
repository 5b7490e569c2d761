// Chunk format v3: the entries of one stream, cut into zstd-compressed blocks.
//
//   chunk  := version:u8(=3) n_blocks:varint block_meta* block_data*
//   block_meta := min_ts:zigzag-varint max_ts:zigzag-varint n_entries:varint
//                 raw_size:varint comp_size:varint filter:len-prefixed
//   block_data := zstd frame of the raw block
//   raw block := ts column (first ts zigzag varint, then zigzag deltas)
//                lines: length-prefixed section of storage/line_codec.h
//                       (templates and typed token columns)
//                metadata (per entry: n_pairs varint, then name/value
//                          length-prefixed)
//
// `filter` is the block's GramFilter (storage/gram_filter.h; empty: none).
// Version 2 has the same header, and the raw block holds the ts column,
// the line lengths (varint each), the metadata, then the line bytes
// concatenated; version 1 is v2 without `filter`. All three are read. Entries inside a
// chunk are sorted by timestamp (ties in insertion order) and exact
// duplicates removed. See docs/STORAGE.md.
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "storage/gram_filter.h"
#include "storage/reader.h"

namespace lode {

constexpr uint8_t kChunkFormatV1 = 1;
constexpr uint8_t kChunkFormatV2 = 2;  // v1 + a gram filter per block
constexpr uint8_t kChunkFormatV3 = 3;  // v2 with log-aware line columns (written)

// An owned entry, used when building chunks from head records.
struct OwnedEntry {
  int64_t ts = 0;
  std::string_view line;      // points into the record buffers kept by the caller
  std::vector<LabelView> md;  // idem
  uint64_t order = 0;         // insertion order for stable sorting
};

struct ChunkMeta {
  int64_t min_ts = 0;
  int64_t max_ts = 0;
  uint32_t entries = 0;
  uint64_t raw_bytes = 0;  // line bytes
  uint64_t size = 0;       // encoded chunk size
  std::string filter;      // GramFilter of every line of the chunk (empty: none)
};

// Sorts by (ts, order) and removes exact duplicates (same ts and line and metadata).
void SortAndDedup(std::vector<OwnedEntry>* entries);

// Encodes sorted entries [begin, end) as one chunk (format `version`, 1..3;
// v2 and v3 also fill meta->filter).
void EncodeChunk(const OwnedEntry* begin, const OwnedEntry* end, size_t block_size, int zstd_level,
                 std::string* out, ChunkMeta* meta, uint8_t version = kChunkFormatV3);

// Decodes the blocks of `chunk` that overlap [start_ns, end_ns) and calls
// visit(batch) per block with entries in range in `dir` order. `scratch` is
// reused across calls. Returns false from visit to stop (then *stopped=true).
// With `query`, blocks whose filter proves that no line contains the needle
// are skipped without decompressing them (counted in blocks_skipped): the
// visitor still sees every other entry and must filter itself.
Status DecodeChunk(std::string_view chunk, int64_t start_ns, int64_t end_ns, Direction dir,
                   const BatchVisitor& visit, std::string* scratch, EntryBatch* batch,
                   ScanStats* stats, bool* stopped, const GramQuery* query = nullptr);

// Decodes every entry of a chunk into `out` (views into *scratch_blocks, which
// must outlive them), appending; used when merging overlapping chunks.
Status DecodeChunkEntries(std::string_view chunk, int64_t start_ns, int64_t end_ns,
                          std::deque<std::string>* scratch_blocks, std::vector<OwnedEntry>* out,
                          ScanStats* stats);

}  // namespace lode
