#include "logql/engine.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <climits>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "logql/log/detected_level.h"
#include "logql/log/pipeline.h"
#include "logql/range_agg.h"
#include "logql/syntax/parser.h"

namespace lode::logql {

namespace {

constexpr int64_t kSecond = 1000000000LL;

// Runs fn(i) for i in [0, n) on up to `threads` threads; returns the first error.
Status ParallelFor(size_t n, int threads, const std::function<Status(size_t, int)>& fn) {
  if (n == 0) return Status::OK();
  int t = std::max(1, std::min<int>(threads, static_cast<int>(n)));
  std::atomic<size_t> next{0};
  std::mutex mu;
  Status first;
  auto worker = [&](int wid) {
    while (true) {
      size_t i = next.fetch_add(1);
      if (i >= n) return;
      Status s = fn(i, wid);
      if (!s.ok()) {
        std::lock_guard<std::mutex> l(mu);
        if (first.ok()) first = s;
        next = n;
        return;
      }
    }
  };
  std::vector<std::thread> ts;
  for (int w = 1; w < t; ++w) ts.emplace_back(worker, w);
  worker(0);
  for (auto& th : ts) th.join();
  return first;
}

// Heap bytes a label set holds (an estimate for the query memory budget).
uint64_t LabelsBytes(const Labels& ls) {
  uint64_t n = 0;
  for (const auto& l : ls) n += sizeof(l) + l.name.size() + l.value.size();
  return n;
}

void AddStats(QueryStats* q, const ScanStats& s) {
  q->bytes_processed += s.bytes_scanned;
  q->lines_processed += s.lines_scanned;
  q->chunks_read += s.chunks_read;
  q->blocks_skipped += s.blocks_skipped;
}

// Range aggregations directly under `sum by/without (...)`: the extractor can
// apply the outer grouping early (as Loki does), so that parsed labels do not
// explode the number of intermediate series.
void CollectOuterSumGroupings(const Expr& e,
                              std::unordered_map<const Expr*, const Grouping*>* out) {
  if (e.kind == Expr::Kind::kVectorAgg && e.vector_op == VectorOp::kSum && e.grouping && e.lhs &&
      e.lhs->kind == Expr::Kind::kRangeAgg) {
    (*out)[e.lhs.get()] = &*e.grouping;
  }
  if (e.lhs) CollectOuterSumGroupings(*e.lhs, out);
  if (e.rhs) CollectOuterSumGroupings(*e.rhs, out);
}

// Adds the query-time `detected_level` to an entry's structured metadata when
// the query refers to it (see logql/detected_level.h).
class LevelInjector {
 public:
  LevelInjector(bool enabled, const Labels& stream)
      : enabled_(enabled && !FindLabel(stream, "detected_level")), stream_(stream) {}
  void Apply(std::string_view line, const LabelView** md, size_t* n_md) {
    if (!enabled_) return;
    for (size_t i = 0; i < *n_md; ++i)
      if ((*md)[i].name == "detected_level") return;
    buf_.assign(*md, *md + *n_md);
    buf_.push_back({"detected_level", DetectLevel(stream_, *md, *n_md, line)});
    *md = buf_.data();
    *n_md = buf_.size();
  }

 private:
  bool enabled_;
  const Labels& stream_;
  std::vector<LabelView> buf_;
};

struct LogHit {
  int64_t ts;
  uint64_t seq;  // order within its stream scan
  size_t group;
};

// The `limit` best timestamps found so far by all the scans of a log query
// (newest for backward, oldest for forward). Once there are `limit` of them,
// an entry strictly worse than the worst of them cannot be in the result,
// and neither can anything after it in its stream's scan order: the scan of
// that stream stops. Thread-safe.
class TopTimes {
 public:
  TopTimes(size_t limit, bool forward)
      : limit_(limit), forward_(forward), cut_(forward ? INT64_MAX : INT64_MIN) {}

  bool Excluded(int64_t ts) const {
    int64_t c = cut_.load(std::memory_order_relaxed);
    return forward_ ? ts > c : ts < c;
  }

  void Add(int64_t ts) {
    if (limit_ == 0) return;
    std::lock_guard<std::mutex> l(mu_);
    // A heap ordered by `better` keeps the worst kept timestamp at the front.
    auto better = [this](int64_t a, int64_t b) { return forward_ ? a < b : a > b; };
    if (heap_.size() == limit_) {
      if (!better(ts, heap_.front())) return;
      std::pop_heap(heap_.begin(), heap_.end(), better);
      heap_.back() = ts;
    } else {
      heap_.push_back(ts);
    }
    std::push_heap(heap_.begin(), heap_.end(), better);
    if (heap_.size() == limit_) cut_.store(heap_.front(), std::memory_order_relaxed);
  }

 private:
  const size_t limit_;
  const bool forward_;
  std::atomic<int64_t> cut_;
  std::mutex mu_;
  std::vector<int64_t> heap_;
};

// Sorts *v by timestamp, stably, given that it is the concatenation of runs
// already sorted that start at *starts (ascending, starts->front() == 0):
// adjacent runs are merged pairwise, O(n log runs) instead of a full sort.
// The result equals std::stable_sort's. *starts is consumed.
void MergeSortedRuns(std::vector<size_t>* starts, std::vector<Sample>* v) {
  auto by_ts = [](const Sample& a, const Sample& b) { return a.ts < b.ts; };
  std::vector<size_t>& b = *starts;
  b.push_back(v->size());  // b[j] .. b[j+1] is run j
  while (b.size() > 2) {
    size_t runs = b.size() - 1, kept = 0;
    for (size_t j = 0; j < runs; j += 2) {
      if (j + 1 < runs)
        std::inplace_merge(v->begin() + b[j], v->begin() + b[j + 1], v->begin() + b[j + 2], by_ts);
      b[kept++] = b[j];
    }
    b[kept++] = v->size();
    b.resize(kept);
  }
}

}  // namespace

Engine::Engine(Reader* reader, EngineOptions opts) : reader_(reader), opts_(opts) {}

int64_t Engine::DefaultStep(int64_t start_ns, int64_t end_ns) {
  int64_t secs = (end_ns - start_ns) / kSecond / 250;
  return std::max<int64_t>(secs, 1) * kSecond;
}

std::unique_ptr<QueryContext> Engine::NewContext() const {
  return std::make_unique<QueryContext>(std::chrono::nanoseconds(opts_.query_timeout_ns),
                                        opts_.max_query_memory);
}

Status Engine::Query(const QueryRequest& req, QueryResult* out) {
  std::unique_ptr<QueryContext> own;
  QueryContext* ctx = req.ctx;
  if (!ctx) {
    own = NewContext();
    ctx = own.get();
  }
  {
    std::unique_lock<std::mutex> l(slots_mu_);
    if (!slots_cv_.wait_for(l,
                            std::chrono::nanoseconds(std::max<int64_t>(opts_.max_queue_wait_ns, 0)),
                            [this] { return running_ < opts_.max_concurrent; })) {
      return Status::TooManyRequests("too many outstanding requests");
    }
    ++running_;
  }
  Status s = Run(req, ctx, out);
  {
    std::lock_guard<std::mutex> l(slots_mu_);
    --running_;
  }
  slots_cv_.notify_one();
  if (!s.ok()) *out = QueryResult{};  // free what a stopped query holds
  return s;
}

Status Engine::Run(const QueryRequest& req, QueryContext* ctx, QueryResult* out) {
  auto t0 = std::chrono::steady_clock::now();
  ExprPtr expr;
  LODE_RETURN_IF_ERROR(ParseExpr(req.query, &expr));
  *out = QueryResult{};
  const bool want_level = expr->ReferencesLabel("detected_level");

  if (expr->IsLogQuery()) {
    if (req.instant) {
      return Status::InvalidArgument(
          "log queries are not supported as an instant query type, please change your query to a "
          "range query "
          "type");
    }
    if (req.limit > opts_.max_entries_limit) {
      return Status::InvalidArgument(
          "max entries limit per query exceeded, limit > max_entries_limit (" +
          std::to_string(req.limit) + " > " + std::to_string(opts_.max_entries_limit) + ")");
    }
    std::unique_ptr<Pipeline> pipeline;
    LODE_RETURN_IF_ERROR(Pipeline::Create(expr->log, &pipeline));
    std::vector<StreamRef> streams;
    LODE_RETURN_IF_ERROR(
        reader_->SelectStreams(req.tenant, expr->log.matchers, req.start_ns, req.end_ns, &streams));
    std::sort(streams.begin(), streams.end(),
              [](const StreamRef& a, const StreamRef& b) { return a.labels < b.labels; });

    // Each stream yields at most `limit` passing entries, kept per group.
    struct Partial {
      std::vector<StreamResult> groups;
      std::vector<LogHit> hits;
      ScanStats stats;
    };
    std::vector<Partial> partials(streams.size());
    const uint32_t limit = req.limit;
    // Every kept line contains it: the store may skip blocks without it.
    const std::string needle = pipeline->RequiredLiteral();
    TopTimes top(limit, req.direction == Direction::kForward);
    LODE_RETURN_IF_ERROR(ParallelFor(streams.size(), opts_.scan_threads, [&](size_t i, int) {
      Partial& p = partials[i];
      ScopedQueryContext scope(ctx);
      auto sp = pipeline->ForStream(streams[i].labels);
      LevelInjector level(want_level, streams[i].labels);
      std::unordered_map<const ResultLabels*, size_t> group_of;
      uint64_t seq = 0;
      return reader_->ScanStreamContaining(
          req.tenant, streams[i].id, req.start_ns, req.end_ns, req.direction, needle,
          [&](const EntryBatch& b) {
            if (ctx->Done()) return false;
            for (size_t k = 0; k < b.size(); ++k) {
              if (top.Excluded(b.ts[k])) return false;
              if (ctx->Done()) return false;
              const LabelView* md = b.md.data() + b.md_begin[k];
              size_t n_md = b.md_begin[k + 1] - b.md_begin[k];
              level.Apply(b.line[k], &md, &n_md);
              if (!sp->Process(b.ts[k], b.line[k], md, n_md)) continue;
              if (ctx->Done()) return false;
              top.Add(b.ts[k]);
              const ResultLabels& rl = sp->labels();
              auto [it, inserted] = group_of.try_emplace(&rl, p.groups.size());
              if (inserted) {
                StreamResult g;
                g.labels = rl.all;
                g.stream = rl.stream;
                if (!ctx->Charge(LabelsBytes(rl.all) + LabelsBytes(rl.stream))) return false;
                p.groups.push_back(std::move(g));
              }
              ResultEntry e;
              e.ts = b.ts[k];
              e.line.assign(sp->line());
              e.structured_metadata = rl.structured_metadata;
              e.parsed = rl.parsed;
              if (!ctx->Charge(sizeof(ResultEntry) + e.line.size() +
                               LabelsBytes(e.structured_metadata) + LabelsBytes(e.parsed))) {
                return false;
              }
              p.groups[it->second].entries.push_back(std::move(e));
              p.hits.push_back({b.ts[k], seq++, it->second});
              if (p.hits.size() >= limit) return false;
            }
            return true;
          },
          &p.stats);
    }));
    LODE_RETURN_IF_ERROR(ctx->Err());
    // Global order by direction; the first `limit` entries win.
    struct Ref {
      int64_t ts;
      size_t stream;
      uint64_t seq;
      size_t group;
    };
    std::vector<Ref> all;
    for (size_t i = 0; i < partials.size(); ++i) {
      for (const auto& h : partials[i].hits) all.push_back({h.ts, i, h.seq, h.group});
      AddStats(&out->stats, partials[i].stats);
    }
    bool fwd = req.direction == Direction::kForward;
    std::sort(all.begin(), all.end(), [fwd](const Ref& a, const Ref& b) {
      if (a.ts != b.ts) return fwd ? a.ts < b.ts : a.ts > b.ts;
      if (a.stream != b.stream) return a.stream < b.stream;
      return a.seq < b.seq;
    });
    if (all.size() > limit) all.resize(limit);
    // Keep the chosen entries (per stream they are a prefix of the scan order).
    std::vector<uint64_t> kept_count(partials.size(), 0);
    for (const auto& r : all) kept_count[r.stream] = std::max(kept_count[r.stream], r.seq + 1);
    // Merge groups with identical label sets across streams.
    std::unordered_map<std::string, size_t> result_index;
    for (size_t i = 0; i < partials.size(); ++i) {
      Partial& p = partials[i];
      std::vector<size_t> taken(p.groups.size(), 0);
      for (uint64_t s = 0; s < kept_count[i]; ++s) taken[p.hits[s].group]++;
      for (size_t g = 0; g < p.groups.size(); ++g) {
        if (taken[g] == 0) continue;
        StreamResult& src = p.groups[g];
        src.entries.resize(taken[g]);
        std::string key = LabelsToString(src.labels);
        auto [it, inserted] = result_index.try_emplace(key, out->streams.size());
        if (inserted) {
          out->streams.push_back(std::move(src));
        } else {
          auto& dst = out->streams[it->second].entries;
          for (auto& e : src.entries) dst.push_back(std::move(e));
        }
      }
    }
    for (auto& s : out->streams) {
      std::stable_sort(s.entries.begin(), s.entries.end(),
                       [fwd](const ResultEntry& a, const ResultEntry& b) {
                         return fwd ? a.ts < b.ts : a.ts > b.ts;
                       });
    }
    out->type = QueryResult::Type::kStreams;
    out->stats.streams = streams.size();
    out->stats.exec_seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return Status::OK();
  }

  // Metric query.
  EvalParams ep;
  ep.instant = req.instant;
  ep.start_ns = req.instant ? req.end_ns : req.start_ns;
  ep.end_ns = req.end_ns;
  ep.step_ns =
      req.instant ? 0 : (req.step_ns > 0 ? req.step_ns : DefaultStep(req.start_ns, req.end_ns));
  ep.max_series = opts_.max_query_series;
  ep.max_points_per_series = opts_.max_points_per_series;
  ep.ctx = ctx;
  if (!req.instant && ep.step_ns > 0 &&
      (ep.end_ns - ep.start_ns) / ep.step_ns > static_cast<int64_t>(opts_.max_points_per_series)) {
    return Status::InvalidArgument(
        "exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query "
        "resolution "
        "(?step=XX)");
  }
  if (req.align_to_step && !req.instant) {
    // Go's % truncates toward zero like C++'s, so negative times round alike.
    const int64_t step = ep.step_ns;
    ep.start_ns -= ep.start_ns % step;
    if (const int64_t mod = ep.end_ns % step; mod != 0) ep.end_ns += step - mod;
  }
  std::mutex stats_mu;
  std::unordered_map<const Expr*, const Grouping*> outer_groupings;
  CollectOuterSumGroupings(*expr, &outer_groupings);
  SampleSource source = [&](const Expr& node, int64_t from_ns, int64_t to_ns,
                            std::vector<SampleSeries>* series) -> Status {
    std::unique_ptr<SampleExtractor> ex;
    auto og = outer_groupings.find(&node);
    LODE_RETURN_IF_ERROR(
        SampleExtractor::Create(node, og == outer_groupings.end() ? nullptr : og->second, &ex));
    const LogSelectorExpr& sel = node.log_range.selector;
    // Samples in (from, to]: scan [from+1, to+1).
    int64_t start = from_ns + 1, end = to_ns + 1;
    std::vector<StreamRef> streams;
    LODE_RETURN_IF_ERROR(reader_->SelectStreams(req.tenant, sel.matchers, start, end, &streams));
    struct Partial {
      std::unordered_map<uint64_t, SampleSeries> series;
      ScanStats stats;
    };
    std::vector<Partial> partials(streams.size());
    const std::string needle = ex->RequiredLiteral();
    const WindowFold fold(node, ep);
    const bool folding = opts_.fold_windows && fold.Enabled();
    LODE_RETURN_IF_ERROR(ParallelFor(streams.size(), opts_.scan_threads, [&](size_t i, int) {
      Partial& p = partials[i];
      ScopedQueryContext scope(ctx);
      auto sx = ex->ForStream(streams[i].labels);
      LevelInjector level(want_level, streams[i].labels);
      const ResultLabels* last = nullptr;
      SampleSeries* cur = nullptr;
      int64_t fold_end = INT64_MIN;  // folding: cur's last sample takes samples up to here
      return reader_->ScanStreamContaining(
          req.tenant, streams[i].id, start, end, Direction::kForward, needle,
          [&](const EntryBatch& b) {
            if (ctx->Done()) return false;
            uint64_t batch_bytes = 0;
            for (size_t k = 0; k < b.size(); ++k) {
              double v;
              const LabelView* md = b.md.data() + b.md_begin[k];
              size_t n_md = b.md_begin[k + 1] - b.md_begin[k];
              level.Apply(b.line[k], &md, &n_md);
              if (ctx->Done()) return false;
              if (!sx->Process(b.ts[k], b.line[k], md, n_md, &v)) continue;
              const ResultLabels& rl = sx->labels();
              if (&rl != last) {
                last = &rl;
                auto [it, inserted] = p.series.try_emplace(rl.hash);
                if (inserted) {
                  it->second.labels = rl.all;
                  batch_bytes += sizeof(SampleSeries) + LabelsBytes(rl.all);
                }
                cur = &it->second;
                fold_end = folding && !cur->samples.empty()
                               ? fold.IntervalEnd(cur->samples.back().ts)
                               : INT64_MIN;
              }
              if (!cur->samples.empty() && cur->samples.back().ts <= b.ts[k] &&
                  b.ts[k] <= fold_end) {
                cur->samples.back() = {b.ts[k], cur->samples.back().value + v};
                continue;
              }
              cur->samples.push_back({b.ts[k], v});
              batch_bytes += sizeof(Sample);
              if (folding) fold_end = fold.IntervalEnd(b.ts[k]);
            }
            return ctx->Charge(batch_bytes) && !ctx->Done();
          },
          &p.stats);
    }));
    LODE_RETURN_IF_ERROR(ctx->Err());
    // Each series' samples are gathered into one vector allocated once at
    // its final size, and every stream's part is freed as soon as it is
    // copied: the peak is about one copy of the samples, not three.
    std::unordered_map<uint64_t, size_t> index;  // series hash -> position in *series
    std::vector<size_t> total;                   // per series: its samples
    for (auto& p : partials) {
      for (auto& [h, s] : p.series) {
        auto [it, inserted] = index.try_emplace(h, series->size());
        if (inserted) {
          series->push_back(SampleSeries{std::move(s.labels), {}});
          total.push_back(0);
        }
        total[it->second] += s.samples.size();
      }
    }
    std::vector<std::vector<size_t>> runs(series->size());  // per series: start of every sorted run
    for (auto& p : partials) {
      {
        std::lock_guard<std::mutex> l(stats_mu);
        AddStats(&out->stats, p.stats);
      }
      for (auto& [h, s] : p.series) {
        const size_t i = index[h];
        auto& dst = (*series)[i].samples;
        // Allocated at its first part, not before: the parts still to come
        // hold the rest of the samples meanwhile.
        if (runs[i].empty()) dst.reserve(total[i]);
        runs[i].push_back(dst.size());
        dst.insert(dst.end(), s.samples.begin(), s.samples.end());
        std::vector<Sample>().swap(s.samples);
      }
      p.series.clear();
    }
    for (size_t i = 0; i < series->size(); ++i) MergeSortedRuns(&runs[i], &(*series)[i].samples);
    return Status::OK();
  };
  LODE_RETURN_IF_ERROR(Evaluate(*expr, ep, source, &out->metric));
  LODE_RETURN_IF_ERROR(ctx->Err());
  switch (out->metric.type) {
    case EvalResult::Type::kMatrix:
      out->type = QueryResult::Type::kMatrix;
      break;
    case EvalResult::Type::kVector:
      out->type = QueryResult::Type::kVector;
      break;
    case EvalResult::Type::kScalar:
      out->type = QueryResult::Type::kScalar;
      break;
  }
  out->stats.exec_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return Status::OK();
}

}  // namespace lode::logql
