// Store: the RocksDB-backed log store (write path + Reader).
//
// Layout and chunk format are documented in docs/STORAGE.md. In short: a
// push is written to RocksDB's WAL (one head log record per stream per push,
// so an acknowledged push survives a crash) and kept in memory as the
// stream's head; a background flusher cuts heads into zstd-compressed chunks
// in the `chunks` column family, and the per-day label index lives in `index`.
// Retention (storage/retention.h) and delete requests (storage/deletes.h) are
// applied to every read at once and physically by compaction runs
// (RunCompaction, also run by a background thread every
// compaction_interval_ns). Thread-safe: every method may run concurrently.
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

#include "storage/deletes.h"
#include "storage/reader.h"
#include "storage/retention.h"

namespace lode {

// RocksDB tuning (config: storage.rocksdb.*). The defaults keep a store of a
// few thousand streams within ~150 MiB of memtables and cache; RocksDB's own
// option names are in the comments.
struct RocksDbOptions {
  int max_background_jobs = 2;                 // max_background_jobs (flushes + compactions)
  // db_write_buffer_size: memtable budget of all CFs, raised to at least
  // 2 x (chunks + 3 x small write buffers + max_head_log_bytes) (store.cc).
  size_t db_write_buffer_size = 192 << 20;
  size_t block_cache_size = 32 << 20;          // LRU block cache shared by all CFs
  int bloom_bits_per_key = 10;                 // full-key bloom filters (0: none)
  size_t head_write_buffer_size = 128 << 20;   // ... of `head` and `pin` (>= 2x max_head_log_bytes)
  size_t chunks_write_buffer_size = 16 << 20;  // ... of the `chunks` CF
  size_t small_write_buffer_size = 8 << 20;    // ... of the meta, chunkmeta and index CFs
  std::string head_compression = "lz4";        // none | lz4 | snappy | zstd (head records)
  std::string index_compression = "lz4";       // meta, chunkmeta and index CFs
  // Chunk values are zstd already, so the `chunks` CF itself never
  // compresses; large values go to blob files (garbage-collected).
  bool chunk_blob_files = true;              // enable_blob_files for `chunks`
  size_t chunk_min_blob_size = 512;          // min_blob_size
  int keep_log_file_num = 3;                 // keep_log_file_num (RocksDB's LOG files)
  size_t max_manifest_file_size = 64 << 20;  // max_manifest_file_size
};

struct StoreOptions {
  std::string dir;                         // data directory (created if missing)
  bool sync_writes = false;                // fsync the WAL per push (power-loss safe)
  size_t chunk_target_size = 1536 * 1024;  // compressed bytes per chunk (Loki's chunk_target_size)
  size_t block_size = 256 * 1024;          // uncompressed bytes per block (chunk_block_size)
  int zstd_level = 1;  // storage.zstd_level; on 256 KiB blocks of logs as small as 3, 1.4x faster
  int64_t max_chunk_age_ns = 2LL * 3600 * 1000000000;     // cut a head chunk at least this often
  int64_t chunk_idle_period_ns = 30LL * 60 * 1000000000;  // cut a head idle this long
  size_t head_flush_bytes = 1024 * 1024;                  // cut a head chunk at this many raw bytes
  // Train a zstd dictionary on the first small blocks cut (quiet streams'
  // chunks) and compress later small blocks with it (storage/chunk.h).
  bool chunk_dictionary = true;  // storage.chunk_dictionary
  // Heads (entries not yet in chunks) live in memory, durable in the WAL
  // only. Past max_head_bytes of heads the flusher cuts the largest ones
  // (appends wait past twice as much); once max_head_log_bytes of head log
  // were written since the last rotation it cuts every head so that RocksDB
  // may delete those WAL files (docs/STORAGE.md, "Write path").
  size_t max_head_bytes = 32 << 20;       // storage.max_head_bytes
  size_t max_head_log_bytes = 128 << 20;  // WAL bytes between two full cuts
  bool background_flush = true;           // run the flusher thread
  std::function<int64_t()> clock;         // now in ns; default: system clock
  // Test use: called by a head log rotation right after it swapped the head
  // log's anchor, before it cuts the heads, and once the cut reached every
  // head, before it flushes (crash tests exit or append there).
  std::function<void()> testing_after_anchor_swap;
  std::function<void()> testing_after_rotation_cut;
  // Background compaction (retention + delete requests) period; 0: only
  // when RunCompaction is called.
  int64_t compaction_interval_ns = 0;
  // Delete requests are applied to chunks only once they are this old (they
  // can be cancelled until then); reads filter them out from the start.
  int64_t delete_request_cancel_period_ns = 24LL * 3600 * 1000000000;
  // Compiles delete queries (set by the server to a LogQL compiler); default
  // CompileSimpleDeleteQuery.
  DeleteQueryCompiler delete_compiler;
  RocksDbOptions rocksdb;
  // Open an existing store for reads only (no background threads); every
  // write fails with kIOError. lode opens read-only when the disk is full at
  // start, so queries work until space returns.
  bool read_only = false;
  // Free space kept on the data directory's filesystem (storage.min_free_space;
  // 0: the head memtable size + 16 MiB, at least 32 MiB). Below it, appends
  // and chunk cuts are refused with kUnavailable (HTTP 503, retryable) and
  // resume by themselves when space returns; retention and deletes still
  // run, since they free space. RocksDB itself then never hits ENOSPC on its
  // write-ahead log, from which it cannot always recover.
  uint64_t min_free_space = 0;
  // Memory for each stream's list of chunk keys, time ranges and gram
  // filters as scans last read them from `chunkmeta` (dropped when the
  // stream's chunks change), so that a query does not iterate `chunkmeta`
  // for every stream it selects. 0: no cache.
  size_t chunk_list_cache_bytes = 32 << 20;
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

// One metric sample (Prometheus text format pieces).
struct StoreMetric {
  std::string name;    // e.g. lode_rocksdb_live_blob_bytes
  std::string labels;  // e.g. cf="chunks" (no braces), may be empty
  double value = 0;
  bool counter = false;  // else a gauge
  const char* help = "";
};

// What one compaction run did.
struct CompactionReport {
  uint64_t streams_expired = 0;     // streams that had expired data
  uint64_t heads_cut = 0;           // heads cut early because they held expired or deleted entries
  uint64_t chunks_deleted = 0;      // whole chunks dropped (expired, or every entry deleted)
  uint64_t chunks_rewritten = 0;    // chunks rewritten without deleted entries
  uint64_t entries_deleted = 0;     // entries removed by delete requests
  uint64_t index_keys_deleted = 0;  // per-day index keys of expired days
  uint64_t delete_requests_processed = 0;
  uint64_t disk_bytes_before = 0;  // SST + blob bytes before and after the run
  uint64_t disk_bytes_after = 0;
};

class Store : public Reader {
 public:
  static Status Open(const StoreOptions& opts, std::unique_ptr<Store>* out);

  // Bytes available to lode on the filesystem holding `dir` (statvfs
  // f_bavail); UINT64_MAX when it cannot be told.
  static uint64_t AvailableBytes(const std::string& dir);

  // StoreOptions::min_free_space as resolved: below it writes are refused,
  // and lode opens read-only at start.
  static uint64_t MinFreeBytesToWrite(const StoreOptions& opts);
  ~Store() override;

  // Appends entries of one stream (labels sorted and valid). Durable when it
  // returns OK (WAL written; fsynced if sync_writes).
  Status Append(std::string_view tenant, const Labels& labels, std::span<const EntryRef> entries);

  // Appends several streams atomically (one WAL record): all or nothing.
  Status AppendMany(std::string_view tenant, std::span<const StreamEntries> streams);

  // Like AppendMany, and in the same atomic WriteBatch puts (or, for an
  // empty value, deletes) each of `state` under the key `x` + key in the
  // meta column family. The file collector keeps its read positions there,
  // so that an offset is durable exactly when the entries read up to it are.
  // `streams` may be empty (only the state changes).
  Status AppendManyWithState(std::string_view tenant, std::span<const StreamEntries> streams,
                             std::span<const std::pair<std::string, std::string>> state);

  // Every state key (without the `x`) starting with `prefix`, with its value.
  Status ReadState(std::string_view prefix, std::vector<std::pair<std::string, std::string>>* out);

  // Cuts every head into chunks and flushes RocksDB memtables.
  Status Flush();

  StoreStats Stats();

  // The current time as the store sees it (StoreOptions::clock).
  int64_t Now() const;

  // Replaces the retention policy (default: keep everything). Reads use the
  // new policy at once; data is removed by the next compaction run.
  void SetRetentionPolicy(std::shared_ptr<const RetentionPolicy> policy);
  std::shared_ptr<const RetentionPolicy> retention_policy() const;

  // The oldest timestamp of `stream` that is still kept now (INT64_MIN: all).
  int64_t RetentionCutoff(std::string_view tenant, const Labels& stream) const;

  // One compaction run: drops expired chunks, head records and index days,
  // applies due delete requests (rewriting chunks), then compacts RocksDB
  // with forced blob garbage collection so disk space is released. Runs are
  // serialised; concurrent appends and reads are fine.
  Status RunCompaction(CompactionReport* report);

  // Delete requests. Add fills request_id and created_at_ns and validates the
  // query with the compiler (kInvalidArgument on a bad query). Cancel fails
  // with kNotFound for an unknown id and kInvalidArgument once processed.
  Status AddDeleteRequest(DeleteRequest* req);
  Status ListDeleteRequests(std::string_view tenant, std::vector<DeleteRequest>* out);
  Status CancelDeleteRequest(std::string_view tenant, std::string_view request_id);

  // RocksDB statistics and properties for /metrics, e.g.
  // lode_rocksdb_compaction_read_bytes_total, lode_rocksdb_block_cache_hits_total,
  // lode_rocksdb_live_sst_bytes{cf="chunks"}, plus compaction-run totals.
  std::vector<StoreMetric> Metrics();

  // Reader
  Status SelectStreams(std::string_view tenant, const std::vector<MatcherPtr>& matchers,
                       int64_t start_ns, int64_t end_ns, std::vector<StreamRef>* out) override;
  Status ScanStream(std::string_view tenant, uint64_t id, int64_t start_ns, int64_t end_ns,
                    Direction dir, const BatchVisitor& visit, ScanStats* stats) override;
  Status ScanStreamContaining(std::string_view tenant, uint64_t id, int64_t start_ns,
                              int64_t end_ns, Direction dir, std::string_view needle,
                              const BatchVisitor& visit, ScanStats* stats) override;
  Status LabelNames(std::string_view tenant, const std::vector<MatcherPtr>& matchers,
                    int64_t start_ns, int64_t end_ns, std::vector<std::string>* out) override;
  Status LabelValues(std::string_view tenant, std::string_view name,
                     const std::vector<MatcherPtr>& matchers, int64_t start_ns, int64_t end_ns,
                     std::vector<std::string>* out) override;

  class Impl;

 private:
  explicit Store(std::unique_ptr<Impl> impl);
  bool DayWideLabels(std::string_view tenant, std::string_view name, int64_t start_ns,
                     int64_t end_ns, std::vector<std::string>* out, Status* status);
  std::unique_ptr<Impl> impl_;
};

}  // namespace lode
