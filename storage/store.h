// Store: the RocksDB-backed log store (write path + Reader).
//
// Layout and chunk format are documented in docs/STORAGE.md. In short: a
// push is written to the `head` column family (one record per stream per
// push, through RocksDB's WAL, so an acknowledged push survives a crash);
// a background flusher cuts head records into zstd-compressed chunks in the
// `chunks` column family, and the per-day label index lives in `index`.
// Thread-safe: Append, Scan and the index calls may run concurrently.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "storage/reader.h"

namespace lode {

struct StoreOptions {
  std::string dir;                              // data directory (created if missing)
  bool sync_writes = false;                     // fsync the WAL per push (power-loss safe)
  size_t chunk_target_size = 1536 * 1024;       // compressed bytes per chunk (Loki's chunk_target_size)
  size_t block_size = 256 * 1024;               // uncompressed bytes per block (chunk_block_size)
  int zstd_level = 3;
  int64_t max_chunk_age_ns = 2LL * 3600 * 1000000000;  // cut a head chunk at least this often
  int64_t chunk_idle_period_ns = 30LL * 60 * 1000000000; // cut a head idle this long
  size_t head_flush_bytes = 1024 * 1024;        // cut a head chunk at this many raw bytes
  bool background_flush = true;                 // run the flusher thread
  std::function<int64_t()> clock;               // now in ns; default: system clock
};

// One entry of a push; views must stay valid for the Append call.
struct EntryRef {
  int64_t ts = 0;
  std::string_view line;
  const LabelView* md = nullptr;  // structured metadata
  uint32_t n_md = 0;
};

// The entries of one stream in a multi-stream append.
struct StreamEntries {
  const Labels* labels = nullptr;  // sorted, valid label set
  std::span<const EntryRef> entries;
};

struct StoreStats {
  uint64_t streams = 0;
  uint64_t head_bytes = 0;
  uint64_t chunks = 0;
  uint64_t disk_bytes = 0;  // live SST + WAL bytes
};

class Store : public Reader {
 public:
  static Status Open(const StoreOptions& opts, std::unique_ptr<Store>* out);
  ~Store() override;

  // Appends entries of one stream (labels sorted and valid). Durable when it
  // returns OK (WAL written; fsynced if sync_writes).
  Status Append(std::string_view tenant, const Labels& labels, std::span<const EntryRef> entries);

  // Appends several streams atomically (one WAL record): all or nothing.
  Status AppendMany(std::string_view tenant, std::span<const StreamEntries> streams);

  // Cuts every head into chunks and flushes RocksDB memtables.
  Status Flush();

  StoreStats Stats();

  // Reader
  Status SelectStreams(std::string_view tenant, const std::vector<MatcherPtr>& matchers,
                       int64_t start_ns, int64_t end_ns, std::vector<StreamRef>* out) override;
  Status ScanStream(std::string_view tenant, uint64_t id, int64_t start_ns, int64_t end_ns,
                    Direction dir, const BatchVisitor& visit, ScanStats* stats) override;
  Status LabelNames(std::string_view tenant, const std::vector<MatcherPtr>& matchers,
                    int64_t start_ns, int64_t end_ns, std::vector<std::string>* out) override;
  Status LabelValues(std::string_view tenant, std::string_view name,
                     const std::vector<MatcherPtr>& matchers, int64_t start_ns, int64_t end_ns,
                     std::vector<std::string>* out) override;

  class Impl;

 private:
  explicit Store(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace lode
