// Delete requests: persistence (DeleteRegistry), the read-side filter
// (Store::Impl::DeletesFor) and the physical rewrite of chunks during
// compaction runs (Store::Impl::ApplyDeleteRequests).
//
// Persisted in the default column family:
//   key   := "del" tenant \0 request_id
//   value := version:u8(=1) start:zigzag end:zigzag created_at:zigzag
//            processed:u8 query:len-prefixed
#include "storage/deletes.h"

#include <algorithm>
#include <climits>
#include <cstdio>

#include "base/coding.h"
#include "base/log.h"
#include "storage/store_impl.h"

namespace lode {

using format::FromRocks;

namespace {

class SimpleDeleteQuery : public DeleteQuery {
 public:
  explicit SimpleDeleteQuery(Labels want) : want_(std::move(want)) {}
  bool MatchesStream(const Labels& stream) const override {
    for (const auto& l : want_) {
      const std::string* v = FindLabel(stream, l.name);
      if (!v || *v != l.value) return false;
    }
    return true;
  }
  bool HasLineFilter() const override { return false; }
  std::unique_ptr<DeleteLinePredicate> ForStream(const Labels&) const override { return nullptr; }

 private:
  Labels want_;
};

void EncodeRequest(const DeleteRequest& r, std::string* out) {
  out->push_back(1);
  PutVarint(out, ZigZag(r.start_ns));
  PutVarint(out, ZigZag(r.end_ns));
  PutVarint(out, ZigZag(r.created_at_ns));
  out->push_back(r.processed ? 1 : 0);
  PutLengthPrefixed(out, r.query);
}

bool DecodeRequest(std::string_view v, DeleteRequest* r) {
  const char* p = v.data();
  const char* end = p + v.size();
  if (p == end || *p != 1) return false;
  ++p;
  uint64_t a, b, c;
  if (!GetVarint(&p, end, &a) || !GetVarint(&p, end, &b) || !GetVarint(&p, end, &c) || p == end)
    return false;
  r->start_ns = UnZigZag(a);
  r->end_ns = UnZigZag(b);
  r->created_at_ns = UnZigZag(c);
  r->processed = *p++ != 0;
  std::string_view q;
  if (!GetLengthPrefixed(&p, end, &q)) return false;
  r->query = std::string(q);
  return true;
}

// FNV-1a, 32 bits.
uint32_t Fnv32(std::string_view s, uint32_t h = 2166136261u) {
  for (unsigned char c : s) h = (h ^ c) * 16777619u;
  return h;
}

}  // namespace

Status CompileSimpleDeleteQuery(std::string_view query, std::shared_ptr<const DeleteQuery>* out) {
  Labels ls;
  Status s = ParseLabels(query, &ls);
  if (!s.ok()) return Status::InvalidArgument("invalid query expression: " + s.message());
  *out = std::make_shared<SimpleDeleteQuery>(std::move(ls));
  return Status::OK();
}

bool IsDeleted(std::vector<StreamDelete>& dels, int64_t ts, std::string_view line,
               const LabelView* md, size_t n_md) {
  for (auto& d : dels) {
    if (ts < d.start_ns || ts > d.end_ns) continue;
    if (!d.pred || d.pred->Deletes(ts, line, md, n_md)) return true;
  }
  return false;
}

DeleteRegistry::DeleteRegistry(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* cf,
                               DeleteQueryCompiler compiler, bool sync)
    : db_(db),
      cf_(cf),
      compiler_(std::move(compiler)),
      sync_(sync),
      snap_(std::make_shared<Snapshot>()) {}

Status DeleteRegistry::Load() {
  Snapshot s;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), cf_));
  const std::string del_prefix(format::kDeleteRequestPrefix);
  for (it->Seek(del_prefix); it->Valid() && it->key().starts_with(del_prefix); it->Next()) {
    std::string_view k(it->key().data() + 3, it->key().size() - 3);
    size_t nul = k.find('\0');
    if (nul == std::string_view::npos) continue;
    Entry e;
    e.req.tenant = std::string(k.substr(0, nul));
    e.req.request_id = std::string(k.substr(nul + 1));
    if (!DecodeRequest(it->value().ToStringView(), &e.req))
      return Status::IOError("corrupt delete request");
    Status cs = compiler_(e.req.query, &e.query);
    if (!cs.ok()) {
      lode::Logf("delete request %s of tenant %s is not applied: %s", e.req.request_id.c_str(),
                 e.req.tenant.c_str(), cs.message().c_str());
    }
    s[e.req.tenant].push_back(std::move(e));
  }
  LODE_RETURN_IF_ERROR(FromRocks(it->status()));
  std::lock_guard<std::mutex> l(mu_);
  Publish(std::move(s));
  return Status::OK();
}

void DeleteRegistry::Publish(Snapshot s) {
  for (auto& [t, v] : s)
    std::sort(v.begin(), v.end(), [](const Entry& a, const Entry& b) {
      return a.req.created_at_ns < b.req.created_at_ns ||
             (a.req.created_at_ns == b.req.created_at_ns && a.req.request_id < b.req.request_id);
    });
  snap_ = std::make_shared<const Snapshot>(std::move(s));
}

Status DeleteRegistry::Persist(const DeleteRequest& r) {
  std::string v;
  EncodeRequest(r, &v);
  rocksdb::WriteOptions wo;
  wo.sync = sync_;
  return FromRocks(db_->Put(wo, cf_, format::DeleteRequestKey(r.tenant, r.request_id), v));
}

Status DeleteRegistry::Add(DeleteRequest* req) {
  if (req->tenant.find('\0') != std::string::npos) return Status::InvalidArgument("invalid tenant");
  Entry e;
  LODE_RETURN_IF_ERROR(compiler_(req->query, &e.query));
  std::lock_guard<std::mutex> l(mu_);
  Snapshot s = *snap_;
  auto& list = s[req->tenant];
  for (;;) {
    std::string seed = req->tenant + '\0' + req->query + '\0' + std::to_string(req->created_at_ns) +
                       '\0' + std::to_string(++id_counter_);
    char buf[16];
    snprintf(buf, sizeof(buf), "%08x", Fnv32(seed));
    req->request_id = buf;
    bool taken = std::any_of(list.begin(), list.end(),
                             [&](const Entry& x) { return x.req.request_id == req->request_id; });
    if (!taken) break;
  }
  req->processed = false;
  LODE_RETURN_IF_ERROR(Persist(*req));
  e.req = *req;
  list.push_back(std::move(e));
  Publish(std::move(s));
  return Status::OK();
}

std::vector<DeleteRequest> DeleteRegistry::List(std::string_view tenant) const {
  std::vector<DeleteRequest> out;
  auto s = Get();
  auto it = s->find(tenant);
  if (it == s->end()) return out;
  for (const auto& e : it->second) out.push_back(e.req);
  return out;
}

Status DeleteRegistry::Cancel(std::string_view tenant, std::string_view id) {
  std::lock_guard<std::mutex> l(mu_);
  Snapshot s = *snap_;
  auto t = s.find(tenant);
  if (t != s.end()) {
    auto& list = t->second;
    for (auto it = list.begin(); it != list.end(); ++it) {
      if (it->req.request_id != id) continue;
      if (it->req.processed) {
        return Status::InvalidArgument(
            "deletion of request which is in process or already processed is not allowed");
      }
      rocksdb::WriteOptions wo;
      wo.sync = sync_;
      LODE_RETURN_IF_ERROR(FromRocks(db_->Delete(wo, cf_, format::DeleteRequestKey(tenant, id))));
      list.erase(it);
      Publish(std::move(s));
      return Status::OK();
    }
  }
  return Status::NotFound("could not find delete request with given id");
}

Status DeleteRegistry::MarkProcessed(std::string_view tenant, std::string_view id) {
  std::lock_guard<std::mutex> l(mu_);
  Snapshot s = *snap_;
  auto t = s.find(tenant);
  if (t == s.end()) return Status::OK();  // cancelled meanwhile
  for (auto& e : t->second) {
    if (e.req.request_id != id) continue;
    e.req.processed = true;
    LODE_RETURN_IF_ERROR(Persist(e.req));
    Publish(std::move(s));
    return Status::OK();
  }
  return Status::OK();
}

std::shared_ptr<const DeleteRegistry::Snapshot> DeleteRegistry::Get() const {
  std::lock_guard<std::mutex> l(mu_);
  return snap_;
}

std::vector<StreamDelete> Store::Impl::DeletesFor(std::string_view tenant, const Labels& labels,
                                                  int64_t start, int64_t end) {
  std::vector<StreamDelete> out;
  auto snap = deletes->Get();
  auto t = snap->find(tenant);
  if (t == snap->end() || !Policy()->For(tenant).filter_deletes) return out;
  for (const auto& e : t->second) {
    if (!e.query || e.req.end_ns < start || e.req.start_ns >= end) continue;
    if (!e.query->MatchesStream(labels)) continue;
    out.push_back({e.req.start_ns, e.req.end_ns,
                   e.query->HasLineFilter() ? e.query->ForStream(labels) : nullptr});
  }
  return out;
}

Status Store::Impl::ApplyDelete(const std::string& tenant, StreamState* st,
                                const DeleteRegistry::Entry& d, CompactionReport* report) {
  std::lock_guard<std::mutex> fl(flush_mu);
  const int64_t start = d.req.start_ns, end = d.req.end_ns;
  std::string prefix = format::StreamPrefix(tenant, st->id);
  bool has_head;
  {
    std::lock_guard<std::mutex> l(st->mu);
    has_head = st->has_head;
  }
  if (has_head) {
    std::vector<HeadBlock> buf;
    std::vector<OwnedEntry> head;
    LODE_RETURN_IF_ERROR(ReadHead(st, &buf, &head));
    if (std::any_of(head.begin(), head.end(),
                    [&](const OwnedEntry& e) { return e.ts >= start && e.ts <= end; })) {
      LODE_RETURN_IF_ERROR(CutHead(tenant, st));
      report->heads_cut++;
    }
  }
  std::vector<StreamDelete> dels;
  dels.push_back({start, end, d.query->HasLineFilter() ? d.query->ForStream(st->labels) : nullptr});
  std::string upper_key = prefix;
  PutTsKey(&upper_key, end == INT64_MAX ? end : end + 1);
  rocksdb::Slice upper(upper_key);
  rocksdb::ReadOptions ro;
  ro.iterate_upper_bound = &upper;
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(ro, chunkmeta_cf));
  rocksdb::WriteBatch batch;
  std::string value, chunk, mv;
  for (it->Seek(prefix); it->Valid(); it->Next()) {
    ChunkMeta m;
    if (!format::DecodeMeta(it->value().ToStringView(), &m))
      return Status::IOError("corrupt chunk meta");
    if (m.max_ts < start) continue;
    std::string key = it->key().ToString();
    LODE_RETURN_IF_ERROR(FromRocks(db->Get(rocksdb::ReadOptions(), chunk_cf, key, &value)));
    std::deque<std::string> blocks;
    std::vector<OwnedEntry> entries, kept;
    LODE_RETURN_IF_ERROR(
        DecodeChunkEntries(value, INT64_MIN, INT64_MAX, &blocks, &entries, nullptr));
    for (auto& e : entries) {
      if (IsDeleted(dels, e.ts, e.line, e.md.data(), e.md.size())) continue;
      e.order = kept.size();
      kept.push_back(std::move(e));
    }
    if (kept.size() == entries.size()) continue;
    report->entries_deleted += entries.size() - kept.size();
    total_entries_deleted += entries.size() - kept.size();
    batch.Delete(chunk_cf, key);
    batch.Delete(chunkmeta_cf, key);
    if (kept.empty()) {
      report->chunks_deleted++;
      continue;
    }
    PutChunk(&batch, prefix, kept.data(), kept.data() + kept.size(), &chunk, &mv);
    report->chunks_rewritten++;
  }
  LODE_RETURN_IF_ERROR(FromRocks(it->status()));
  if (batch.Count() == 0) return Status::OK();
  batch.Put(meta_cf, format::kCompactionPendingKey, "");  // retention.cc: resumable runs
  ChunkWrite chunk_write(this, st);                       // the cached chunk list goes stale
  return Commit(&batch, /*frees_space=*/true);
}

Status Store::Impl::ApplyDeleteRequests(CompactionReport* report) {
  auto snap = deletes->Get();
  auto pol = Policy();
  int64_t now = Now();
  for (const auto& [tenant, list] : *snap) {
    if (!pol->For(tenant).physical_deletes) continue;
    std::vector<StreamState*> streams;
    for (const auto& d : list) {
      if (d.req.processed || !d.query ||
          now - d.req.created_at_ns < opts.delete_request_cancel_period_ns)
        continue;
      if (streams.empty()) streams = TenantStreams(tenant);
      for (StreamState* st : streams) {
        if (!d.query->MatchesStream(st->labels)) continue;
        LODE_RETURN_IF_ERROR(ApplyDelete(tenant, st, d, report));
      }
      LODE_RETURN_IF_ERROR(deletes->MarkProcessed(tenant, d.req.request_id));
      report->delete_requests_processed++;
    }
  }
  return Status::OK();
}

Status Store::AddDeleteRequest(DeleteRequest* req) {
  req->created_at_ns = impl_->Now() / 1000000 * 1000000;  // Loki keeps milliseconds
  return impl_->deletes->Add(req);
}

Status Store::ListDeleteRequests(std::string_view tenant, std::vector<DeleteRequest>* out) {
  *out = impl_->deletes->List(tenant);
  return Status::OK();
}

Status Store::CancelDeleteRequest(std::string_view tenant, std::string_view request_id) {
  return impl_->deletes->Cancel(tenant, request_id);
}

}  // namespace lode
