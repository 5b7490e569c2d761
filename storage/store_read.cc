// The read path: stream selection through the per-day index, and scans
// that merge a stream's chunks and head records in timestamp order. Both
// hide what retention expired and what delete requests removed before any
// compaction run has dropped it.
#include <algorithm>
#include <climits>
#include <iterator>
#include <optional>
#include <unordered_set>

#include "base/coding.h"
#include "storage/needle_filter.h"
#include "storage/store_impl.h"

namespace lode {

using format::DayOf;
using format::FromRocks;
using format::PrefixEnd;
using format::StreamPrefix;

namespace {

rocksdb::Slice ToSlice(std::string_view s) { return rocksdb::Slice(s.data(), s.size()); }

// A scanning thread's chunk and block buffers, kept between scans; a
// buffer grown past kKeepBytes (a huge chunk) is freed when its scan ends.
struct ScanBuffers {
  static constexpr size_t kKeepBytes = 8 << 20;
  std::string chunk;
  std::string block;
  struct Release {
    ScanBuffers* b;
    ~Release() {
      if (b->chunk.capacity() > kKeepBytes) std::string().swap(b->chunk);
      if (b->block.capacity() > kKeepBytes) std::string().swap(b->block);
    }
  };
};

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

// Wraps a visitor so that entries hidden by delete requests never reach it.
BatchVisitor FilterDeleted(const BatchVisitor& visit, std::vector<StreamDelete>* dels,
                           EntryBatch* out) {
  return [&visit, dels, out](const EntryBatch& b) {
    out->clear();
    out->md_begin.push_back(0);
    for (size_t i = 0; i < b.size(); ++i) {
      const LabelView* md = b.md.data() + b.md_begin[i];
      size_t n_md = b.md_begin[i + 1] - b.md_begin[i];
      if (IsDeleted(*dels, b.ts[i], b.line[i], md, n_md)) continue;
      out->ts.push_back(b.ts[i]);
      out->line.push_back(b.line[i]);
      out->md.insert(out->md.end(), md, md + n_md);
      out->md_begin.push_back(static_cast<uint32_t>(out->md.size()));
    }
    if (!out->size()) return true;
    return visit(*out);
  };
}

}  // namespace

StreamState* Store::Impl::Find(std::string_view tenant, uint64_t id) {
  std::shared_lock<std::shared_mutex> l(mu);
  auto t = tenants.find(tenant);
  if (t == tenants.end()) return nullptr;
  auto s = t->second.by_id.find(id);
  return s == t->second.by_id.end() ? nullptr : s->second.get();
}

Status Store::Impl::SelectIds(std::string_view tenant, const std::vector<MatcherPtr>& matchers,
                              int64_t start, int64_t end, std::vector<StreamState*>* out) {
  std::vector<uint32_t> days;
  IndexDays(tenant, start, end, &days);
  if (days.empty()) return Status::OK();
  // The most selective index probe: an equality matcher with a non-empty value.
  const LabelMatcher* eq = nullptr;
  for (const auto& m : matchers)
    if (m->type() == MatchType::kEqual && !m->value().empty()) {
      eq = m.get();
      break;
    }
  std::vector<uint64_t> ids;  // sorted, unique
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions(), index_cf));
  if (eq) {
    std::unordered_set<uint64_t> seen;
    for (uint32_t day : days) {
      std::string p = format::IndexLabelKey(tenant, day, eq->name(), eq->value(), 0);
      p.resize(p.size() - 8);
      for (it->Seek(p); it->Valid() && it->key().starts_with(p); it->Next()) {
        if (it->key().size() < p.size() + 8) continue;
        seen.insert(GetBE64(it->key().data() + it->key().size() - 8));
      }
      LODE_RETURN_IF_ERROR(FromRocks(it->status()));
    }
    ids.assign(seen.begin(), seen.end());
    std::sort(ids.begin(), ids.end());
  } else {
    std::vector<uint64_t> merged;
    for (uint32_t day : days) {
      std::shared_ptr<const std::vector<uint64_t>> list;
      LODE_RETURN_IF_ERROR(DayStreamIds(tenant, day, it.get(), &list));
      merged.clear();
      std::set_union(ids.begin(), ids.end(), list->begin(), list->end(),
                     std::back_inserter(merged));
      ids.swap(merged);
    }
  }
  auto pol = Policy();
  int64_t now = Now();
  // Streams whose range reaches before their retention cutoff: checked below,
  // outside the lock, for data that has not expired.
  std::vector<std::pair<StreamState*, int64_t>> partly_expired;
  {
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
      if (!ok) continue;
      int64_t cutoff = pol->CutoffFor(tenant, st->labels, now);
      if (end <= cutoff) continue;  // everything in range expired
      if (cutoff > start) {
        partly_expired.push_back({st, cutoff});
      } else {
        out->push_back(st);
      }
    }
  }
  for (auto [st, cutoff] : partly_expired) {
    bool has = false;
    LODE_RETURN_IF_ERROR(HasDataIn(tenant, st, cutoff, end, &has));
    if (has) out->push_back(st);
  }
  return Status::OK();
}

void Store::Impl::IndexDays(std::string_view tenant, int64_t start, int64_t end,
                            std::vector<uint32_t>* days, bool* all_fresh) {
  if (all_fresh != nullptr) *all_fresh = start >= Policy()->LatestCutoff(tenant, Now());
  std::shared_lock<std::shared_mutex> l(mu);
  auto t = tenants.find(tenant);
  if (t == tenants.end()) return;
  uint32_t d0 = DayOf(start), d1 = DayOf(end > start ? end - 1 : start);
  for (auto it = t->second.days.lower_bound(d0); it != t->second.days.end() && *it <= d1; ++it)
    days->push_back(*it);
}

// Per-day caches of a tenant (day_ids, day_labels): the cached value, or
// false and the generation a value built now must be stored under.
template <class T>
bool Store::Impl::CachedDay(std::string_view tenant, DayCache<T> TenantState::*cache,
                            uint32_t day, std::shared_ptr<const T>* out, uint64_t* gen) {
  std::shared_lock<std::shared_mutex> l(mu);
  auto t = tenants.find(tenant);
  if (t == tenants.end()) {
    *out = std::make_shared<const T>();
    return true;
  }
  auto c = (t->second.*cache).find(day);
  if (c != (t->second.*cache).end()) {
    *out = c->second;
    return true;
  }
  *gen = t->second.day_ids_gen;
  return false;
}

// Keeps a value built from the index unless the day's streams changed since
// `gen` was read.
template <class T>
void Store::Impl::CacheDay(std::string_view tenant, DayCache<T> TenantState::*cache, uint32_t day,
                           uint64_t gen, std::shared_ptr<const T> value) {
  std::unique_lock<std::shared_mutex> l(mu);
  auto t = tenants.find(tenant);
  if (t != tenants.end() && t->second.day_ids_gen == gen) (t->second.*cache)[day] = std::move(value);
}

Status Store::Impl::DayLabelsFor(std::string_view tenant, uint32_t day, rocksdb::Iterator* it,
                                 std::shared_ptr<const TenantState::DayLabels>* out) {
  uint64_t gen = 0;
  if (CachedDay(tenant, &TenantState::day_labels, day, out, &gen)) return Status::OK();
  std::shared_ptr<const std::vector<uint64_t>> ids;
  LODE_RETURN_IF_ERROR(DayStreamIds(tenant, day, it, &ids));
  auto dl = std::make_shared<TenantState::DayLabels>();
  {
    std::unordered_map<std::string_view, std::unordered_set<std::string_view>> sets;
    std::shared_lock<std::shared_mutex> l(mu);
    auto t = tenants.find(tenant);
    if (t != tenants.end()) {
      for (uint64_t id : *ids) {
        auto s = t->second.by_id.find(id);
        if (s == t->second.by_id.end()) continue;
        for (const auto& lb : s->second->labels) sets[lb.name].insert(lb.value);
      }
    }
    for (auto& [name, vs] : sets) {
      dl->names.push_back(name);
      auto& v = dl->values[name];
      v.assign(vs.begin(), vs.end());
      std::sort(v.begin(), v.end());
    }
    std::sort(dl->names.begin(), dl->names.end());
  }
  CacheDay<TenantState::DayLabels>(tenant, &TenantState::day_labels, day, gen, dl);
  *out = std::move(dl);
  return Status::OK();
}

Status Store::Impl::DayStreamIds(std::string_view tenant, uint32_t day, rocksdb::Iterator* it,
                                 std::shared_ptr<const std::vector<uint64_t>>* out) {
  uint64_t gen = 0;
  if (CachedDay(tenant, &TenantState::day_ids, day, out, &gen)) return Status::OK();
  auto list = std::make_shared<std::vector<uint64_t>>();
  const std::string p = format::IndexDayPrefix(tenant, day);
  for (it->Seek(p); it->Valid() && it->key().starts_with(p); it->Next()) {
    if (it->key().size() < p.size() + 8) continue;
    list->push_back(GetBE64(it->key().data() + it->key().size() - 8));
  }
  LODE_RETURN_IF_ERROR(FromRocks(it->status()));
  std::sort(list->begin(), list->end());  // keys end with the id: already sorted
  CacheDay<std::vector<uint64_t>>(tenant, &TenantState::day_ids, day, gen, list);
  *out = std::move(list);
  return Status::OK();
}

Status Store::Impl::HasDataIn(std::string_view tenant, StreamState* st, int64_t from, int64_t end,
                              bool* has) {
  std::vector<HeadBlock> buf;
  std::vector<OwnedEntry> head;
  const rocksdb::Snapshot* snap = nullptr;
  LODE_RETURN_IF_ERROR(ReadHead(st, &buf, &head, &snap));
  struct Release {
    rocksdb::DB* db;
    const rocksdb::Snapshot* s;
    ~Release() { db->ReleaseSnapshot(s); }
  } release{db.get(), snap};
  *has = std::any_of(head.begin(), head.end(),
                     [&](const OwnedEntry& e) { return e.ts >= from && e.ts < end; });
  if (*has) return Status::OK();
  std::string prefix = StreamPrefix(tenant, st->id);
  std::string upper_key = prefix;
  PutTsKey(&upper_key, end);
  rocksdb::Slice upper(upper_key);
  rocksdb::ReadOptions ro;
  ro.snapshot = snap;
  ro.iterate_upper_bound = &upper;
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(ro, chunkmeta_cf));
  for (it->Seek(prefix); it->Valid(); it->Next()) {
    ChunkMeta m;
    if (format::DecodeMeta(it->value().ToStringView(), &m) && m.max_ts >= from) {
      *has = true;
      return Status::OK();
    }
  }
  return FromRocks(it->status());
}

ChunkWrite::ChunkWrite(Store::Impl* impl, StreamState* st) : st_(st) {
  st->chunk_gen.fetch_add(1);  // odd: scans from now on neither use nor fill the cache
  std::shared_ptr<const ChunkList> old;
  {
    std::lock_guard<std::mutex> l(st->chunk_list_mu);
    old.swap(st->chunk_list);
  }
  if (old) impl->chunk_list_bytes.fetch_sub(static_cast<int64_t>(old->bytes));
}

ChunkWrite::~ChunkWrite() { st_->chunk_gen.fetch_add(1); }

Status Store::Impl::ListChunks(std::string_view tenant, StreamState* st,
                               const rocksdb::ReadOptions& ro, bool gen_stable, uint64_t gen,
                               std::shared_ptr<const ChunkList>* out) {
  if (gen_stable) {
    std::lock_guard<std::mutex> l(st->chunk_list_mu);
    if (st->chunk_list && st->chunk_list->gen == gen) {
      *out = st->chunk_list;
      return Status::OK();
    }
  }
  auto list = std::make_shared<ChunkList>();
  list->gen = gen;
  std::string prefix = StreamPrefix(tenant, st->id);
  std::string upper_key = PrefixEnd(prefix);
  rocksdb::Slice upper(upper_key);
  rocksdb::ReadOptions mo = ro;
  mo.iterate_upper_bound = &upper;
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(mo, chunkmeta_cf));
  for (it->Seek(prefix); it->Valid(); it->Next()) {
    ChunkMeta m;
    if (!format::DecodeMeta(it->value().ToStringView(), &m))
      return Status::IOError("corrupt chunk meta");
    list->chunks.push_back({m.min_ts, m.max_ts, it->key().ToString(), std::move(m.filter)});
  }
  LODE_RETURN_IF_ERROR(FromRocks(it->status()));
  list->bytes = sizeof(ChunkList) + list->chunks.capacity() * sizeof(ChunkList::Chunk);
  for (const ChunkList::Chunk& c : list->chunks)
    list->bytes += c.key.capacity() + c.filter.capacity();
  const int64_t budget = static_cast<int64_t>(opts.chunk_list_cache_bytes);
  if (gen_stable && static_cast<int64_t>(list->bytes) <= budget) {
    std::lock_guard<std::mutex> l(st->chunk_list_mu);
    const int64_t freed = st->chunk_list ? static_cast<int64_t>(st->chunk_list->bytes) : 0;
    // Never replace a list of a later generation; stay within the budget.
    if ((!st->chunk_list || st->chunk_list->gen < gen) &&
        chunk_list_bytes.load() - freed + static_cast<int64_t>(list->bytes) <= budget) {
      chunk_list_bytes.fetch_add(static_cast<int64_t>(list->bytes) - freed);
      st->chunk_list = list;
    }
  }
  *out = std::move(list);
  return Status::OK();
}

Status Store::Impl::Scan(std::string_view tenant, uint64_t id, int64_t start, int64_t end,
                         Direction dir, const BatchVisitor& visit_all, ScanStats* stats,
                         std::string_view needle) {
  StreamState* stream = Find(tenant, id);
  if (!stream) return Status::OK();
  start = std::max(start, Policy()->CutoffFor(tenant, stream->labels, Now()));
  if (end <= start) return Status::OK();
  std::vector<StreamDelete> dels = DeletesFor(tenant, stream->labels, start, end);
  EntryBatch filtered;
  BatchVisitor wrapped;
  if (!dels.empty()) wrapped = FilterDeleted(visit_all, &dels, &filtered);
  const BatchVisitor& visit_kept = dels.empty() ? visit_all : wrapped;
  // Lines without the needle are dropped here, a block at a time; the
  // visitor still sees every batch (maybe empty), so it can stop the scan.
  NeedleFilter needle_filter(needle);
  BatchVisitor needle_wrapped;
  if (!needle.empty()) {
    needle_wrapped = [&](const EntryBatch& b) { return visit_kept(needle_filter.Apply(b)); };
  }
  const BatchVisitor& visit = needle.empty() ? visit_kept : needle_wrapped;

  // The head and a snapshot of the chunks, taken together. The chunk list
  // may come from the cache only if no write to this stream's chunks began
  // or ended around the snapshot (ChunkWrite).
  const uint64_t gen = stream->chunk_gen.load();
  std::vector<HeadBlock> head_buf;
  std::vector<OwnedEntry> head;
  const rocksdb::Snapshot* snap = nullptr;
  {
    std::vector<OwnedEntry> all;
    LODE_RETURN_IF_ERROR(ReadHead(stream, &head_buf, &all, &snap));
    for (auto& e : all)
      if (e.ts >= start && e.ts < end) head.push_back(std::move(e));
  }
  const bool gen_stable = (gen & 1) == 0 && stream->chunk_gen.load() == gen;
  struct Release {
    rocksdb::DB* db;
    const rocksdb::Snapshot* s;
    ~Release() { db->ReleaseSnapshot(s); }
  } release{db.get(), snap};
  rocksdb::ReadOptions ro;
  ro.snapshot = snap;
  std::string prefix = StreamPrefix(tenant, id);
  std::optional<GramQuery> gram_query;
  if (!needle.empty()) gram_query.emplace(needle);
  const GramQuery* query = gram_query && gram_query->useful() ? &*gram_query : nullptr;

  // Sources: chunks overlapping the range, plus the head records as one source.
  struct Source {
    int64_t min_ts, max_ts;
    std::string_view key;  // chunk key (in `list`); empty for the head
  };
  std::vector<Source> sources;
  std::shared_ptr<const ChunkList> list;
  LODE_RETURN_IF_ERROR(ListChunks(tenant, stream, ro, gen_stable, gen, &list));
  for (const ChunkList::Chunk& c : list->chunks) {
    if (c.max_ts < start || c.min_ts >= end) continue;
    // A chunk whose filter proves the needle absent is not even read.
    if (query && !query->MayMatch(c.filter)) {
      if (stats) stats->blocks_skipped++;
      continue;
    }
    sources.push_back({c.min_ts, c.max_ts, c.key});
  }
  {
    if (!head.empty()) {
      int64_t mn = head[0].ts, mx = head[0].ts;
      for (const auto& e : head) {
        mn = std::min(mn, e.ts);
        mx = std::max(mx, e.ts);
      }
      sources.push_back({mn, mx, std::string_view()});
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
  // Per thread and reused from scan to scan: a fresh buffer per chunk read
  // and per decoded block cost a page fault per 4 KiB (10% of a rare-needle
  // query) before any byte was used.
  thread_local ScanBuffers bufs;
  ScanBuffers::Release trim{&bufs};
  std::string& scratch = bufs.block;
  EntryBatch batch;
  for (size_t g = 0; g < groups.size(); ++g) {
    auto [b, e] = groups[dir == Direction::kForward ? g : groups.size() - 1 - g];
    if (e - b == 1 && !sources[b].key.empty()) {
      rocksdb::PinnableSlice value(&bufs.chunk);
      LODE_RETURN_IF_ERROR(FromRocks(db->Get(ro, chunk_cf, ToSlice(sources[b].key), &value)));
      bool stopped = false;
      LODE_RETURN_IF_ERROR(DecodeChunk(value.ToStringView(), start, end, dir, visit, &scratch,
                                       &batch, stats, &stopped, query));
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
      LODE_RETURN_IF_ERROR(FromRocks(db->Get(ro, chunk_cf, ToSlice(sources[i].key), &values[vi])));
      LODE_RETURN_IF_ERROR(DecodeChunkEntries(values[vi], start, end, &blocks, &merged, stats));
      ++vi;
    }
    SortAndDedup(&merged);
    if (!EmitEntries(merged, dir, visit, stats)) return Status::OK();
  }
  return Status::OK();
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

Status Store::ScanStreamContaining(std::string_view tenant, uint64_t id, int64_t start_ns,
                                   int64_t end_ns, Direction dir, std::string_view needle,
                                   const BatchVisitor& visit, ScanStats* stats) {
  return impl_->Scan(tenant, id, start_ns, end_ns, dir, visit, stats, needle);
}

// The label browser without matchers, over days whose every stream is kept
// in the range: the union of the days' cached label sets; false when the
// request needs the per-stream path. `name` empty: label names.
bool Store::DayWideLabels(std::string_view tenant, std::string_view name, int64_t start_ns,
                          int64_t end_ns, std::vector<std::string>* out, Status* status) {
  std::vector<uint32_t> days;
  bool all_fresh;
  impl_->IndexDays(tenant, start_ns, end_ns, &days, &all_fresh);
  if (!all_fresh) return false;
  std::unique_ptr<rocksdb::Iterator> it(
      impl_->db->NewIterator(rocksdb::ReadOptions(), impl_->index_cf));
  std::vector<std::shared_ptr<const TenantState::DayLabels>> sets(days.size());
  for (size_t i = 0; i < days.size(); ++i) {
    *status = impl_->DayLabelsFor(tenant, days[i], it.get(), &sets[i]);
    if (!status->ok()) return true;
  }
  // Each day's list is sorted: merge them (one or two days for a dashboard).
  std::vector<std::string_view> merged, tmp;
  for (const auto& dl : sets) {
    tmp.clear();
    if (name.empty()) {
      std::set_union(merged.begin(), merged.end(), dl->names.begin(), dl->names.end(),
                     std::back_inserter(tmp));
    } else {
      auto v = dl->values.find(name);
      if (v == dl->values.end()) continue;
      std::set_union(merged.begin(), merged.end(), v->second.begin(), v->second.end(),
                     std::back_inserter(tmp));
    }
    merged.swap(tmp);
  }
  out->assign(merged.begin(), merged.end());
  *status = Status::OK();
  return true;
}

Status Store::LabelNames(std::string_view tenant, const std::vector<MatcherPtr>& matchers,
                         int64_t start_ns, int64_t end_ns, std::vector<std::string>* out) {
  Status s;
  if (matchers.empty() && DayWideLabels(tenant, "", start_ns, end_ns, out, &s)) return s;
  std::vector<StreamState*> sts;
  LODE_RETURN_IF_ERROR(impl_->SelectIds(tenant, matchers, start_ns, end_ns, &sts));
  // Views into the streams' labels, which live as long as the store.
  std::unordered_set<std::string_view> names;
  for (auto* st : sts)
    for (const auto& l : st->labels) names.insert(l.name);
  out->assign(names.begin(), names.end());
  std::sort(out->begin(), out->end());
  return Status::OK();
}

Status Store::LabelValues(std::string_view tenant, std::string_view name,
                          const std::vector<MatcherPtr>& matchers, int64_t start_ns, int64_t end_ns,
                          std::vector<std::string>* out) {
  Status s;
  if (matchers.empty() && !name.empty() && DayWideLabels(tenant, name, start_ns, end_ns, out, &s))
    return s;
  std::vector<StreamState*> sts;
  LODE_RETURN_IF_ERROR(impl_->SelectIds(tenant, matchers, start_ns, end_ns, &sts));
  std::unordered_set<std::string_view> values;
  for (auto* st : sts)
    if (const std::string* v = FindLabel(st->labels, name)) values.insert(*v);
  out->assign(values.begin(), values.end());
  std::sort(out->begin(), out->end());
  return Status::OK();
}

}  // namespace lode
