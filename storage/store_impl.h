// Internal to storage/: Store::Impl, shared by store.cc (open, write path,
// head cutting, scans), retention.cc (expiry and compaction runs),
// deletes.cc (delete requests) and store_stats.cc. Not part of the API.
#pragma once

#include <rocksdb/db.h>
#include <rocksdb/statistics.h>
#include <rocksdb/write_batch.h>

#include <atomic>
#include <climits>
#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <shared_mutex>
#include <span>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "storage/store.h"
#include "storage/store_format.h"

namespace lode {

// A stream's chunks as listed by `chunkmeta` at one chunk_gen: what a scan
// needs to choose chunks without reading their metas again.
struct ChunkList {
  struct Chunk {
    int64_t min_ts, max_ts;
    std::string key;     // chunk key
    std::string filter;  // the chunk's gram filter (empty: none)
  };
  uint64_t gen = 0;
  size_t bytes = 0;           // heap bytes, counted against the cache budget
  std::vector<Chunk> chunks;  // in key order
};

struct StreamState {
  uint64_t id = 0;
  Labels labels;
  std::mutex mu;  // guards the head fields below and serialises appends of this stream
  bool has_head = false;
  uint64_t head_bytes = 0;
  uint64_t head_first_seq = 0;
  uint64_t head_last_seq = 0;
  int64_t head_first_wall = 0;
  int64_t head_last_wall = 0;
  int64_t last_day_indexed = -1;
  // Smallest timestamp in the head (INT64_MAX: no head; INT64_MIN: unknown),
  // so that retention finds expired heads without reading them.
  int64_t head_min_ts = INT64_MAX;

  // The stream's chunk list as reads last found it (store_read.cc), so that
  // a scan needs no `chunkmeta` iterator. chunk_gen is odd while a write to
  // the stream's chunks is in flight and grows with every such write
  // (ChunkWrite); a cached list is used only by a scan whose snapshot was
  // taken while chunk_gen equalled the list's `gen`.
  std::atomic<uint64_t> chunk_gen{0};
  std::mutex chunk_list_mu;  // guards chunk_list
  std::shared_ptr<const ChunkList> chunk_list;
};

struct TenantState {
  std::unordered_map<std::string, StreamState*> by_key;  // LabelsToString -> stream
  std::unordered_map<uint64_t, std::unique_ptr<StreamState>> by_id;
  std::set<uint32_t> days;  // days that have index entries
  // The stream ids of a day's `D` index keys (sorted), as selections last
  // read them (store_read.cc), so that a selection without an equality
  // matcher (the label browser) needs no index scan. Entries are dropped,
  // and day_ids_gen bumped, when a stream is first indexed on a day (after
  // its append committed) and when index days are pruned; a list read while
  // day_ids_gen changed is not kept. Guarded by Store::Impl::mu.
  std::map<uint32_t, std::shared_ptr<const std::vector<uint64_t>>> day_ids;
  uint64_t day_ids_gen = 0;
};

// The persisted delete requests and their compiled queries. Thread-safe;
// readers take an immutable snapshot.
class DeleteRegistry {
 public:
  struct Entry {
    DeleteRequest req;
    std::shared_ptr<const DeleteQuery> query;
  };
  using Snapshot = std::map<std::string, std::vector<Entry>, std::less<>>;  // by tenant

  DeleteRegistry(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* cf, DeleteQueryCompiler compiler,
                 bool sync);
  Status Load();
  Status Add(DeleteRequest* req);  // req->created_at_ns set by the caller
  std::vector<DeleteRequest> List(std::string_view tenant) const;
  Status Cancel(std::string_view tenant, std::string_view id);
  Status MarkProcessed(std::string_view tenant, std::string_view id);
  std::shared_ptr<const Snapshot> Get() const;

 private:
  Status Persist(const DeleteRequest& r);
  void Publish(Snapshot s);  // callers hold mu_

  rocksdb::DB* db_;
  rocksdb::ColumnFamilyHandle* cf_;
  DeleteQueryCompiler compiler_;
  bool sync_;
  mutable std::mutex mu_;
  std::shared_ptr<const Snapshot> snap_;
  uint64_t id_counter_ = 0;
};

// A delete request applied to one stream's reads: entries with
// start <= ts <= end for which `pred` (null: always) says yes are hidden.
struct StreamDelete {
  int64_t start_ns;
  int64_t end_ns;
  std::unique_ptr<DeleteLinePredicate> pred;
};

class Store::Impl {
 public:
  StoreOptions opts;
  std::unique_ptr<rocksdb::DB> db;
  std::shared_ptr<rocksdb::Statistics> statistics;
  rocksdb::ColumnFamilyHandle* meta_cf = nullptr;
  rocksdb::ColumnFamilyHandle* head_cf = nullptr;
  rocksdb::ColumnFamilyHandle* chunk_cf = nullptr;
  rocksdb::ColumnFamilyHandle* chunkmeta_cf = nullptr;
  rocksdb::ColumnFamilyHandle* index_cf = nullptr;
  std::vector<rocksdb::ColumnFamilyHandle*> handles;

  std::shared_mutex mu;  // guards tenants / next_id
  std::map<std::string, TenantState, std::less<>> tenants;
  uint64_t next_id = 1;
  std::atomic<uint64_t> seq{1};
  std::atomic<uint64_t> chunks_written{0};
  // Set when the head CF's active memtable reaches a quarter of
  // head_write_buffer_size: the flusher then cuts every head and flushes the
  // then all-dead memtable, so that head records never reach an SST file
  // (docs/STORAGE.md, "Write path"). Appends wait on head_room_cv (with
  // stop_mu) while the memtable is past half full and this is set.
  std::atomic<bool> head_pressure{false};
  std::condition_variable head_room_cv;
  // Wall time (steady clock, ns) of the last append; the flusher releases
  // memory once appends have stopped for kIdleReleaseNs (ReleaseIdleMemory).
  std::atomic<int64_t> last_append_steady_ns{0};
  int64_t released_for_append_ns = -1;  // flusher thread only
  int64_t last_trim_steady_ns = 0;      // flusher thread only

  // Bytes of the cached chunk lists (StreamState::chunk_list), at most
  // StoreOptions::chunk_list_cache_bytes.
  std::atomic<int64_t> chunk_list_bytes{0};

  // Serialises head cuts with each other and with chunk deletion/rewrites.
  std::mutex flush_mu;
  std::mutex compact_mu;  // one compaction run at a time
  std::thread flusher;
  std::thread compactor;
  std::mutex stop_mu;
  std::condition_variable stop_cv;
  bool stopping = false;

  mutable std::mutex policy_mu;
  std::shared_ptr<const RetentionPolicy> policy = std::make_shared<RetentionPolicy>();
  std::unique_ptr<DeleteRegistry> deletes;

  // Totals over compaction runs, for /metrics.
  std::atomic<uint64_t> total_chunks_expired{0};
  std::atomic<uint64_t> total_entries_deleted{0};
  std::atomic<uint64_t> total_runs{0};

  ~Impl();

  int64_t Now() const;
  std::shared_ptr<const RetentionPolicy> Policy() const;

  // store.cc
  Status Open();
  Status LoadRegistry();
  Status LoadHeads();
  StreamState* GetOrCreate(std::string_view tenant, const Labels& labels,
                           rocksdb::WriteBatch* batch);
  void IndexDay(std::string_view tenant, StreamState* st, uint32_t day, rocksdb::WriteBatch* b);
  Status AppendMany(std::string_view tenant, std::span<const StreamEntries> streams,
                    std::span<const std::pair<std::string, std::string>> state = {});
  // Moves a stream's head records into chunks. Callers hold flush_mu.
  Status CutHead(std::string_view tenant, StreamState* st);
  // Writes `batch` atomically (sync per opts.sync_writes). After a write
  // error (e.g. ENOSPC) RocksDB refuses every write until it is resumed:
  // Commit then tries db->Resume() (at most once a second) and the write
  // once more, so ingest recovers by itself when space returns. Nothing of a
  // failed batch is applied.
  // Below the free-space reserve (StoreOptions::min_free_space) it refuses
  // with kUnavailable, unless the batch `frees_space` (retention, deletes).
  Status Commit(rocksdb::WriteBatch* batch, bool frees_space = false);
  Status CheckSpace();
  std::atomic<int64_t> last_resume_ns{0};
  std::atomic<int64_t> space_checked_ns{0};
  std::atomic<uint64_t> space_free{UINT64_MAX};
  // Encodes [begin, end) as one chunk of the stream with key prefix `prefix`
  // and adds its chunk and chunkmeta records to `batch` (key: prefix,
  // min_ts, a fresh sequence number). `chunk` and `meta_value` are scratch.
  void PutChunk(rocksdb::WriteBatch* batch, const std::string& prefix, const OwnedEntry* begin,
                const OwnedEntry* end, std::string* chunk, std::string* meta_value);
  std::vector<std::pair<std::string, StreamState*>> AllStreams();
  std::vector<StreamState*> TenantStreams(std::string_view tenant);
  void CutDue(bool all);
  // Cuts every head, then flushes the head CF: its memtable then holds only
  // records paired with their SingleDelete, which the flush drops.
  void CutAllBeforeHeadFlush();
  // After an append: wakes the flusher when the head memtable is a quarter
  // full, and waits for its cut round when it is half full.
  void CheckHeadMemtable();
  // Once ingest has paused: flushes the memtables that hold no live head
  // record (so their arenas are freed without writing a head to an SST),
  // once per pause, and returns freed heap pages to the OS (malloc_trim)
  // every 10 s while the pause lasts (queries free memory too).
  void ReleaseIdleMemory();
  void FlushLoop();
  StreamState* Find(std::string_view tenant, uint64_t id);
  Status SelectIds(std::string_view tenant, const std::vector<MatcherPtr>& matchers, int64_t start,
                   int64_t end, std::vector<StreamState*>* out);
  // `needle` (may be empty): chunks and blocks whose gram filters prove it
  // absent are skipped (Reader::ScanStreamContaining).
  Status Scan(std::string_view tenant, uint64_t id, int64_t start, int64_t end, Direction dir,
              const BatchVisitor& visit, ScanStats* stats, std::string_view needle = {});
  // Every chunk of stream `st` as of the snapshot `ro.snapshot`: the cached
  // list when `gen_stable` (st->chunk_gen was even and equal to `gen` before
  // and after the snapshot was taken) and one is cached for `gen`; else read
  // from `chunkmeta`, and cached when `gen_stable` and the budget allows.
  Status ListChunks(std::string_view tenant, StreamState* st, const rocksdb::ReadOptions& ro,
                    bool gen_stable, uint64_t gen, std::shared_ptr<const ChunkList>* out);
  // The ids of the streams indexed on `day` (sorted; cached in TenantState::day_ids).
  Status DayStreamIds(std::string_view tenant, uint32_t day, rocksdb::Iterator* it,
                      std::shared_ptr<const std::vector<uint64_t>>* out);
  // Whether the stream has an entry in [from, end) (chunk metas, then the head).
  Status HasDataIn(std::string_view tenant, StreamState* st, int64_t from, int64_t end, bool* has);
  // Reads every head entry of a stream (views into *recs).
  Status ReadHead(const rocksdb::ReadOptions& ro, const std::string& prefix,
                  std::deque<std::string>* recs, std::vector<OwnedEntry>* out);

  // retention.cc
  Status RunCompaction(CompactionReport* report);
  Status ExpireStream(const std::string& tenant, StreamState* st, int64_t cutoff,
                      CompactionReport* r);
  Status PruneIndex(const std::string& tenant, StreamState* st, int64_t cutoff,
                    CompactionReport* r);
  Status CompactAll();
  uint64_t DiskBytes();
  void CompactLoop();

  // deletes.cc
  // The delete requests that hide entries of this stream in [start, end).
  std::vector<StreamDelete> DeletesFor(std::string_view tenant, const Labels& labels, int64_t start,
                                       int64_t end);
  Status ApplyDeleteRequests(CompactionReport* report);
  Status ApplyDelete(const std::string& tenant, StreamState* st, const DeleteRegistry::Entry& d,
                     CompactionReport* report);
};

// Brackets every write of a stream's chunks or chunk metas (head cuts,
// retention, delete rewrites): construct it before the commit, destroy it
// after. Makes chunk_gen odd for the duration and drops the cached list, so
// no scan pairs a cached list with a snapshot taken after the write.
class ChunkWrite {
 public:
  ChunkWrite(Store::Impl* impl, StreamState* st);
  ~ChunkWrite();
  ChunkWrite(const ChunkWrite&) = delete;
  ChunkWrite& operator=(const ChunkWrite&) = delete;

 private:
  StreamState* st_;
};

// True when one of `dels` hides the entry.
bool IsDeleted(std::vector<StreamDelete>& dels, int64_t ts, std::string_view line,
               const LabelView* md, size_t n_md);

}  // namespace lode
