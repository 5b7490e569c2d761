// Chunk format v3: the entries of one stream, cut into zstd-compressed blocks.
//
//   chunk  := version:u8(=3) n_blocks:varint block_meta* block_data*
//   block_meta := min_ts:zigzag-varint max_ts:zigzag-varint n_entries:varint
//                 raw_size:varint comp_size:varint filter:len-prefixed
//   block_data := zstd frame of the raw block (small blocks: compressed with
//                 a trained dictionary, named by the frame; see ChunkDict)
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

// zstd dictionaries for small blocks. A quiet stream's chunk is a few
// hundred bytes: plain zstd shrinks it ~1.5x, one trained on such blocks
// ~4x, and compresses it twice as fast. A block compressed with a
// dictionary names it in its zstd frame header (the dictionary id), so the
// chunk format is unchanged and every reader finds it in this process-wide
// registry; the store persists its dictionaries and registers them on open.
struct ChunkDict;
// Blocks of at most this many raw bytes use the dictionary (and are sampled
// to train one).
inline constexpr size_t kDictBlockMaxRaw = 64 << 10;
// Trains a dictionary of at most `max_bytes` on `samples` (concatenated,
// sizes in `sizes`); its id is derived from its content, so that two stores
// in one process never give one id to different dictionaries.
Status TrainChunkDict(const std::string& samples, const std::vector<size_t>& sizes,
                      size_t max_bytes, std::string* dict);
// Registers a trained dictionary (idempotent) and returns it; compression
// with it uses `zstd_level` as first registered. Never unregistered.
Status RegisterChunkDict(std::string_view dict, int zstd_level, const ChunkDict** out);
uint32_t ChunkDictId(const ChunkDict* dict);

// What EncodeChunk does with small blocks: compress them with `dict`, or,
// without one, append their raw bytes to `samples` (each at most 8 KiB,
// its size in `sample_sizes`) until it holds `max_samples` bytes.
struct SmallBlocks {
  const ChunkDict* dict = nullptr;
  std::string* samples = nullptr;
  std::vector<size_t>* sample_sizes = nullptr;
  size_t max_samples = 0;
};

// Encodes sorted entries [begin, end) as one chunk (format `version`, 1..3;
// v2 and v3 also fill meta->filter).
void EncodeChunk(const OwnedEntry* begin, const OwnedEntry* end, size_t block_size, int zstd_level,
                 std::string* out, ChunkMeta* meta, uint8_t version = kChunkFormatV3,
                 const SmallBlocks* small = nullptr);

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
