#include "storage/store.h"

#include <rocksdb/db.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/table.h>
#include <rocksdb/write_batch.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <set>
#include <shared_mutex>
#include <thread>
#include <unordered_set>

#include "storage/chunk.h"
#include "storage/coding.h"

namespace lode {

namespace {

constexpr int64_t kDayNs = 86400LL * 1000000000LL;

int64_t SystemNowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

uint32_t DayOf(int64_t ts) { return ts <= 0 ? 0 : static_cast<uint32_t>(ts / kDayNs); }

Status FromRocks(const rocksdb::Status& s) {
  if (s.ok()) return Status::OK();
  return Status::IOError("storage: " + s.ToString());
}

std::string StreamPrefix(std::string_view tenant, uint64_t id) {
  std::string k(tenant);
  k.push_back('\0');
  PutBE64(&k, id);
  return k;
}

std::string PrefixEnd(std::string p) {
  // Smallest key greater than every key with prefix p.
  while (!p.empty() && static_cast<unsigned char>(p.back()) == 0xff) p.pop_back();
  if (!p.empty()) p.back() = static_cast<char>(static_cast<unsigned char>(p.back()) + 1);
  return p;
}

void EncodeHeadRecord(std::span<const EntryRef> entries, std::string* out) {
  PutVarint(out, entries.size());
  for (const auto& e : entries) {
    PutVarint(out, ZigZag(e.ts));
    PutLengthPrefixed(out, e.line);
    PutVarint(out, e.n_md);
    for (uint32_t i = 0; i < e.n_md; ++i) {
      PutLengthPrefixed(out, e.md[i].name);
      PutLengthPrefixed(out, e.md[i].value);
    }
  }
}

// Appends the entries of a head record (views into `rec`) to out.
Status DecodeHeadRecord(std::string_view rec, std::vector<OwnedEntry>* out) {
  const char* p = rec.data();
  const char* end = p + rec.size();
  uint64_t n;
  if (!GetVarint(&p, end, &n)) return Status::IOError("corrupt head record");
  for (uint64_t i = 0; i < n; ++i) {
    OwnedEntry e;
    uint64_t ts, k;
    if (!GetVarint(&p, end, &ts) || !GetLengthPrefixed(&p, end, &e.line) || !GetVarint(&p, end, &k))
      return Status::IOError("corrupt head record");
    e.ts = UnZigZag(ts);
    for (uint64_t j = 0; j < k; ++j) {
      LabelView lv;
      if (!GetLengthPrefixed(&p, end, &lv.name) || !GetLengthPrefixed(&p, end, &lv.value))
        return Status::IOError("corrupt head record");
      e.md.push_back(lv);
    }
    e.order = out->size();
    out->push_back(std::move(e));
  }
  return Status::OK();
}

void EncodeMeta(const ChunkMeta& m, std::string* out) {
  PutVarint(out, ZigZag(m.min_ts));
  PutVarint(out, ZigZag(m.max_ts));
  PutVarint(out, m.entries);
  PutVarint(out, m.raw_bytes);
  PutVarint(out, m.size);
}

bool DecodeMeta(std::string_view v, ChunkMeta* m) {
  const char* p = v.data();
  const char* end = p + v.size();
  uint64_t a, b, c;
  if (!GetVarint(&p, end, &a) || !GetVarint(&p, end, &b) || !GetVarint(&p, end, &c) ||
      !GetVarint(&p, end, &m->raw_bytes) || !GetVarint(&p, end, &m->size))
    return false;
  m->min_ts = UnZigZag(a);
  m->max_ts = UnZigZag(b);
  m->entries = static_cast<uint32_t>(c);
  return true;
}

// Emits sorted entries in `dir` order in batches.
bool EmitEntries(const std::vector<OwnedEntry>& v, Direction dir, const BatchVisitor& visit,
                 ScanStats* stats) {
  EntryBatch b;
  auto flush = [&]() {
    if (!b.size()) return true;
    bool cont = visit(b);
    b.clear();
    return cont;
  };
  size_t n = v.size();
  for (size_t k = 0; k < n; ++k) {
    const OwnedEntry& e = v[dir == Direction::kForward ? k : n - 1 - k];
    if (b.md_begin.empty()) b.md_begin.push_back(0);
    b.ts.push_back(e.ts);
    b.line.push_back(e.line);
    for (const auto& l : e.md) b.md.push_back(l);
    b.md_begin.push_back(static_cast<uint32_t>(b.md.size()));
    if (stats) {
      stats->lines_scanned++;
      stats->bytes_scanned += e.line.size();
    }
    if (b.size() >= 1024 && !flush()) return false;
  }
  return flush();
}

}  // namespace

struct StreamState {
  uint64_t id = 0;
  Labels labels;
  std::mutex mu;  // guards the fields below and serialises appends of this stream
  bool has_head = false;
  uint64_t head_bytes = 0;
  uint64_t head_first_seq = 0;
  uint64_t head_last_seq = 0;
  int64_t head_first_wall = 0;
  int64_t head_last_wall = 0;
  int64_t last_day_indexed = -1;
};

struct TenantState {
  std::unordered_map<std::string, StreamState*> by_key;  // LabelsToString -> stream
  std::unordered_map<uint64_t, std::unique_ptr<StreamState>> by_id;
  std::set<uint32_t> days;  // days that have index entries
};

class Store::Impl {
 public:
  StoreOptions opts;
  std::unique_ptr<rocksdb::DB> db;
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

  std::mutex flush_mu;  // one cutter at a time
  std::thread flusher;
  std::mutex stop_mu;
  std::condition_variable stop_cv;
  bool stopping = false;

  int64_t Now() const { return opts.clock ? opts.clock() : SystemNowNs(); }

  ~Impl() {
    {
      std::lock_guard<std::mutex> l(stop_mu);
      stopping = true;
    }
    stop_cv.notify_all();
    if (flusher.joinable()) flusher.join();
    if (db) {
      for (auto* h : handles) db->DestroyColumnFamilyHandle(h);
      db->Close();
    }
  }

  Status Open() {
    rocksdb::Options o;
    o.create_if_missing = true;
    o.create_missing_column_families = true;
    o.max_background_jobs = 2;
    o.db_write_buffer_size = 96 << 20;
    o.keep_log_file_num = 3;
    o.max_manifest_file_size = 64 << 20;
    rocksdb::BlockBasedTableOptions t;
    t.block_cache = rocksdb::NewLRUCache(32 << 20);
    t.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
    o.table_factory.reset(rocksdb::NewBlockBasedTableFactory(t));

    rocksdb::ColumnFamilyOptions small(o);
    small.compression = rocksdb::kLZ4Compression;
    small.write_buffer_size = 8 << 20;
    rocksdb::ColumnFamilyOptions head(o);
    head.compression = rocksdb::kLZ4Compression;
    head.write_buffer_size = 64 << 20;
    rocksdb::ColumnFamilyOptions chunks(o);
    chunks.compression = rocksdb::kNoCompression;  // values are zstd already
    chunks.write_buffer_size = 16 << 20;
    chunks.enable_blob_files = true;
    chunks.min_blob_size = 512;
    chunks.enable_blob_garbage_collection = true;

    std::vector<rocksdb::ColumnFamilyDescriptor> cfs = {
        {rocksdb::kDefaultColumnFamilyName, small},
        {"head", head},
        {"chunks", chunks},
        {"chunkmeta", small},
        {"index", small},
    };
    rocksdb::DB* raw = nullptr;
    LODE_RETURN_IF_ERROR(FromRocks(rocksdb::DB::Open(o, opts.dir, cfs, &handles, &raw)));
    db.reset(raw);
    meta_cf = handles[0];
    head_cf = handles[1];
    chunk_cf = handles[2];
    chunkmeta_cf = handles[3];
    index_cf = handles[4];
    LODE_RETURN_IF_ERROR(LoadRegistry());
    LODE_RETURN_IF_ERROR(LoadHeads());
    if (opts.background_flush) flusher = std::thread([this] { FlushLoop(); });
    return Status::OK();
  }

  Status LoadRegistry() {
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
        std::string next = p;
        PutBE32(&next, day + 1);
        ix->Seek(next);
      }
    }
    return FromRocks(ix->status());
  }

  Status LoadHeads() {
    uint64_t max_seq = 0;
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions(), head_cf));
    int64_t now = Now();
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      auto k = it->key();
      if (k.size() < 17) continue;
      std::string tenant(k.data(), k.size() - 17);
      uint64_t id = GetBE64(k.data() + k.size() - 16);
      uint64_t sq = GetBE64(k.data() + k.size() - 8);
      max_seq = std::max(max_seq, sq);
      auto t = tenants.find(tenant);
      if (t == tenants.end()) continue;
      auto s = t->second.by_id.find(id);
      if (s == t->second.by_id.end()) continue;
      StreamState* st = s->second.get();
      if (!st->has_head) {
        st->has_head = true;
        st->head_first_seq = sq;
        st->head_first_wall = now;
      }
      st->head_last_seq = sq;
      st->head_last_wall = now;
      st->head_bytes += it->value().size();
    }
    seq = std::max<uint64_t>(max_seq + 1, static_cast<uint64_t>(SystemNowNs()));
    return FromRocks(it->status());
  }

  // Finds or creates the stream; new streams are registered in `batch`.
  StreamState* GetOrCreate(std::string_view tenant, const Labels& labels, rocksdb::WriteBatch* batch) {
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
    std::string k = "s" + std::string(tenant) + std::string(1, '\0') + key;
    std::string idv;
    PutBE64(&idv, st->id);
    batch->Put(meta_cf, k, idv);
    std::string ik = "i" + std::string(tenant) + std::string(1, '\0');
    PutBE64(&ik, st->id);
    batch->Put(meta_cf, ik, key);
    std::string nv;
    PutBE64(&nv, next_id);
    batch->Put(meta_cf, "next_id", nv);
    StreamState* ptr = st.get();
    ts.by_key[key] = ptr;
    ts.by_id[ptr->id] = std::move(st);
    return ptr;
  }

  void IndexDay(std::string_view tenant, StreamState* st, uint32_t day, rocksdb::WriteBatch* b) {
    std::string base(tenant);
    base.push_back('\0');
    std::string d = base + "D";
    PutBE32(&d, day);
    PutBE64(&d, st->id);
    b->Put(index_cf, d, "");
    for (const auto& l : st->labels) {
      std::string k = base + "L";
      PutBE32(&k, day);
      k += l.name;
      k.push_back('\0');
      k += l.value;
      k.push_back('\0');
      PutBE64(&k, st->id);
      b->Put(index_cf, k, "");
    }
  }

  Status AppendMany(std::string_view tenant, std::span<const StreamEntries> streams) {
    if (tenant.find('\0') != std::string_view::npos) return Status::InvalidArgument("invalid tenant");
    rocksdb::WriteBatch batch;
    std::vector<StreamState*> sts;
    sts.reserve(streams.size());
    for (const auto& s : streams) sts.push_back(GetOrCreate(tenant, *s.labels, &batch));
    // Lock streams in id order (several pushes may touch the same streams).
    std::vector<size_t> order(streams.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return sts[a]->id < sts[b]->id; });
    std::vector<std::unique_lock<std::mutex>> locks;
    StreamState* prev = nullptr;
    for (size_t i : order) {
      if (sts[i] == prev) continue;
      locks.emplace_back(sts[i]->mu);
      prev = sts[i];
    }
    std::vector<uint64_t> seqs(streams.size());
    std::vector<size_t> sizes(streams.size());
    std::set<std::pair<std::string, uint32_t>> new_days;
    std::string rec;
    for (size_t i = 0; i < streams.size(); ++i) {
      if (streams[i].entries.empty()) continue;
      StreamState* st = sts[i];
      rec.clear();
      EncodeHeadRecord(streams[i].entries, &rec);
      seqs[i] = seq.fetch_add(1);
      sizes[i] = rec.size();
      std::string k = StreamPrefix(tenant, st->id);
      PutBE64(&k, seqs[i]);
      batch.Put(head_cf, k, rec);
      int64_t last_day = -1;
      for (const auto& e : streams[i].entries) {
        int64_t day = DayOf(e.ts);
        if (day == last_day || day == st->last_day_indexed) continue;
        last_day = day;
        IndexDay(tenant, st, static_cast<uint32_t>(day), &batch);
        new_days.insert({std::string(tenant), static_cast<uint32_t>(day)});
      }
    }
    rocksdb::WriteOptions wo;
    wo.sync = opts.sync_writes;
    LODE_RETURN_IF_ERROR(FromRocks(db->Write(wo, &batch)));
    int64_t now = Now();
    for (size_t i = 0; i < streams.size(); ++i) {
      if (streams[i].entries.empty()) continue;
      StreamState* st = sts[i];
      if (!st->has_head) {
        st->has_head = true;
        st->head_first_seq = seqs[i];
        st->head_first_wall = now;
        st->head_bytes = 0;
      }
      st->head_last_seq = std::max(st->head_last_seq, seqs[i]);
      st->head_last_wall = now;
      st->head_bytes += sizes[i];
      st->last_day_indexed = DayOf(streams[i].entries.back().ts);
    }
    locks.clear();
    if (!new_days.empty()) {
      std::unique_lock<std::shared_mutex> l(mu);
      for (const auto& [t, d] : new_days) tenants[t].days.insert(d);
    }
    return Status::OK();
  }

  // Moves the head records of a stream into chunks.
  Status CutHead(std::string_view tenant, StreamState* st) {
    uint64_t first, last;
    {
      std::lock_guard<std::mutex> l(st->mu);
      if (!st->has_head) return Status::OK();
      first = st->head_first_seq;
      last = st->head_last_seq;
      st->has_head = false;
      st->head_bytes = 0;
    }
    std::string prefix = StreamPrefix(tenant, st->id);
    std::string lo = prefix, hi = prefix;
    PutBE64(&lo, first);
    PutBE64(&hi, last + 1);
    std::deque<std::string> recs;
    std::vector<OwnedEntry> entries;
    {
      rocksdb::ReadOptions ro;
      rocksdb::Slice upper(hi);
      ro.iterate_upper_bound = &upper;
      std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(ro, head_cf));
      for (it->Seek(lo); it->Valid(); it->Next()) {
        recs.push_back(it->value().ToString());
        LODE_RETURN_IF_ERROR(DecodeHeadRecord(recs.back(), &entries));
      }
      LODE_RETURN_IF_ERROR(FromRocks(it->status()));
    }
    SortAndDedup(&entries);
    rocksdb::WriteBatch batch;
    size_t max_raw = std::max<size_t>(opts.chunk_target_size * 8, opts.block_size);
    std::string chunk, mv;
    size_t b = 0;
    while (b < entries.size()) {
      size_t e = b, raw = 0;
      while (e < entries.size() && (e == b || raw + entries[e].line.size() <= max_raw)) raw += entries[e++].line.size();
      ChunkMeta meta;
      EncodeChunk(entries.data() + b, entries.data() + e, opts.block_size, opts.zstd_level, &chunk, &meta);
      std::string k = prefix;
      PutTsKey(&k, meta.min_ts);
      PutBE64(&k, seq.fetch_add(1));
      mv.clear();
      EncodeMeta(meta, &mv);
      batch.Put(chunk_cf, k, chunk);
      batch.Put(chunkmeta_cf, k, mv);
      chunks_written++;
      b = e;
    }
    batch.DeleteRange(head_cf, lo, hi);
    rocksdb::WriteOptions wo;
    wo.sync = opts.sync_writes;
    Status s = FromRocks(db->Write(wo, &batch));
    if (!s.ok()) {
      std::lock_guard<std::mutex> l(st->mu);
      // Keep the records accounted as head so that a later cut retries them.
      if (!st->has_head) {
        st->has_head = true;
        st->head_last_seq = last;
      }
      st->head_first_seq = first;
    }
    return s;
  }

  std::vector<std::pair<std::string, StreamState*>> AllStreams() {
    std::vector<std::pair<std::string, StreamState*>> out;
    std::shared_lock<std::shared_mutex> l(mu);
    for (auto& [t, ts] : tenants)
      for (auto& [id, st] : ts.by_id) out.push_back({t, st.get()});
    return out;
  }

  void CutDue(bool all) {
    std::lock_guard<std::mutex> fl(flush_mu);
    int64_t now = Now();
    for (auto& [tenant, st] : AllStreams()) {
      bool due;
      {
        std::lock_guard<std::mutex> l(st->mu);
        due = st->has_head &&
              (all || st->head_bytes >= opts.head_flush_bytes ||
               now - st->head_first_wall >= opts.max_chunk_age_ns ||
               now - st->head_last_wall >= opts.chunk_idle_period_ns);
      }
      if (due) {
        Status s = CutHead(tenant, st);
        if (!s.ok()) fprintf(stderr, "lode: cutting chunk failed: %s\n", s.message().c_str());
      }
    }
  }

  void FlushLoop() {
    std::unique_lock<std::mutex> l(stop_mu);
    while (!stopping) {
      stop_cv.wait_for(l, std::chrono::seconds(1));
      if (stopping) break;
      l.unlock();
      CutDue(false);
      l.lock();
    }
  }

  StreamState* Find(std::string_view tenant, uint64_t id) {
    std::shared_lock<std::shared_mutex> l(mu);
    auto t = tenants.find(tenant);
    if (t == tenants.end()) return nullptr;
    auto s = t->second.by_id.find(id);
    return s == t->second.by_id.end() ? nullptr : s->second.get();
  }

  Status SelectIds(std::string_view tenant, const std::vector<MatcherPtr>& matchers, int64_t start,
                   int64_t end, std::vector<StreamState*>* out) {
    std::vector<uint32_t> days;
    {
      std::shared_lock<std::shared_mutex> l(mu);
      auto t = tenants.find(tenant);
      if (t == tenants.end()) return Status::OK();
      uint32_t d0 = DayOf(start), d1 = DayOf(end > start ? end - 1 : start);
      for (auto it = t->second.days.lower_bound(d0); it != t->second.days.end() && *it <= d1; ++it)
        days.push_back(*it);
    }
    // The most selective index probe: an equality matcher with a non-empty value.
    const LabelMatcher* eq = nullptr;
    for (const auto& m : matchers)
      if (m->type() == MatchType::kEqual && !m->value().empty()) {
        eq = m.get();
        break;
      }
    std::unordered_set<uint64_t> ids;
    std::string base(tenant);
    base.push_back('\0');
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions(), index_cf));
    for (uint32_t day : days) {
      std::string p;
      if (eq) {
        p = base + "L";
        PutBE32(&p, day);
        p += eq->name();
        p.push_back('\0');
        p += eq->value();
        p.push_back('\0');
      } else {
        p = base + "D";
        PutBE32(&p, day);
      }
      for (it->Seek(p); it->Valid() && it->key().starts_with(p); it->Next()) {
        if (it->key().size() < p.size() + 8) continue;
        ids.insert(GetBE64(it->key().data() + it->key().size() - 8));
      }
      LODE_RETURN_IF_ERROR(FromRocks(it->status()));
    }
    std::shared_lock<std::shared_mutex> l(mu);
    auto t = tenants.find(tenant);
    if (t == tenants.end()) return Status::OK();
    for (uint64_t id : ids) {
      auto s = t->second.by_id.find(id);
      if (s == t->second.by_id.end()) continue;
      StreamState* st = s->second.get();
      bool ok = true;
      for (const auto& m : matchers) {
        const std::string* v = FindLabel(st->labels, m->name());
        if (!m->Matches(v ? std::string_view(*v) : std::string_view())) {
          ok = false;
          break;
        }
      }
      if (ok) out->push_back(st);
    }
    return Status::OK();
  }

  Status Scan(std::string_view tenant, uint64_t id, int64_t start, int64_t end, Direction dir,
              const BatchVisitor& visit, ScanStats* stats);
};

Status Store::Impl::Scan(std::string_view tenant, uint64_t id, int64_t start, int64_t end,
                         Direction dir, const BatchVisitor& visit, ScanStats* stats) {
  if (end <= start) return Status::OK();
  const rocksdb::Snapshot* snap = db->GetSnapshot();
  struct Release {
    rocksdb::DB* db;
    const rocksdb::Snapshot* s;
    ~Release() { db->ReleaseSnapshot(s); }
  } release{db.get(), snap};
  rocksdb::ReadOptions ro;
  ro.snapshot = snap;
  std::string prefix = StreamPrefix(tenant, id);

  // Sources: chunks overlapping the range, plus the head records as one source.
  struct Source {
    int64_t min_ts, max_ts;
    std::string key;  // chunk key; empty for the head
  };
  std::vector<Source> sources;
  {
    std::string upper_key = prefix;
    PutTsKey(&upper_key, end);
    rocksdb::Slice upper(upper_key);
    rocksdb::ReadOptions mo = ro;
    mo.iterate_upper_bound = &upper;
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(mo, chunkmeta_cf));
    for (it->Seek(prefix); it->Valid(); it->Next()) {
      ChunkMeta m;
      if (!DecodeMeta(it->value().ToStringView(), &m)) return Status::IOError("corrupt chunk meta");
      if (m.max_ts < start) continue;
      sources.push_back({m.min_ts, m.max_ts, it->key().ToString()});
    }
    LODE_RETURN_IF_ERROR(FromRocks(it->status()));
  }
  std::deque<std::string> head_recs;
  std::vector<OwnedEntry> head;
  {
    std::string upper_key = PrefixEnd(prefix);
    rocksdb::Slice upper(upper_key);
    rocksdb::ReadOptions ho = ro;
    ho.iterate_upper_bound = &upper;
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(ho, head_cf));
    std::vector<OwnedEntry> all;
    for (it->Seek(prefix); it->Valid(); it->Next()) {
      head_recs.push_back(it->value().ToString());
      LODE_RETURN_IF_ERROR(DecodeHeadRecord(head_recs.back(), &all));
    }
    LODE_RETURN_IF_ERROR(FromRocks(it->status()));
    for (auto& e : all)
      if (e.ts >= start && e.ts < end) head.push_back(std::move(e));
    if (!head.empty()) {
      int64_t mn = head[0].ts, mx = head[0].ts;
      for (const auto& e : head) {
        mn = std::min(mn, e.ts);
        mx = std::max(mx, e.ts);
      }
      sources.push_back({mn, mx, std::string()});
    }
  }
  std::sort(sources.begin(), sources.end(), [](const Source& a, const Source& b) {
    return a.min_ts < b.min_ts || (a.min_ts == b.min_ts && a.key < b.key);
  });
  // Group transitively overlapping sources.
  std::vector<std::pair<size_t, size_t>> groups;
  for (size_t i = 0; i < sources.size();) {
    size_t j = i + 1;
    int64_t mx = sources[i].max_ts;
    while (j < sources.size() && sources[j].min_ts <= mx) mx = std::max(mx, sources[j++].max_ts);
    groups.push_back({i, j});
    i = j;
  }
  std::string scratch;
  EntryBatch batch;
  for (size_t g = 0; g < groups.size(); ++g) {
    auto [b, e] = groups[dir == Direction::kForward ? g : groups.size() - 1 - g];
    if (e - b == 1 && !sources[b].key.empty()) {
      std::string value;
      LODE_RETURN_IF_ERROR(FromRocks(db->Get(ro, chunk_cf, sources[b].key, &value)));
      bool stopped = false;
      LODE_RETURN_IF_ERROR(DecodeChunk(value, start, end, dir, visit, &scratch, &batch, stats, &stopped));
      if (stopped) return Status::OK();
      continue;
    }
    // Overlapping sources: merge and de-duplicate in memory.
    std::deque<std::string> blocks;
    std::vector<std::string> values;
    std::vector<OwnedEntry> merged;
    for (size_t i = b; i < e; ++i) {
      if (sources[i].key.empty()) {
        for (const auto& h : head) {
          OwnedEntry x = h;
          x.order = merged.size();
          merged.push_back(std::move(x));
        }
        continue;
      }
      values.emplace_back();
    }
    size_t vi = 0;
    for (size_t i = b; i < e; ++i) {
      if (sources[i].key.empty()) continue;
      LODE_RETURN_IF_ERROR(FromRocks(db->Get(ro, chunk_cf, sources[i].key, &values[vi])));
      LODE_RETURN_IF_ERROR(DecodeChunkEntries(values[vi], start, end, &blocks, &merged, stats));
      ++vi;
    }
    SortAndDedup(&merged);
    if (!EmitEntries(merged, dir, visit, stats)) return Status::OK();
  }
  return Status::OK();
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

Status Store::Append(std::string_view tenant, const Labels& labels, std::span<const EntryRef> entries) {
  StreamEntries s{&labels, entries};
  return impl_->AppendMany(tenant, std::span<const StreamEntries>(&s, 1));
}

Status Store::AppendMany(std::string_view tenant, std::span<const StreamEntries> streams) {
  return impl_->AppendMany(tenant, streams);
}

Status Store::Flush() {
  impl_->CutDue(true);
  rocksdb::FlushOptions fo;
  return FromRocks(impl_->db->Flush(fo, impl_->handles));
}

StoreStats Store::Stats() {
  StoreStats s;
  for (auto& [t, st] : impl_->AllStreams()) {
    s.streams++;
    std::lock_guard<std::mutex> l(st->mu);
    s.head_bytes += st->head_bytes;
  }
  uint64_t v = 0;
  for (auto* h : impl_->handles) {
    if (impl_->db->GetIntProperty(h, "rocksdb.total-sst-files-size", &v)) s.disk_bytes += v;
    if (impl_->db->GetIntProperty(h, "rocksdb.total-blob-file-size", &v)) s.disk_bytes += v;
  }
  if (impl_->db->GetIntProperty(impl_->chunkmeta_cf, "rocksdb.estimate-num-keys", &v)) s.chunks = v;
  return s;
}

Status Store::SelectStreams(std::string_view tenant, const std::vector<MatcherPtr>& matchers,
                            int64_t start_ns, int64_t end_ns, std::vector<StreamRef>* out) {
  std::vector<StreamState*> sts;
  LODE_RETURN_IF_ERROR(impl_->SelectIds(tenant, matchers, start_ns, end_ns, &sts));
  for (auto* st : sts) out->push_back({st->id, st->labels});
  return Status::OK();
}

Status Store::ScanStream(std::string_view tenant, uint64_t id, int64_t start_ns, int64_t end_ns,
                         Direction dir, const BatchVisitor& visit, ScanStats* stats) {
  return impl_->Scan(tenant, id, start_ns, end_ns, dir, visit, stats);
}

Status Store::LabelNames(std::string_view tenant, const std::vector<MatcherPtr>& matchers,
                         int64_t start_ns, int64_t end_ns, std::vector<std::string>* out) {
  std::vector<StreamState*> sts;
  LODE_RETURN_IF_ERROR(impl_->SelectIds(tenant, matchers, start_ns, end_ns, &sts));
  std::set<std::string> names;
  for (auto* st : sts)
    for (const auto& l : st->labels) names.insert(l.name);
  out->assign(names.begin(), names.end());
  return Status::OK();
}

Status Store::LabelValues(std::string_view tenant, std::string_view name,
                          const std::vector<MatcherPtr>& matchers, int64_t start_ns, int64_t end_ns,
                          std::vector<std::string>* out) {
  std::vector<StreamState*> sts;
  LODE_RETURN_IF_ERROR(impl_->SelectIds(tenant, matchers, start_ns, end_ns, &sts));
  std::set<std::string> values;
  for (auto* st : sts)
    if (const std::string* v = FindLabel(st->labels, name)) values.insert(*v);
  out->assign(values.begin(), values.end());
  return Status::OK();
}

}  // namespace lode
