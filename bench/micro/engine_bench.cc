// Engine scans (logql::Engine::Query) over an in-memory Reader that holds the
// per-app corpora as real chunks (EncodeChunk, zstd 3, 256 KiB blocks): log
// queries with line filters and parsers and a logs-volume metric query, without
// RocksDB. Bytes are the engine's bytes_processed (raw line bytes scanned).
#include <benchmark/benchmark.h>

#include <algorithm>
#include <map>

#include "bench/micro/corpus.h"
#include "logql/engine.h"
#include "storage/chunk.h"

namespace lode::micro {
namespace {

class MemReader : public Reader {
 public:
  MemReader() {
    std::map<uint32_t, std::vector<OwnedEntry>> by_stream;
    for (int a = 0; a < bench::kAppCount; ++a) {
      for (const CorpusLine& l : LinesOf(static_cast<bench::App>(a))) {
        auto& v = by_stream[l.stream];
        v.push_back({l.ts, l.line, {}, v.size()});
        min_ts_ = std::min(min_ts_, l.ts);
        max_ts_ = std::max(max_ts_, l.ts);
      }
    }
    for (auto& [id, entries] : by_stream) {
      SortAndDedup(&entries);
      Stream s;
      s.ref.id = id;
      (void)ParseLabels(GetCorpus().streams[id].labels, &s.ref.labels);
      ChunkMeta meta;
      EncodeChunk(entries.data(), entries.data() + entries.size(), 256 * 1024, 3, &s.chunk, &meta);
      streams_.emplace(id, std::move(s));
    }
  }

  int64_t min_ts() const { return min_ts_; }
  int64_t max_ts() const { return max_ts_; }

  Status SelectStreams(std::string_view, const std::vector<MatcherPtr>& matchers, int64_t, int64_t,
                       std::vector<StreamRef>* out) override {
    for (const auto& [id, s] : streams_) {
      bool ok = true;
      for (const auto& m : matchers) {
        const std::string* v = FindLabel(s.ref.labels, m->name());
        if (!m->Matches(v ? std::string_view(*v) : std::string_view())) ok = false;
      }
      if (ok) out->push_back(s.ref);
    }
    return Status::OK();
  }

  Status ScanStream(std::string_view, uint64_t id, int64_t start_ns, int64_t end_ns, Direction dir,
                    const BatchVisitor& visit, ScanStats* stats) override {
    auto it = streams_.find(static_cast<uint32_t>(id));
    if (it == streams_.end()) return Status::OK();
    std::string scratch;
    EntryBatch batch;
    bool stopped = false;
    return DecodeChunk(it->second.chunk, start_ns, end_ns, dir, visit, &scratch, &batch, stats,
                       &stopped);
  }

  Status LabelNames(std::string_view, const std::vector<MatcherPtr>&, int64_t, int64_t,
                    std::vector<std::string>*) override {
    return Status::OK();
  }
  Status LabelValues(std::string_view, std::string_view, const std::vector<MatcherPtr>&, int64_t,
                     int64_t, std::vector<std::string>*) override {
    return Status::OK();
  }

 private:
  struct Stream {
    StreamRef ref;
    std::string chunk;
  };
  std::map<uint32_t, Stream> streams_;
  int64_t min_ts_ = INT64_MAX, max_ts_ = INT64_MIN;
};

MemReader& SharedReader() {
  static MemReader* r = new MemReader;
  return *r;
}

void RunQuery(benchmark::State& state, const char* query, uint32_t limit, int64_t step_s) {
  MemReader& reader = SharedReader();
  logql::EngineOptions opts;
  opts.scan_threads = 1;  // per-core throughput
  logql::Engine engine(&reader, opts);
  logql::QueryRequest req;
  req.query = query;
  req.start_ns = reader.min_ts();
  req.end_ns = reader.max_ts() + 1;
  req.limit = limit;
  req.step_ns = step_s * 1'000'000'000LL;
  uint64_t bytes = 0, lines = 0;
  size_t results = 0;
  for (auto _ : state) {
    logql::QueryResult res;
    Status s = engine.Query(req, &res);
    if (!s.ok()) {
      state.SkipWithError(s.message().c_str());
      return;
    }
    bytes += res.stats.bytes_processed;
    lines += res.stats.lines_processed;
    results = 0;
    for (const auto& st : res.streams) results += st.entries.size();
    for (const auto& se : res.metric.series) results += se.points.size();
  }
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
  state.SetItemsProcessed(static_cast<int64_t>(lines));
  state.counters["results"] = static_cast<double>(results);
}

#define ENGINE_BENCH(name, query, limit, step) \
  BENCHMARK_CAPTURE(RunQuery, name, query, limit, step)->Unit(benchmark::kMillisecond)

ENGINE_BENCH(logs_rare_needle, R"q({app="api"} |= "unknown authority")q", 1000, 0);
ENGINE_BENCH(logs_common_needle, R"q({app="api"} |= "/api/v1/orders")q", 1000, 0);
ENGINE_BENCH(logs_all_limit5000, R"q({app=~".+"})q", 5000, 0);
ENGINE_BENCH(logs_regex, R"q({app="nginx"} |~ "HTTP/[12]\\.[01]\" 50[234] ")q", 1000, 0);
ENGINE_BENCH(logs_json_status_5xx, R"q({app="api"} | json | status >= 500)q", 1000, 0);
ENGINE_BENCH(logs_line_format,
             R"q({app="api"} | json | line_format "{{.method}} {{.path}} {{.status}}")q", 1000, 0);
ENGINE_BENCH(
    volume,
    R"q(sum by (level, detected_level) (count_over_time({app="api"} | drop __error__[1m])))q", 0,
    2);
ENGINE_BENCH(rate_by_app, R"q(sum by (app) (rate({env="prod"}[5m])))q", 0, 2);
ENGINE_BENCH(quantile_latency,
             R"q(quantile_over_time(0.99, {app="api"} | json | unwrap latency_ms [5m]) by (app))q",
             0, 2);

}  // namespace
}  // namespace lode::micro
