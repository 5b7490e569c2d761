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

#include "storage/head.h"
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
  std::mutex mu;          // guards the fields below and serialises appends of this stream
  bool has_head = false;  // !head.empty()
  // The head: records not yet cut into chunks (storage/head.h), in append
  // (= sequence number) order; its only durable copy is the WAL.
  HeadBuffer head;
  uint64_t head_bytes = 0;     // head.bytes()
  uint64_t head_last_seq = 0;  // sequence number of the newest record in `head`
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

template <class T>
using DayCache = std::map<uint32_t, std::shared_ptr<const T>>;

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
  DayCache<std::vector<uint64_t>> day_ids;
  uint64_t day_ids_gen = 0;
  // The label names of a day's streams and each name's values, so that the
  // label browser (no matchers) never walks streams: built from day_ids on
  // first use and dropped with it (same generation rule). Views into the
  // streams' labels, which live as long as the store.
  struct DayLabels {
    std::vector<std::string_view> names;                                         // sorted
    std::unordered_map<std::string_view, std::vector<std::string_view>> values;  // sorted
  };
  DayCache<DayLabels> day_labels;
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

// AppendMany's buffers, reused across pushes.
struct AppendScratch {
  rocksdb::WriteBatch batch;
  std::string logs;  // the head log records of a push
};

class Store::Impl {
 public:
  StoreOptions opts;
  std::unique_ptr<rocksdb::DB> db;
  std::shared_ptr<rocksdb::Statistics> statistics;
  bool crc_in_hardware = false;  // storage/rocksdb_crc.h
  rocksdb::ColumnFamilyHandle* meta_cf = nullptr;
  rocksdb::ColumnFamilyHandle* head_cf = nullptr;
  rocksdb::ColumnFamilyHandle* chunk_cf = nullptr;
  rocksdb::ColumnFamilyHandle* chunkmeta_cf = nullptr;
  rocksdb::ColumnFamilyHandle* index_cf = nullptr;
  rocksdb::ColumnFamilyHandle* pin_cf = nullptr;  // the second anchor (read-write opens only)
  // The anchor of the head log: `head` or `pin`, whichever appends write
  // their tiny anchor Put to (kHeadPinKey). While an anchor's memtable holds
  // such a Put, RocksDB keeps and replays after a crash every WAL file from
  // the one that memtable started in, so each line appended since is
  // replayable. RotateHeadLog swaps the two; only it flushes either. Read
  // by appends under their stream locks.
  std::atomic<rocksdb::ColumnFamilyHandle*> anchor_cf{nullptr};
  // What one anchor Put takes in a memtable, at least (key, sequence number,
  // skiplist node), counted in head_log_bytes.
  static constexpr uint64_t kAnchorPutCost = 64;
  std::vector<rocksdb::ColumnFamilyHandle*> handles;

  std::shared_mutex mu;  // guards tenants / next_id
  std::map<std::string, TenantState, std::less<>> tenants;
  uint64_t next_id = 1;
  std::atomic<uint64_t> seq{1};
  std::atomic<uint64_t> chunks_written{0};
  // Memory held by heads (the capacity of every StreamState::head) and the
  // head log bytes written to the WAL since the last RotateHeadLog.
  std::atomic<int64_t> head_memory{0};
  std::atomic<uint64_t> head_log_bytes{0};
  // Set when head_memory passes StoreOptions::max_head_bytes or
  // head_log_bytes passes max_head_log_bytes: the flusher then cuts the
  // largest heads, or rotates the head log (docs/STORAGE.md, "Write path").
  // Appends wait on head_room_cv (with stop_mu) while head_memory is past
  // twice the limit and this is set.
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
  rocksdb::WriteBatch cut_batch;  // CutHead's scratch, under flush_mu
  std::string cut_chunk, cut_meta;
  // The zstd dictionary of small blocks (storage/chunk.h), and until it
  // exists the small blocks sampled to train it; under flush_mu.
  const ChunkDict* chunk_dict = nullptr;
  std::string dict_samples;
  std::vector<size_t> dict_sample_sizes;
  bool dict_failed = false;  // training failed: no more attempts this run
  static constexpr size_t kDictSampleBytes = 2 << 20;
  static constexpr size_t kDictBytes = 32 << 10;
  // Trains the dictionary once enough samples are in, and persists it
  // (meta key kChunkDictPrefix + id) before any chunk uses it.
  void MaybeTrainChunkDict();
  Status LoadChunkDicts();
  // Idle AppendScratch, at most one per concurrent append; emptied by
  // ReleaseIdleMemory.
  std::mutex scratch_mu;
  std::vector<std::unique_ptr<AppendScratch>> scratch_pool;
  std::unique_ptr<AppendScratch> TakeScratch();
  void ReturnScratch(std::unique_ptr<AppendScratch> s);
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
  // Restores heads from the head log records RocksDB replayed (`replay`),
  // and moves head records of the `head` column family written by earlier
  // versions into memory and the WAL.
  Status LoadHeads(std::vector<ReplayedHead>* replay);
  StreamState* GetOrCreate(std::string_view tenant, const Labels& labels,
                           rocksdb::WriteBatch* batch);
  void IndexDay(std::string_view tenant, StreamState* st, uint32_t day, rocksdb::WriteBatch* b);
  Status AppendMany(std::string_view tenant, std::span<const StreamEntries> streams,
                    std::span<const std::pair<std::string, std::string>> state = {});
  // Moves a stream's head into chunks: encodes them, then in one batch
  // writes them and the stream's cut mark, and drops what was cut from the
  // head (under st->mu, so readers see the head or the chunks, never both
  // or neither). Callers hold flush_mu.
  Status CutHead(std::string_view tenant, StreamState* st);
  // CutHead for several streams (each at most once), up to kCutGroupHeads
  // heads or kCutGroupBytes of chunks per RocksDB write. Stops at the first
  // failed write; the heads of that write and after it stay as they were.
  Status CutHeads(std::span<const std::pair<std::string_view, StreamState*>> heads);
  static constexpr size_t kCutGroupHeads = 1024;
  static constexpr size_t kCutGroupBytes = 1 << 20;
  // Adds `record` to the stream's head (caller holds st->mu).
  void AppendToHead(StreamState* st, std::string_view record);
  // Drops the first n blocks of the stream's head (caller holds st->mu).
  void DropHeadBlocks(StreamState* st, size_t n);
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
  // False when a cut failed.
  bool CutDue(bool all);
  // Lets RocksDB delete the WAL files written so far: swaps the anchor
  // (appends anchor in the other column family from then on), cuts every
  // head, then flushes the other memtables and the retired anchor. Every
  // line of the files it releases is then in a chunk; a crash before that
  // replays them (the retired anchor still holds them).
  // `compact_head`: also compacts away head records of earlier versions.
  void RotateHeadLog(bool compact_head = false);
  std::mutex rotate_mu;  // serialises rotations
  // The column families any flush or compaction may flush: all but the two
  // anchors (`head`, `pin`), whose memtables keep WAL files of uncut heads
  // replayable.
  std::vector<rocksdb::ColumnFamilyHandle*> DataFamilies() const;
  // Cuts the largest heads until head_memory is at most half of
  // max_head_bytes.
  void CutLargest();
  // After an append: wakes the flusher when heads hold more than
  // max_head_bytes or the head log passed max_head_log_bytes, and waits for
  // its round when heads hold twice max_head_bytes.
  void CheckHeadMemory();
  // Once ingest has paused: flushes the memtables (not the `head` one,
  // whose pins keep the WAL; the head log is rotated instead when no head is
  // left), once per pause, and returns freed heap pages to the OS
  // (malloc_trim) every 10 s while the pause lasts (queries free memory too).
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
  template <class T>
  bool CachedDay(std::string_view tenant, DayCache<T> TenantState::*cache, uint32_t day,
                 std::shared_ptr<const T>* out, uint64_t* gen);
  template <class T>
  void CacheDay(std::string_view tenant, DayCache<T> TenantState::*cache, uint32_t day,
                uint64_t gen, std::shared_ptr<const T> value);
  // The label names and values of the streams indexed on `day` (cached in
  // TenantState::day_labels).
  Status DayLabelsFor(std::string_view tenant, uint32_t day, rocksdb::Iterator* it,
                      std::shared_ptr<const TenantState::DayLabels>* out);
  // The days of `tenant` with index entries in [start, end), and, when
  // all_fresh is given, whether every stream of theirs is kept from `start`
  // on (no retention cutoff after it), so that day-wide label sets answer
  // exactly.
  void IndexDays(std::string_view tenant, int64_t start, int64_t end, std::vector<uint32_t>* days,
                 bool* all_fresh = nullptr);
  // Whether the stream has an entry in [from, end) (chunk metas, then the head).
  Status HasDataIn(std::string_view tenant, StreamState* st, int64_t from, int64_t end, bool* has);
  // Takes the stream's head blocks into *blocks and decodes their entries
  // (views into them). With `snap`, also takes a RocksDB snapshot
  // consistent with it (a cut commits its chunks and drops the head under
  // the same lock).
  Status ReadHead(StreamState* st, std::vector<HeadBlock>* blocks, std::vector<OwnedEntry>* out,
                  const rocksdb::Snapshot** snap = nullptr);

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
