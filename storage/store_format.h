// Internal to storage/: the key and value encodings of the RocksDB layout
// (docs/STORAGE.md), shared by the store, retention, deletion and inspect
// code. Not part of the storage API.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "storage/chunk.h"
#include "storage/store.h"

namespace rocksdb {
class Status;
}

namespace lode::format {

constexpr int64_t kDayNs = 86400LL * 1000000000LL;

// Column family names, in the order the store opens them.
inline constexpr const char* kColumnFamilies[] = {"default", "head", "chunks", "chunkmeta",
                                                  "index"};
// The head log's second anchor besides `head` (Store::Impl::anchor_cf): one
// key, written by appends between two head log rotations.
inline constexpr const char* kPinColumnFamily = "pin";

// floor(ts / 1 day); 0 for ts <= 0.
inline uint32_t DayOf(int64_t ts) { return ts <= 0 ? 0 : static_cast<uint32_t>(ts / kDayNs); }

Status FromRocks(const rocksdb::Status& s);

// tenant \0 stream-id(BE64): the prefix of a stream's head, chunk and chunkmeta keys.
std::string StreamPrefix(std::string_view tenant, uint64_t id);
// The smallest key greater than every key with prefix p.
std::string PrefixEnd(std::string p);

// Index keys: tenant \0 'D' day(BE32) id(BE64) and
// tenant \0 'L' day(BE32) name \0 value \0 id(BE64).
std::string IndexDayKey(std::string_view tenant, uint32_t day, uint64_t id);
std::string IndexLabelKey(std::string_view tenant, uint32_t day, std::string_view name,
                          std::string_view value, uint64_t id);
// tenant \0 'D' day(BE32): the prefix of a day's stream list.
std::string IndexDayPrefix(std::string_view tenant, uint32_t day);

// Meta (default CF) keys of the stream registry.
// Delete requests (meta CF): kDeleteRequestPrefix tenant \0 request-id.
inline constexpr std::string_view kDeleteRequestPrefix = "del";
std::string DeleteRequestKey(std::string_view tenant, std::string_view id);
// Meta key present while dropped data may still occupy disk: written in the
// same batch as every retention or delete drop, removed once a compaction
// run has compacted after it (so a run killed before that is resumed).
inline constexpr std::string_view kCompactionPendingKey = "compaction_pending";
// The zstd dictionaries of small chunk blocks (storage/chunk.h):
// kChunkDictPrefix id(BE32) -> dictionary. The last one is in use.
inline constexpr std::string_view kChunkDictPrefix = "zdict";

std::string StreamByLabelsKey(std::string_view tenant, std::string_view labels);  // 's' ...
std::string StreamByIdKey(std::string_view tenant, uint64_t id);                  // 'i' ...

// Head record: n:varint (ts:zigzag line:lp n_md:varint (name:lp value:lp)*)*.
void EncodeHeadRecord(std::span<const EntryRef> entries, std::string* out);
// Appends the entries of `rec` to out; views point into rec.
Status DecodeHeadRecord(std::string_view rec, std::vector<OwnedEntry>* out);

// Chunk meta: min_ts max_ts (zigzag) entries raw_bytes size (varints), then
// for chunks with a gram filter the filter (length-prefixed); older metas end
// after size.
void EncodeMeta(const ChunkMeta& m, std::string* out);
bool DecodeMeta(std::string_view v, ChunkMeta* m);

}  // namespace lode::format
