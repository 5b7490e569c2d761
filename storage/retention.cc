// Retention policy lookups and compaction runs (Store::RunCompaction).
//
// A run, for every stream whose retention cutoff is set:
//   1. cuts the head early when it holds entries older than the cutoff (its
//      smallest timestamp is tracked in memory), so that they end up in
//      chunks that step 2 can drop;
//   2. deletes the chunks (and their metas) whose max_ts is older than the
//      cutoff: one DeleteRange over the stream's chunk keys below the cutoff
//      when every chunk there has expired, point deletes otherwise (a chunk
//      straddling the cutoff is kept until it expires as a whole; reads hide
//      its expired entries);
//   3. deletes the stream's index keys of days that ended before the cutoff.
// Then it applies due delete requests (deletes.cc), flushes memtables and
// compacts every column family. Dropping the chunk keys turns their blobs
// into garbage; blob files that are entirely garbage are deleted, and blob
// garbage collection is forced for the oldest blob files up to the newest one
// that holds a significant share of garbage.
//
// Runs are resumable: every batch that drops data also writes the meta key
// kCompactionPendingKey, which is deleted only after CompactAll finished. A
// run killed in between (the drops are durable, the compaction is not) leaves
// the key, and the next run compacts even though it finds nothing left to
// drop; without it those bytes would stay on disk for good. Expiry, index
// pruning and delete rewrites are idempotent, so a run killed before its
// drops were written simply does them again.
#include "storage/retention.h"

#include <rocksdb/metadata.h>
#include <rocksdb/options.h>

#include <algorithm>
#include <chrono>
#include <cstdio>

#include "base/coding.h"
#include "base/log.h"
#include "storage/store_impl.h"

namespace lode {

using format::FromRocks;

const TenantRetention& RetentionPolicy::For(std::string_view tenant) const {
  auto it = tenants_.find(tenant);
  return it == tenants_.end() ? defaults_ : it->second;
}

int64_t RetentionPolicy::PeriodFor(std::string_view tenant, const Labels& stream) const {
  const TenantRetention& t = For(tenant);
  const RetentionStreamRule* matched = nullptr;
  for (const auto& rule : t.streams) {
    bool ok = true;
    for (const auto& m : rule.matchers) {
      const std::string* v = FindLabel(stream, m->name());
      if (!m->Matches(v ? std::string_view(*v) : std::string_view())) {
        ok = false;
        break;
      }
    }
    if (!ok) continue;
    // Highest priority wins; on equal priority the shortest period.
    if (matched && (matched->priority > rule.priority ||
                    (matched->priority == rule.priority && matched->period_ns <= rule.period_ns)))
      continue;
    matched = &rule;
  }
  return matched ? matched->period_ns : t.period_ns;
}

int64_t RetentionPolicy::CutoffFor(std::string_view tenant, const Labels& stream,
                                   int64_t now_ns) const {
  return CutoffOf(PeriodFor(tenant, stream), now_ns);
}

int64_t RetentionPolicy::LatestCutoff(std::string_view tenant, int64_t now_ns) const {
  const TenantRetention& t = For(tenant);
  int64_t cutoff = CutoffOf(t.period_ns, now_ns);
  for (const auto& r : t.streams) cutoff = std::max(cutoff, CutoffOf(r.period_ns, now_ns));
  return cutoff;
}

bool RetentionPolicy::KeepsEverything() const {
  auto keeps = [](const TenantRetention& t) { return t.period_ns <= 0 && t.streams.empty(); };
  if (!keeps(defaults_)) return false;
  for (const auto& [name, t] : tenants_)
    if (!keeps(t)) return false;
  return true;
}

uint64_t Store::Impl::DiskBytes() {
  uint64_t total = 0, v = 0;
  for (auto* h : handles) {
    if (db->GetIntProperty(h, "rocksdb.total-sst-files-size", &v)) total += v;
    if (db->GetIntProperty(h, "rocksdb.total-blob-file-size", &v)) total += v;
  }
  return total;
}

Status Store::Impl::ExpireStream(const std::string& tenant, StreamState* st, int64_t cutoff,
                                 CompactionReport* r) {
  std::lock_guard<std::mutex> fl(flush_mu);
  std::string prefix = format::StreamPrefix(tenant, st->id);
  bool head_expired;
  {
    std::lock_guard<std::mutex> l(st->mu);
    head_expired = st->has_head && st->head_min_ts < cutoff;
  }
  if (head_expired) {
    LODE_RETURN_IF_ERROR(CutHead(tenant, st));
    r->heads_cut++;
  }
  std::string upper_key = prefix;
  PutTsKey(&upper_key, cutoff);
  rocksdb::Slice upper(upper_key);
  rocksdb::ReadOptions ro;
  ro.iterate_upper_bound = &upper;
  std::vector<std::string> dead;
  bool straddles = false;
  {
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(ro, chunkmeta_cf));
    for (it->Seek(prefix); it->Valid(); it->Next()) {
      ChunkMeta m;
      if (!format::DecodeMeta(it->value().ToStringView(), &m))
        return Status::IOError("corrupt chunk meta");
      if (m.max_ts < cutoff) {
        dead.push_back(it->key().ToString());
      } else {
        straddles = true;
      }
    }
    LODE_RETURN_IF_ERROR(FromRocks(it->status()));
  }
  if (dead.empty()) return Status::OK();
  rocksdb::WriteBatch batch;
  batch.Put(meta_cf, format::kCompactionPendingKey, "");
  if (!straddles) {
    batch.DeleteRange(chunkmeta_cf, prefix, upper_key);
    batch.DeleteRange(chunk_cf, prefix, upper_key);
  } else {
    for (const auto& k : dead) {
      batch.Delete(chunkmeta_cf, k);
      batch.Delete(chunk_cf, k);
    }
  }
  {
    ChunkWrite chunk_write(this, st);  // the cached chunk list goes stale
    LODE_RETURN_IF_ERROR(Commit(&batch, /*frees_space=*/true));
  }
  r->chunks_deleted += dead.size();
  r->streams_expired++;
  total_chunks_expired += dead.size();
  return Status::OK();
}

Status Store::Impl::PruneIndex(const std::string& tenant, StreamState* st, int64_t cutoff,
                               CompactionReport* r) {
  if (cutoff <= format::kDayNs) return Status::OK();
  uint32_t first_kept = format::DayOf(cutoff);  // days before this one ended before the cutoff
  std::vector<uint32_t> days;
  {
    std::shared_lock<std::shared_mutex> l(mu);
    auto t = tenants.find(tenant);
    if (t == tenants.end()) return Status::OK();
    for (uint32_t d : t->second.days) {
      if (d >= first_kept) break;
      days.push_back(d);
    }
  }
  if (days.empty()) return Status::OK();
  rocksdb::WriteBatch batch;
  std::string unused;
  for (uint32_t d : days) {
    std::string dk = format::IndexDayKey(tenant, d, st->id);
    rocksdb::Status s = db->Get(rocksdb::ReadOptions(), index_cf, dk, &unused);
    if (s.IsNotFound()) continue;
    LODE_RETURN_IF_ERROR(FromRocks(s));
    batch.Delete(index_cf, dk);
    for (const auto& l : st->labels)
      batch.Delete(index_cf, format::IndexLabelKey(tenant, d, l.name, l.value, st->id));
    r->index_keys_deleted += 1 + st->labels.size();
    std::lock_guard<std::mutex> l(st->mu);
    if (st->last_day_indexed == d) st->last_day_indexed = -1;
  }
  if (batch.Count() == 0) return Status::OK();
  batch.Put(meta_cf, format::kCompactionPendingKey, "");
  Status s = Commit(&batch, /*frees_space=*/true);
  std::unique_lock<std::shared_mutex> l(mu);
  TenantState& ts = tenants[tenant];
  for (uint32_t d : days) {  // cached day lists and label sets (store_read.cc)
    ts.day_ids.erase(d);
    ts.day_labels.erase(d);
  }
  ++ts.day_ids_gen;
  return s;
}

namespace {

// The blob age cutoff for a forced GC: the oldest blob files up to the
// newest one whose garbage share is at least 1/4 (0: none).
double BlobGcAgeCutoff(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* cf) {
  rocksdb::ColumnFamilyMetaData meta;
  db->GetColumnFamilyMetaData(cf, &meta);
  auto files = meta.blob_files;
  if (files.empty()) return 0;
  std::sort(files.begin(), files.end(),
            [](const rocksdb::BlobMetaData& a, const rocksdb::BlobMetaData& b) {
              return a.blob_file_number < b.blob_file_number;
            });
  size_t last = 0;
  for (size_t i = 0; i < files.size(); ++i) {
    const auto& f = files[i];
    if (f.total_blob_bytes > 0 && f.garbage_blob_bytes * 4 >= f.total_blob_bytes) last = i + 1;
  }
  return static_cast<double>(last) / static_cast<double>(files.size());
}

}  // namespace

Status Store::Impl::CompactAll() {
  // Not the anchors (`head`, `pin`): flushing (or compacting, which
  // flushes) their memtables would let RocksDB skip WAL files holding uncut
  // heads after a crash; RotateHeadLog is the one place that does it.
  std::vector<rocksdb::ColumnFamilyHandle*> cfs = DataFamilies();
  rocksdb::FlushOptions fo;
  LODE_RETURN_IF_ERROR(FromRocks(db->Flush(fo, cfs)));
  rocksdb::CompactRangeOptions co;
  co.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
  co.blob_garbage_collection_policy = rocksdb::BlobGarbageCollectionPolicy::kDisable;
  for (auto* h : cfs) LODE_RETURN_IF_ERROR(FromRocks(db->CompactRange(co, h, nullptr, nullptr)));
  // Dropping keys made blob files (partly) garbage; relocate the live blobs of
  // the oldest files when enough of them is garbage.
  double cutoff = BlobGcAgeCutoff(db.get(), chunk_cf);
  if (cutoff > 0) {
    co.blob_garbage_collection_policy = rocksdb::BlobGarbageCollectionPolicy::kForce;
    co.blob_garbage_collection_age_cutoff = cutoff;
    LODE_RETURN_IF_ERROR(FromRocks(db->CompactRange(co, chunk_cf, nullptr, nullptr)));
  }
  return Status::OK();
}

Status Store::Impl::RunCompaction(CompactionReport* report) {
  std::lock_guard<std::mutex> cl(compact_mu);
  *report = CompactionReport();
  report->disk_bytes_before = DiskBytes();
  std::string unused;
  rocksdb::Status ps =
      db->Get(rocksdb::ReadOptions(), meta_cf, format::kCompactionPendingKey, &unused);
  if (!ps.ok() && !ps.IsNotFound()) return FromRocks(ps);
  const bool resumed = ps.ok();
  if (resumed) lode::Logf("compaction: resuming an interrupted run");
  auto pol = Policy();
  int64_t now = Now();
  if (!pol->KeepsEverything()) {
    std::map<std::string, std::set<uint32_t>> touched;
    for (auto& [tenant, st] : AllStreams()) {
      int64_t cutoff = pol->CutoffFor(tenant, st->labels, now);
      if (cutoff == INT64_MIN) continue;
      LODE_RETURN_IF_ERROR(ExpireStream(tenant, st, cutoff, report));
      LODE_RETURN_IF_ERROR(PruneIndex(tenant, st, cutoff, report));
    }
    // Forget the days that have no index key left.
    std::vector<std::pair<std::string, uint32_t>> empty_days;
    {
      std::shared_lock<std::shared_mutex> l(mu);
      std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions(), index_cf));
      for (const auto& [tenant, ts] : tenants) {
        for (uint32_t d : ts.days) {
          std::string p = format::IndexDayPrefix(tenant, d);
          it->Seek(p);
          if (!it->Valid() || !it->key().starts_with(p)) empty_days.push_back({tenant, d});
        }
      }
    }
    if (!empty_days.empty()) {
      std::unique_lock<std::shared_mutex> l(mu);
      for (const auto& [t, d] : empty_days) tenants[t].days.erase(d);
    }
  }
  LODE_RETURN_IF_ERROR(ApplyDeleteRequests(report));
  if (resumed || report->chunks_deleted || report->chunks_rewritten || report->index_keys_deleted ||
      report->heads_cut) {
    LODE_RETURN_IF_ERROR(CompactAll());
    rocksdb::WriteBatch done;
    done.Delete(meta_cf, format::kCompactionPendingKey);
    LODE_RETURN_IF_ERROR(Commit(&done, /*frees_space=*/true));
  }
  report->disk_bytes_after = DiskBytes();
  total_runs++;
  return Status::OK();
}

void Store::Impl::CompactLoop() {
  std::unique_lock<std::mutex> l(stop_mu);
  while (!stopping) {
    // stop_cv also wakes the flusher on head pressure: only stopping or the
    // interval ends this wait (a woken compactor ran a whole compaction
    // every few seconds while many streams kept heads under pressure).
    const auto until =
        std::chrono::steady_clock::now() + std::chrono::nanoseconds(opts.compaction_interval_ns);
    stop_cv.wait_until(l, until, [this] { return stopping; });
    if (stopping) break;
    l.unlock();
    CompactionReport r;
    Status s = RunCompaction(&r);
    if (!s.ok()) {
      lode::Logf("compaction failed: %s", s.message().c_str());
    } else if (r.chunks_deleted || r.chunks_rewritten || r.delete_requests_processed) {
      lode::Logf(
          "compaction: %llu chunks deleted, %llu rewritten, %llu entries deleted, %llu delete "
          "requests "
          "processed; disk %llu -> %llu bytes\n",
          static_cast<unsigned long long>(r.chunks_deleted),
          static_cast<unsigned long long>(r.chunks_rewritten),
          static_cast<unsigned long long>(r.entries_deleted),
          static_cast<unsigned long long>(r.delete_requests_processed),
          static_cast<unsigned long long>(r.disk_bytes_before),
          static_cast<unsigned long long>(r.disk_bytes_after));
    }
    l.lock();
  }
}

}  // namespace lode
