#include "storage/store.h"

#include <malloc.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/table.h>
#include <sys/statvfs.h>

#include <algorithm>
#include <chrono>
#include <climits>
#include <cstdio>
#include <unordered_set>

#include "base/coding.h"
#include "base/log.h"
#include "storage/rocksdb_crc.h"
#include "storage/store_impl.h"

namespace lode {

using format::DayOf;
using format::FromRocks;
using format::PrefixEnd;
using format::StreamPrefix;

namespace {

// Appends must have stopped this long before the flusher releases memory.
constexpr int64_t kIdleReleaseNs = 5LL * 1000000000;

int64_t SteadyNowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

int64_t SystemNowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

Store::Impl::~Impl() {
  {
    std::lock_guard<std::mutex> l(stop_mu);
    stopping = true;
  }
  stop_cv.notify_all();
  head_room_cv.notify_all();
  if (flusher.joinable()) flusher.join();
  if (compactor.joinable()) compactor.join();
  if (db) {
    for (auto* h : handles) db->DestroyColumnFamilyHandle(h);
    db->Close();
  }
}

int64_t Store::Impl::Now() const { return opts.clock ? opts.clock() : SystemNowNs(); }

std::shared_ptr<const RetentionPolicy> Store::Impl::Policy() const {
  std::lock_guard<std::mutex> l(policy_mu);
  return policy;
}

namespace {

Status CompressionFor(const std::string& name, rocksdb::CompressionType* out) {
  if (name == "none")
    *out = rocksdb::kNoCompression;
  else if (name == "lz4")
    *out = rocksdb::kLZ4Compression;
  else if (name == "snappy")
    *out = rocksdb::kSnappyCompression;
  else if (name == "zstd")
    *out = rocksdb::kZSTD;
  else
    return Status::InvalidArgument("unknown compression \"" + name +
                                   "\" (none, lz4, snappy or zstd)");
  return Status::OK();
}

}  // namespace

Status Store::Impl::Open() {
  const RocksDbOptions& r = opts.rocksdb;
  rocksdb::Options o;
  o.create_if_missing = true;
  o.create_missing_column_families = true;
  o.max_background_jobs = r.max_background_jobs;
  // Past 7/8 of this much in mutable memtables RocksDB flushes the column
  // family whose memtable is oldest: an anchor, as a rule, which only
  // RotateHeadLog may flush. Keep it above all the other memtables and two
  // full anchors can hold, so that it never does.
  o.db_write_buffer_size = std::max<size_t>(
      r.db_write_buffer_size,
      2 * (r.chunks_write_buffer_size + 3 * r.small_write_buffer_size + opts.max_head_log_bytes));
  o.keep_log_file_num = r.keep_log_file_num;
  o.max_manifest_file_size = r.max_manifest_file_size;
  // No fallocate: a preallocated WAL or MANIFEST on a full disk makes the
  // store fail to open even after space is freed.
  o.allow_fallocate = false;
  // Opening must not need space: recovered memtables stay in the WAL until
  // the next regular flush, so a store whose disk is full still opens.
  o.avoid_flush_during_recovery = true;
  // Heads are restored from the head log records of the WAL files replayed.
  HeadLogReplay replay;
  o.wal_filter = &replay;
  // Past this much WAL RocksDB flushes whatever holds the oldest file, an
  // anchor included, which only RotateHeadLog may flush: keep it far above
  // the head log's own rotation.
  o.max_total_wal_size = std::max<uint64_t>(4 * opts.max_head_log_bytes, 1ULL << 30);
  crc_in_hardware = RocksDbCrcInHardware();
  statistics = rocksdb::CreateDBStatistics();
  statistics->set_stats_level(rocksdb::StatsLevel::kExceptTimers);
  o.statistics = statistics;
  rocksdb::BlockBasedTableOptions t;
  t.block_cache = rocksdb::NewLRUCache(r.block_cache_size);
  if (r.bloom_bits_per_key > 0)
    t.filter_policy.reset(rocksdb::NewBloomFilterPolicy(r.bloom_bits_per_key));
  o.table_factory.reset(rocksdb::NewBlockBasedTableFactory(t));

  rocksdb::ColumnFamilyOptions small(o);
  LODE_RETURN_IF_ERROR(CompressionFor(r.index_compression, &small.compression));
  small.write_buffer_size = r.small_write_buffer_size;
  // The two anchors (`head`, `pin`): a rotation flushes them before
  // max_head_log_bytes of head log, anchor Puts counted; their own limit is
  // above it, so RocksDB never flushes one by size.
  rocksdb::ColumnFamilyOptions head(o);
  LODE_RETURN_IF_ERROR(CompressionFor(r.head_compression, &head.compression));
  head.write_buffer_size =
      std::max<size_t>(r.head_write_buffer_size, 2 * opts.max_head_log_bytes);
  head.arena_block_size = 1 << 20;  // not write_buffer_size / 8: anchors hold tiny puts
  rocksdb::ColumnFamilyOptions chunks(o);
  chunks.compression = rocksdb::kNoCompression;  // values are zstd already
  chunks.write_buffer_size = r.chunks_write_buffer_size;
  chunks.enable_blob_files = r.chunk_blob_files;
  chunks.min_blob_size = r.chunk_min_blob_size;
  chunks.enable_blob_garbage_collection = r.chunk_blob_files;

  std::vector<rocksdb::ColumnFamilyDescriptor> cfs = {
      {rocksdb::kDefaultColumnFamilyName, small},
      {"head", head},
      {"chunks", chunks},
      {"chunkmeta", small},
      {"index", small},
  };
  // `pin` is the head log's second anchor (Impl::anchor_cf): appends
  // anchor in `head` or `pin`, RotateHeadLog swaps them. A read-only open
  // may leave it out (a subset of column families).
  if (!opts.read_only) cfs.push_back({format::kPinColumnFamily, head});
  rocksdb::DB* raw = nullptr;
  if (opts.read_only) {
    LODE_RETURN_IF_ERROR(FromRocks(rocksdb::DB::OpenForReadOnly(o, opts.dir, cfs, &handles, &raw)));
  } else {
    LODE_RETURN_IF_ERROR(FromRocks(rocksdb::DB::Open(o, opts.dir, cfs, &handles, &raw)));
  }
  db.reset(raw);
  meta_cf = handles[0];
  head_cf = handles[1];
  chunk_cf = handles[2];
  chunkmeta_cf = handles[3];
  index_cf = handles[4];
  if (handles.size() > 5) pin_cf = handles[5];
  anchor_cf.store(head_cf);
  LODE_RETURN_IF_ERROR(LoadRegistry());
  LODE_RETURN_IF_ERROR(LoadChunkDicts());
  LODE_RETURN_IF_ERROR(LoadHeads(&replay.records));
  deletes = std::make_unique<DeleteRegistry>(
      db.get(), meta_cf,
      opts.delete_compiler ? opts.delete_compiler : DeleteQueryCompiler(CompileSimpleDeleteQuery),
      opts.sync_writes);
  LODE_RETURN_IF_ERROR(deletes->Load());
  if (opts.read_only) return Status::OK();
  if (opts.background_flush) flusher = std::thread([this] { FlushLoop(); });
  if (opts.compaction_interval_ns > 0) compactor = std::thread([this] { CompactLoop(); });
  return Status::OK();
}

Status Store::Impl::LoadChunkDicts() {
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions(), meta_cf));
  for (it->Seek(format::kChunkDictPrefix);
       it->Valid() && it->key().starts_with(format::kChunkDictPrefix); it->Next()) {
    // Every one is registered (older chunks name it); the last is used.
    LODE_RETURN_IF_ERROR(RegisterChunkDict(it->value().ToStringView(), opts.zstd_level, &chunk_dict));
  }
  return FromRocks(it->status());
}

void Store::Impl::MaybeTrainChunkDict() {
  if (chunk_dict != nullptr || dict_failed || !opts.chunk_dictionary ||
      dict_samples.size() < kDictSampleBytes)
    return;
  const int64_t start = SteadyNowNs();
  std::string dict;
  Status s = TrainChunkDict(dict_samples, dict_sample_sizes, kDictBytes, &dict);
  const ChunkDict* trained = nullptr;
  if (s.ok()) s = RegisterChunkDict(dict, opts.zstd_level, &trained);
  if (s.ok()) {
    // Durable before any chunk names it: chunks come later in the WAL.
    rocksdb::WriteBatch b;
    std::string key(format::kChunkDictPrefix);
    PutBE32(&key, ChunkDictId(trained));
    b.Put(meta_cf, key, dict);
    s = Commit(&b);
  }
  if (!s.ok()) {
    // A write refused for want of space is tried again with the next cut.
    if (s.code() != Status::Code::kUnavailable) dict_failed = true;
    lode::Logf("small-block zstd dictionary: %s", s.message().c_str());
    if (!dict_failed) return;
  } else {
    chunk_dict = trained;
    lode::Logf("small-block zstd dictionary %u: %zu bytes from %zu samples in %lld ms",
               ChunkDictId(trained), dict.size(), dict_sample_sizes.size(),
               static_cast<long long>((SteadyNowNs() - start) / 1000000));
  }
  std::string().swap(dict_samples);
  std::vector<size_t>().swap(dict_sample_sizes);
}

Status Store::Impl::LoadRegistry() {
  std::string v;
  auto s = db->Get(rocksdb::ReadOptions(), meta_cf, "next_id", &v);
  if (s.ok() && v.size() == 8) next_id = GetBE64(v.data());
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions(), meta_cf));
  for (it->Seek("i"); it->Valid() && it->key().starts_with("i"); it->Next()) {
    std::string_view k(it->key().data() + 1, it->key().size() - 1);
    if (k.size() < 9) continue;
    std::string tenant(k.substr(0, k.size() - 9));
    uint64_t id = GetBE64(k.data() + k.size() - 8);
    auto st = std::make_unique<StreamState>();
    st->id = id;
    LODE_RETURN_IF_ERROR(ParseLabels(it->value().ToStringView(), &st->labels));
    auto& ts = tenants[tenant];
    ts.by_key[it->value().ToString()] = st.get();
    ts.by_id[id] = std::move(st);
    next_id = std::max(next_id, id + 1);
  }
  LODE_RETURN_IF_ERROR(FromRocks(it->status()));
  std::unique_ptr<rocksdb::Iterator> ix(db->NewIterator(rocksdb::ReadOptions(), index_cf));
  // Days per tenant: keys tenant \0 'D' day id; jump from day to day.
  for (auto& [tenant, ts] : tenants) {
    std::string p = tenant + std::string(1, '\0') + "D";
    ix->Seek(p);
    while (ix->Valid() && ix->key().starts_with(p) && ix->key().size() >= p.size() + 4) {
      uint32_t day = GetBE32(ix->key().data() + p.size());
      ts.days.insert(day);
      ix->Seek(format::IndexDayPrefix(tenant, day + 1));
    }
  }
  return FromRocks(ix->status());
}

Status Store::Impl::LoadHeads(std::vector<ReplayedHead>* replay) {
  uint64_t max_seq = 0;
  // Head records in the `head` column family (written before heads moved
  // into memory): restored like replayed ones, then moved into the WAL.
  std::vector<std::string> legacy_keys;
  {
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions(), head_cf));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      auto k = it->key();
      if (k.size() < 17) continue;  // kHeadPinKey
      ReplayedHead r;
      r.tenant.assign(k.data(), k.size() - 17);
      r.id = GetBE64(k.data() + k.size() - 16);
      r.seq = GetBE64(k.data() + k.size() - 8);
      r.record = it->value().ToString();
      r.legacy = true;
      legacy_keys.push_back(k.ToString());
      replay->push_back(std::move(r));
    }
    LODE_RETURN_IF_ERROR(FromRocks(it->status()));
  }
  // Per stream, in sequence order; the same record may be replayed twice
  // (it was moved from the head column family before a crash).
  std::stable_sort(
      replay->begin(), replay->end(), [](const ReplayedHead& a, const ReplayedHead& b) {
        return a.tenant < b.tenant ||
               (a.tenant == b.tenant && (a.id < b.id || (a.id == b.id && a.seq < b.seq)));
      });
  int64_t now = Now();
  std::vector<OwnedEntry> entries;
  rocksdb::WriteBatch moved;
  std::string blob, cut_value;
  const ReplayedHead* prev = nullptr;
  uint64_t cut_mark = 0;
  std::vector<std::pair<StreamState*, const ReplayedHead*>> legacy_live;
  for (const ReplayedHead& r : *replay) {
    max_seq = std::max(max_seq, r.seq);
    bool same_stream = prev && prev->tenant == r.tenant && prev->id == r.id;
    if (same_stream && prev->seq == r.seq) continue;
    if (!same_stream) {
      cut_mark = 0;
      auto s = db->Get(rocksdb::ReadOptions(), meta_cf, CutMarkKey(r.tenant, r.id), &cut_value);
      if (s.ok() && cut_value.size() == 8) cut_mark = GetBE64(cut_value.data());
      max_seq = std::max(max_seq, cut_mark);
    }
    prev = &r;
    if (r.seq <= cut_mark && !r.legacy) continue;  // already in a chunk
    auto t = tenants.find(r.tenant);
    if (t == tenants.end()) continue;
    auto s = t->second.by_id.find(r.id);
    if (s == t->second.by_id.end()) continue;
    StreamState* st = s->second.get();
    if (!st->has_head) {
      st->has_head = true;
      st->head_first_wall = now;
      st->head_min_ts = INT64_MAX;
    }
    entries.clear();
    if (format::DecodeHeadRecord(r.record, &entries).ok()) {
      for (const auto& e : entries) st->head_min_ts = std::min(st->head_min_ts, e.ts);
    } else {
      st->head_min_ts = INT64_MIN;
    }
    AppendToHead(st, r.record);
    st->head_last_seq = r.seq;
    st->head_last_wall = now;
    if (r.legacy) legacy_live.push_back({st, &r});
  }
  seq = std::max<uint64_t>(max_seq + 1, static_cast<uint64_t>(SystemNowNs()));
  if (legacy_keys.empty() || opts.read_only) {
    replay->clear();
    return Status::OK();
  }
  // Moved under fresh sequence numbers, above every cut mark.
  for (auto [st, r] : legacy_live) {
    st->head_last_seq = seq.fetch_add(1);
    blob.clear();
    EncodeHeadLogHeader(r->tenant, r->id, st->head_last_seq, &blob);
    blob += r->record;
    moved.PutLogData(blob);
  }
  replay->clear();
  moved.Put(anchor_cf.load(), kHeadPinKey, "");
  for (const auto& k : legacy_keys) moved.Delete(head_cf, k);
  return Commit(&moved, true);
}

std::unique_ptr<AppendScratch> Store::Impl::TakeScratch() {
  std::lock_guard<std::mutex> l(scratch_mu);
  if (scratch_pool.empty()) return std::make_unique<AppendScratch>();
  std::unique_ptr<AppendScratch> s = std::move(scratch_pool.back());
  scratch_pool.pop_back();
  return s;
}

void Store::Impl::ReturnScratch(std::unique_ptr<AppendScratch> s) {
  std::lock_guard<std::mutex> l(scratch_mu);
  scratch_pool.push_back(std::move(s));
}

void Store::Impl::AppendToHead(StreamState* st, std::string_view record) {
  head_memory.fetch_add(st->head.Append(record), std::memory_order_relaxed);
  st->head_bytes = st->head.bytes();
  st->has_head = true;
}

void Store::Impl::DropHeadBlocks(StreamState* st, size_t n) {
  head_memory.fetch_add(st->head.DropFront(n), std::memory_order_relaxed);
  st->head_bytes = st->head.bytes();
  st->has_head = !st->head.empty();
}

StreamState* Store::Impl::GetOrCreate(std::string_view tenant, const Labels& labels,
                                      rocksdb::WriteBatch* batch) {
  std::string key = LabelsToString(labels);
  {
    std::shared_lock<std::shared_mutex> l(mu);
    auto t = tenants.find(tenant);
    if (t != tenants.end()) {
      auto s = t->second.by_key.find(key);
      if (s != t->second.by_key.end()) return s->second;
    }
  }
  std::unique_lock<std::shared_mutex> l(mu);
  auto& ts = tenants[std::string(tenant)];
  auto s = ts.by_key.find(key);
  if (s != ts.by_key.end()) return s->second;
  auto st = std::make_unique<StreamState>();
  st->id = next_id++;
  st->labels = labels;
  std::string idv;
  PutBE64(&idv, st->id);
  batch->Put(meta_cf, format::StreamByLabelsKey(tenant, key), idv);
  batch->Put(meta_cf, format::StreamByIdKey(tenant, st->id), key);
  std::string nv;
  PutBE64(&nv, next_id);
  batch->Put(meta_cf, "next_id", nv);
  StreamState* ptr = st.get();
  ts.by_key[key] = ptr;
  ts.by_id[ptr->id] = std::move(st);
  return ptr;
}

void Store::Impl::IndexDay(std::string_view tenant, StreamState* st, uint32_t day,
                           rocksdb::WriteBatch* b) {
  b->Put(index_cf, format::IndexDayKey(tenant, day, st->id), "");
  for (const auto& l : st->labels)
    b->Put(index_cf, format::IndexLabelKey(tenant, day, l.name, l.value, st->id), "");
}

Status Store::Impl::AppendMany(std::string_view tenant, std::span<const StreamEntries> streams,
                               std::span<const std::pair<std::string, std::string>> state) {
  if (tenant.find('\0') != std::string_view::npos) return Status::InvalidArgument("invalid tenant");
  // Buffers of a push's size, reused: fresh ones page-fault afresh.
  std::unique_ptr<AppendScratch> scratch = TakeScratch();
  struct GiveBack {
    Impl* impl;
    std::unique_ptr<AppendScratch>* s;
    ~GiveBack() { impl->ReturnScratch(std::move(*s)); }
  } give_back{this, &scratch};
  rocksdb::WriteBatch& batch = scratch->batch;
  batch.Clear();
  for (const auto& [k, v] : state) {
    std::string key = "x" + k;
    if (v.empty()) {
      batch.Delete(meta_cf, key);
    } else {
      batch.Put(meta_cf, key, v);
    }
  }
  std::vector<StreamState*> sts;
  sts.reserve(streams.size());
  for (const auto& s : streams) sts.push_back(GetOrCreate(tenant, *s.labels, &batch));
  // Lock streams in id order (several pushes may touch the same streams).
  std::vector<size_t> order(streams.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(),
            [&](size_t a, size_t b) { return sts[a]->id < sts[b]->id; });
  std::vector<std::unique_lock<std::mutex>> locks;
  StreamState* prev = nullptr;
  for (size_t i : order) {
    if (sts[i] == prev) continue;
    locks.emplace_back(sts[i]->mu);
    prev = sts[i];
  }
  std::vector<uint64_t> seqs(streams.size());
  // Where each stream's head record is in `logs` (its head log blob is
  // [blob_begin, record_end), the record [record_begin, record_end)).
  struct LogSpan {
    size_t blob_begin = 0, record_begin = 0, record_end = 0;
  };
  std::vector<LogSpan> spans(streams.size());
  std::vector<int64_t> min_ts(streams.size(), INT64_MAX);
  std::set<std::pair<std::string, uint32_t>> new_days;
  std::string& logs = scratch->logs;
  logs.clear();
  bool any = false;
  for (size_t i = 0; i < streams.size(); ++i) {
    if (streams[i].entries.empty()) continue;
    StreamState* st = sts[i];
    any = true;
    seqs[i] = seq.fetch_add(1);
    spans[i].blob_begin = logs.size();
    spans[i].record_begin = EncodeHeadLog(tenant, st->id, seqs[i], streams[i].entries, &logs);
    spans[i].record_end = logs.size();
    int64_t last_day = -1;
    for (const auto& e : streams[i].entries) {
      min_ts[i] = std::min(min_ts[i], e.ts);
      int64_t day = DayOf(e.ts);
      if (day == last_day || day == st->last_day_indexed) continue;
      last_day = day;
      IndexDay(tenant, st, static_cast<uint32_t>(day), &batch);
      new_days.insert({std::string(tenant), static_cast<uint32_t>(day)});
    }
  }
  if (any) {
    for (size_t i = 0; i < streams.size(); ++i) {
      if (streams[i].entries.empty()) continue;
      batch.PutLogData(rocksdb::Slice(logs.data() + spans[i].blob_begin,
                                      spans[i].record_end - spans[i].blob_begin));
    }
    // Read under the stream locks: a rotation that swapped the anchor
    // before this cuts these streams only after this append is in the heads.
    batch.Put(anchor_cf.load(std::memory_order_acquire), kHeadPinKey, "");
  }
  LODE_RETURN_IF_ERROR(Commit(&batch));
  // Plus what the anchor Put costs its memtable, so that a rotation comes
  // before many tiny pushes fill it (RocksDB would flush it by itself).
  head_log_bytes.fetch_add(logs.size() + kAnchorPutCost, std::memory_order_relaxed);
  last_append_steady_ns.store(SteadyNowNs(), std::memory_order_relaxed);
  int64_t now = Now();
  for (size_t i = 0; i < streams.size(); ++i) {
    if (streams[i].entries.empty()) continue;
    StreamState* st = sts[i];
    if (!st->has_head) {
      st->head_first_wall = now;
      st->head_min_ts = INT64_MAX;
    }
    AppendToHead(st, std::string_view(logs.data() + spans[i].record_begin,
                                      spans[i].record_end - spans[i].record_begin));
    st->head_min_ts = std::min(st->head_min_ts, min_ts[i]);
    st->head_last_seq = std::max(st->head_last_seq, seqs[i]);
    st->head_last_wall = now;
    st->last_day_indexed = DayOf(streams[i].entries.back().ts);
  }
  locks.clear();
  if (!new_days.empty()) {
    std::unique_lock<std::shared_mutex> l(mu);
    for (const auto& [t, d] : new_days) {
      TenantState& ts = tenants[t];
      ts.days.insert(d);
      ts.day_ids.erase(d);  // a stream joined the day's index (store_read.cc)
      ts.day_labels.erase(d);
      ++ts.day_ids_gen;
    }
  }
  CheckHeadMemory();
  return Status::OK();
}

Status Store::Impl::ReadHead(StreamState* st, std::vector<HeadBlock>* blocks,
                             std::vector<OwnedEntry>* out, const rocksdb::Snapshot** snap) {
  {
    std::lock_guard<std::mutex> l(st->mu);
    st->head.Snapshot(blocks);
    if (snap) *snap = db->GetSnapshot();
  }
  Status s = DecodeHead(*blocks, out);
  if (!s.ok() && snap) {
    db->ReleaseSnapshot(*snap);
    *snap = nullptr;
  }
  return s;
}

Status Store::Impl::CheckSpace() {
  const int64_t now = SystemNowNs();
  // statvfs at most every 100 ms; pushes between checks share the answer.
  if (now - space_checked_ns.load(std::memory_order_relaxed) > 100000000LL) {
    space_free.store(AvailableBytes(opts.dir), std::memory_order_relaxed);
    space_checked_ns.store(now, std::memory_order_relaxed);
  }
  const uint64_t free = space_free.load(std::memory_order_relaxed);
  const uint64_t need = MinFreeBytesToWrite(opts);
  if (free >= need) return Status::OK();
  return Status::Unavailable("storage full: " + std::to_string(free) + " bytes free on " +
                             opts.dir + ", below the reserve of " + std::to_string(need) +
                             " bytes (storage.min_free_space); writes resume when space returns");
}

Status Store::Impl::Commit(rocksdb::WriteBatch* batch, bool frees_space) {
  if (opts.read_only) {
    return Status::Unavailable(
        "storage is read-only: the disk was full when lode started; lode restarts "
        "read-write when space returns");
  }
  if (!frees_space) LODE_RETURN_IF_ERROR(CheckSpace());
  rocksdb::WriteOptions wo;
  wo.sync = opts.sync_writes;
  rocksdb::Status s = db->Write(wo, batch);
  if (s.ok() || !(s.IsIOError() || s.IsNoSpace())) return FromRocks(s);
  const int64_t now = SystemNowNs();
  int64_t last = last_resume_ns.load(std::memory_order_relaxed);
  if (now - last < 1000000000LL || !last_resume_ns.compare_exchange_strong(last, now))
    return FromRocks(s);
  if (!db->Resume().ok()) return FromRocks(s);
  return FromRocks(db->Write(wo, batch));
}

void Store::Impl::PutChunk(rocksdb::WriteBatch* batch, const std::string& prefix,
                           const OwnedEntry* begin, const OwnedEntry* end, std::string* chunk,
                           std::string* meta_value) {
  ChunkMeta meta;
  SmallBlocks small;
  if (opts.chunk_dictionary) {
    small.dict = chunk_dict;
    small.samples = &dict_samples;
    small.sample_sizes = &dict_sample_sizes;
    small.max_samples = dict_failed ? 0 : kDictSampleBytes;
  }
  EncodeChunk(begin, end, opts.block_size, opts.zstd_level, chunk, &meta, kChunkFormatV3, &small);
  std::string k = prefix;
  PutTsKey(&k, meta.min_ts);
  PutBE64(&k, seq.fetch_add(1));
  meta_value->clear();
  format::EncodeMeta(meta, meta_value);
  batch->Put(chunk_cf, k, *chunk);
  batch->Put(chunkmeta_cf, k, *meta_value);
}

Status Store::Impl::CutHead(std::string_view tenant, StreamState* st) {
  const std::pair<std::string_view, StreamState*> one{tenant, st};
  return CutHeads({&one, 1});
}

Status Store::Impl::CutHeads(std::span<const std::pair<std::string_view, StreamState*>> heads) {
  // Scratch reused by every cut (callers hold flush_mu): fresh buffers of
  // a chunk's size would page-fault afresh each time.
  rocksdb::WriteBatch& batch = cut_batch;
  batch.Clear();
  std::string& chunk = cut_chunk;
  std::string& mv = cut_meta;
  const size_t max_raw = std::max<size_t>(opts.chunk_target_size * 8, opts.block_size);
  // The heads encoded into `batch`, waiting for its write.
  struct Pending {
    StreamState* st;
    size_t blocks;  // whole head blocks the cut covers
    std::unique_ptr<ChunkWrite> write;  // the cached chunk list goes stale
  };
  std::vector<Pending> pending;
  std::vector<HeadBlock> head;
  std::vector<OwnedEntry> entries;
  Status status;
  auto write_group = [&]() -> Status {
    if (pending.empty()) return Status::OK();
    // Locked in id order, as appends lock them: readers see each head or
    // its chunks, never both or neither.
    std::sort(pending.begin(), pending.end(),
              [](const Pending& a, const Pending& b) { return a.st->id < b.st->id; });
    std::vector<std::unique_lock<std::mutex>> locks;
    locks.reserve(pending.size());
    for (const Pending& p : pending) locks.emplace_back(p.st->mu);
    Status s = Commit(&batch);
    if (s.ok()) {
      for (const Pending& p : pending) {
        StreamState* st = p.st;
        DropHeadBlocks(st, p.blocks);
        if (st->has_head) {
          // What was appended during the cut: its own age and oldest entry.
          st->head_first_wall = Now();
          entries.clear();
          head.clear();
          st->head.Snapshot(&head);
          st->head_min_ts = DecodeHead(head, &entries).ok() ? INT64_MAX : INT64_MIN;
          for (const auto& e : entries) st->head_min_ts = std::min(st->head_min_ts, e.ts);
        } else {
          st->head_min_ts = INT64_MAX;
        }
      }
    }
    locks.clear();
    pending.clear();  // after the locks: ~ChunkWrite ends the write
    batch.Clear();
    return s;
  };
  for (const auto& [tenant, st] : heads) {
    uint64_t last;
    head.clear();
    {
      std::lock_guard<std::mutex> l(st->mu);
      if (!st->has_head) continue;
      st->head.SealAll(&head);
      last = st->head_last_seq;
    }
    // Appends may add blocks meanwhile; only `head` (the records up to
    // `last`) is cut.
    entries.clear();
    LODE_RETURN_IF_ERROR(DecodeHead(head, &entries));
    SortAndDedup(&entries);
    const std::string prefix = StreamPrefix(tenant, st->id);
    size_t b = 0;
    while (b < entries.size()) {
      size_t e = b, raw = 0;
      // A chunk never spans a UTC day boundary, so that retention can drop
      // whole chunks day by day even when old and new entries share a head.
      uint32_t day = DayOf(entries[b].ts);
      while (e < entries.size() &&
             (e == b || (raw + entries[e].line.size() <= max_raw && DayOf(entries[e].ts) == day)))
        raw += entries[e++].line.size();
      PutChunk(&batch, prefix, entries.data() + b, entries.data() + e, &chunk, &mv);
      chunks_written++;
      b = e;
    }
    std::string mark;
    PutBE64(&mark, last);
    batch.Put(meta_cf, CutMarkKey(tenant, st->id), mark);
    pending.push_back({st, head.size(), std::make_unique<ChunkWrite>(this, st)});
    // Small heads (many quiet streams) share one write: a RocksDB write per
    // tiny chunk cost more than encoding it.
    if (pending.size() >= kCutGroupHeads || batch.GetDataSize() >= kCutGroupBytes) {
      status = write_group();
      if (!status.ok()) return status;
    }
  }
  status = write_group();
  if (status.ok()) MaybeTrainChunkDict();
  return status;
}

std::vector<std::pair<std::string, StreamState*>> Store::Impl::AllStreams() {
  std::vector<std::pair<std::string, StreamState*>> out;
  std::shared_lock<std::shared_mutex> l(mu);
  for (auto& [t, ts] : tenants)
    for (auto& [id, st] : ts.by_id) out.push_back({t, st.get()});
  return out;
}

std::vector<StreamState*> Store::Impl::TenantStreams(std::string_view tenant) {
  std::vector<StreamState*> out;
  std::shared_lock<std::shared_mutex> l(mu);
  auto t = tenants.find(tenant);
  if (t == tenants.end()) return out;
  for (auto& [id, st] : t->second.by_id) out.push_back(st.get());
  return out;
}

bool Store::Impl::CutDue(bool all) {
  std::lock_guard<std::mutex> fl(flush_mu);
  int64_t now = Now();
  std::vector<std::pair<std::string, StreamState*>> streams = AllStreams();
  std::vector<std::pair<std::string_view, StreamState*>> due;
  for (auto& [tenant, st] : streams) {
    std::lock_guard<std::mutex> l(st->mu);
    if (st->has_head && (all || st->head_bytes >= opts.head_flush_bytes ||
                         now - st->head_first_wall >= opts.max_chunk_age_ns ||
                         now - st->head_last_wall >= opts.chunk_idle_period_ns))
      due.emplace_back(tenant, st);
  }
  Status s = CutHeads(due);
  if (!s.ok()) {
    lode::Logf("cutting chunk failed: %s", s.message().c_str());
    return false;
  }
  return true;
}

void Store::Impl::CheckHeadMemory() {
  if (!opts.background_flush) return;
  const int64_t memory = head_memory.load(std::memory_order_relaxed);
  const int64_t limit = static_cast<int64_t>(opts.max_head_bytes);
  if (memory < limit && head_log_bytes.load(std::memory_order_relaxed) < opts.max_head_log_bytes)
    return;
  std::unique_lock<std::mutex> l(stop_mu);
  if (!head_pressure.exchange(true)) stop_cv.notify_all();
  // Past twice the limit, appends wait for the flusher's round (a write
  // stall); bounded, after which memory grows rather than ingest stopping.
  if (memory >= 2 * limit) {
    head_room_cv.wait_for(l, std::chrono::seconds(30),
                          [this] { return stopping || !head_pressure.load(); });
  }
}

void Store::Impl::RotateHeadLog(bool compact_head) {
  if (pin_cf == nullptr) return;  // read-only: nothing to rotate
  std::lock_guard<std::mutex> rl(rotate_mu);
  // A cut refused for want of space would leave heads whose WAL files the
  // rotation is meant to release: rotate only when cuts can be written.
  if (!CheckSpace().ok()) return;
  // After a crash RocksDB replays only the WAL files at or after the oldest
  // unflushed data of any column family (keeping a file from deletion does
  // not make it replay it). Every line appended while `retired` was the
  // anchor is in a WAL file at or after the one its memtable started in;
  // lines appended from here on anchor in `next`, whose memtable is empty
  // (its log number is at most the current file's) or older. So `retired`
  // holds all it held until the cut below reached every head, and only then
  // is it flushed. A crash in between replays from the older of the two.
  rocksdb::ColumnFamilyHandle* retired = anchor_cf.load();
  rocksdb::ColumnFamilyHandle* next = retired == head_cf ? pin_cf : head_cf;
  anchor_cf.store(next, std::memory_order_release);
  head_log_bytes.store(0, std::memory_order_relaxed);
  if (opts.testing_after_anchor_swap) opts.testing_after_anchor_swap();
  // Some head still holds lines of the files `retired` holds: it stays
  // unflushed, and a later rotation that cuts every head releases it.
  if (!CutDue(true)) return;
  if (opts.testing_after_rotation_cut) opts.testing_after_rotation_cut();
  // The other column families' memtables hold the same WAL files; flushing
  // them is safe any time (their data is in RocksDB, not only in the WAL).
  // Waiting: a flush that does not wait is refused while RocksDB has
  // writes stopped.
  std::vector<rocksdb::ColumnFamilyHandle*> cfs = DataFamilies();
  cfs.push_back(retired);
  rocksdb::FlushOptions fo;
  fo.allow_write_stall = true;
  rocksdb::Status s = db->Flush(fo, cfs);
  if (!s.ok()) {
    lode::Logf("flushing memtables failed: %s", s.ToString().c_str());
    return;
  }
  // Head records that earlier versions wrote to the `head` column family
  // (moved to the WAL on open) leave dead SST data, which a compaction
  // drops. It flushes the memtable first: only while `head` is retired.
  uint64_t head_sst = 0;
  if (compact_head && retired == head_cf &&
      db->GetIntProperty(head_cf, "rocksdb.live-sst-files-size", &head_sst) &&
      head_sst > (64 << 10)) {
    rocksdb::CompactRangeOptions co;
    co.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
    s = db->CompactRange(co, head_cf, nullptr, nullptr);
    if (!s.ok()) lode::Logf("compacting the head column family failed: %s", s.ToString().c_str());
  }
}

std::vector<rocksdb::ColumnFamilyHandle*> Store::Impl::DataFamilies() const {
  std::vector<rocksdb::ColumnFamilyHandle*> cfs;
  for (auto* h : handles)
    if (h != head_cf && h != pin_cf) cfs.push_back(h);
  return cfs;
}

void Store::Impl::CutLargest() {
  std::lock_guard<std::mutex> fl(flush_mu);
  std::vector<std::pair<std::string, StreamState*>> streams = AllStreams();
  std::vector<std::pair<size_t, size_t>> heads;  // (memory, index in streams)
  for (size_t i = 0; i < streams.size(); ++i) {
    StreamState* st = streams[i].second;
    std::lock_guard<std::mutex> l(st->mu);
    if (st->has_head) heads.emplace_back(st->head.memory(), i);
  }
  std::sort(heads.begin(), heads.end(), std::greater<>());
  // The largest heads, down to half the limit.
  int64_t excess = head_memory.load(std::memory_order_relaxed) -
                   static_cast<int64_t>(opts.max_head_bytes / 2);
  std::vector<std::pair<std::string_view, StreamState*>> cut;
  for (const auto& [memory, i] : heads) {
    if (excess <= 0) break;
    cut.emplace_back(streams[i].first, streams[i].second);
    excess -= static_cast<int64_t>(memory);
  }
  Status s = CutHeads(cut);
  if (!s.ok()) lode::Logf("cutting chunk failed: %s", s.message().c_str());
}

void Store::Impl::ReleaseIdleMemory() {
  const int64_t last = last_append_steady_ns.load(std::memory_order_relaxed);
  const int64_t now = SteadyNowNs();
  if (now - last < kIdleReleaseNs) return;
  if (last == released_for_append_ns) {
    if (now - last_trim_steady_ns >= 2 * kIdleReleaseNs) {
      malloc_trim(0);
      last_trim_steady_ns = now;
    }
    return;
  }
  released_for_append_ns = last;
  {
    std::lock_guard<std::mutex> l(scratch_mu);
    scratch_pool.clear();
  }
  {
    std::lock_guard<std::mutex> l(flush_mu);
    cut_batch = rocksdb::WriteBatch();
    std::string().swap(cut_chunk);
    std::string().swap(cut_meta);
  }
  bool live_heads = false;
  for (auto& [tenant, st] : AllStreams()) {
    std::lock_guard<std::mutex> l(st->mu);
    if (st->has_head) {
      live_heads = true;
      break;
    }
  }
  if (!live_heads && head_log_bytes.load(std::memory_order_relaxed) > 0) RotateHeadLog();
  rocksdb::FlushOptions fo;
  fo.allow_write_stall = true;
  rocksdb::Status s = db->Flush(fo, DataFamilies());
  if (!s.ok()) lode::Logf("flushing idle memtables failed: %s", s.ToString().c_str());
  malloc_trim(0);
  last_trim_steady_ns = SteadyNowNs();
}

void Store::Impl::FlushLoop() {
  std::unique_lock<std::mutex> l(stop_mu);
  while (!stopping) {
    stop_cv.wait_for(l, std::chrono::seconds(1),
                     [this] { return stopping || head_pressure.load(); });
    if (stopping) break;
    bool pressure = head_pressure.load();
    l.unlock();
    if (pressure) {
      if (head_log_bytes.load(std::memory_order_relaxed) >= opts.max_head_log_bytes) {
        RotateHeadLog();
      } else {
        CutLargest();
      }
      std::lock_guard<std::mutex> pl(stop_mu);
      head_pressure.store(false);
      head_room_cv.notify_all();
    } else {
      CutDue(false);
      ReleaseIdleMemory();
    }
    l.lock();
  }
}

Store::Store(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Store::~Store() = default;

Status Store::Open(const StoreOptions& opts, std::unique_ptr<Store>* out) {
  auto impl = std::make_unique<Impl>();
  impl->opts = opts;
  LODE_RETURN_IF_ERROR(impl->Open());
  out->reset(new Store(std::move(impl)));
  return Status::OK();
}

uint64_t Store::AvailableBytes(const std::string& dir) {
  struct statvfs st;
  if (statvfs(dir.c_str(), &st) != 0) return UINT64_MAX;
  return static_cast<uint64_t>(st.f_bavail) * st.f_frsize;
}

uint64_t Store::MinFreeBytesToWrite(const StoreOptions& opts) {
  if (opts.min_free_space > 0) return opts.min_free_space;
  return std::max<uint64_t>(opts.rocksdb.head_write_buffer_size + (16u << 20), 32u << 20);
}

Status Store::Append(std::string_view tenant, const Labels& labels,
                     std::span<const EntryRef> entries) {
  StreamEntries s{&labels, entries};
  return impl_->AppendMany(tenant, std::span<const StreamEntries>(&s, 1));
}

Status Store::AppendMany(std::string_view tenant, std::span<const StreamEntries> streams) {
  return impl_->AppendMany(tenant, streams);
}

Status Store::AppendManyWithState(std::string_view tenant, std::span<const StreamEntries> streams,
                                  std::span<const std::pair<std::string, std::string>> state) {
  return impl_->AppendMany(tenant, streams, state);
}

Status Store::ReadState(std::string_view prefix,
                        std::vector<std::pair<std::string, std::string>>* out) {
  std::string p = "x" + std::string(prefix);
  std::unique_ptr<rocksdb::Iterator> it(
      impl_->db->NewIterator(rocksdb::ReadOptions(), impl_->meta_cf));
  for (it->Seek(p); it->Valid() && it->key().starts_with(p); it->Next()) {
    out->emplace_back(it->key().ToString().substr(1), it->value().ToString());
  }
  return FromRocks(it->status());
}

Status Store::Flush() {
  if (impl_->opts.read_only) return Status::OK();
  impl_->RotateHeadLog(/*compact_head=*/true);  // cuts every head
  // Not the anchors: they hold the WAL of heads appended meanwhile.
  rocksdb::FlushOptions fo;
  return FromRocks(impl_->db->Flush(fo, impl_->DataFamilies()));
}

int64_t Store::Now() const { return impl_->Now(); }

void Store::SetRetentionPolicy(std::shared_ptr<const RetentionPolicy> policy) {
  if (!policy) policy = std::make_shared<RetentionPolicy>();
  std::lock_guard<std::mutex> l(impl_->policy_mu);
  impl_->policy = std::move(policy);
}

std::shared_ptr<const RetentionPolicy> Store::retention_policy() const { return impl_->Policy(); }

int64_t Store::RetentionCutoff(std::string_view tenant, const Labels& stream) const {
  return impl_->Policy()->CutoffFor(tenant, stream, impl_->Now());
}

Status Store::RunCompaction(CompactionReport* report) {
  CompactionReport unused;
  return impl_->RunCompaction(report ? report : &unused);
}

}  // namespace lode
