// LogQL pipeline stages (logql::Pipeline) over realistic lines: JSON API
// logs, logfmt worker logs and nginx access logs (4 MiB of each). Bytes are
// raw input line bytes; "pass" is the fraction of lines that pass.
#include <benchmark/benchmark.h>

#include "bench/micro/corpus.h"
#include "logql/log/pipeline.h"
#include "logql/syntax/parser.h"

namespace lode::micro {
namespace {

void RunPipeline(benchmark::State& state, bench::App app, const char* query) {
  logql::ExprPtr expr;
  Status s = logql::ParseExpr(query, &expr);
  if (!s.ok()) {
    state.SkipWithError(s.message().c_str());
    return;
  }
  std::unique_ptr<logql::Pipeline> pipeline;
  s = logql::Pipeline::Create(expr->log, &pipeline);
  if (!s.ok()) {
    state.SkipWithError(s.message().c_str());
    return;
  }
  const std::vector<CorpusLine>& lines = LinesOf(app);
  Labels stream;
  (void)ParseLabels(GetCorpus().streams[lines[0].stream].labels, &stream);
  auto sp = pipeline->ForStream(stream);
  uint64_t passed = 0;
  for (auto _ : state) {
    for (const CorpusLine& l : lines) {
      if (sp->Process(l.ts, l.line, nullptr, 0)) {
        ++passed;
        benchmark::DoNotOptimize(sp->line().data());
      }
    }
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * lines.size()));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * BytesOf(lines)));
  state.counters["pass"] =
      static_cast<double>(passed) / static_cast<double>(state.iterations() * lines.size());
}

#define PIPELINE_BENCH(name, app, query) \
  BENCHMARK_CAPTURE(RunPipeline, name, bench::App::app, query)->Unit(benchmark::kMillisecond)

// Line filters.
PIPELINE_BENCH(noop, kApi, R"q({app="api"})q");
PIPELINE_BENCH(line_filter_literal_rare, kApi, R"q({app="api"} |= "unknown authority")q");
PIPELINE_BENCH(line_filter_literal_common, kApi, R"q({app="api"} |= "/api/v1/orders")q");
PIPELINE_BENCH(line_filter_not_contains, kApi, R"q({app="api"} != "GET")q");
PIPELINE_BENCH(line_filter_regex, kNginx, R"q({app="nginx"} |~ "HTTP/[12]\\.[01]\" 50[234] ")q");
PIPELINE_BENCH(line_filter_regex_literal, kApi, R"q({app="api"} |~ "unknown authority")q");
PIPELINE_BENCH(line_filter_case_insensitive, kApi, R"q({app="api"} |~ "(?i)Unknown Authority")q");
PIPELINE_BENCH(line_filter_or, kApi, R"q({app="api"} |= "timeout" or "refused")q");
// Parsers.
PIPELINE_BENCH(json, kApi, R"q({app="api"} | json)q");
PIPELINE_BENCH(json_params, kApi, R"q({app="api"} | json status, path)q");
PIPELINE_BENCH(json_label_filter, kApi, R"q({app="api"} | json | status >= 500)q");
PIPELINE_BENCH(logfmt, kWorker, R"q({app="worker"} | logfmt)q");
PIPELINE_BENCH(logfmt_duration_filter, kWorker, R"q({app="worker"} | logfmt | duration > 10s)q");
PIPELINE_BENCH(
    regexp, kNginx,
    R"q({app="nginx"} | regexp "^(?P<ip>\\S+) \\S+ \\S+ \\[[^\\]]+\\] \"(?P<method>\\S+) (?P<path>\\S+)")q");
PIPELINE_BENCH(
    pattern, kNginx,
    R"q({app="nginx"} | pattern "<ip> - <_> [<_>] \"<method> <path> <_>\" <status> <size> <_>")q");
// Label filters, formatters, drop.
PIPELINE_BENCH(label_filter_stream, kApi, R"q({app="api"} | level="error")q");
PIPELINE_BENCH(label_filter_regex, kApi, R"q({app="api"} | json | path=~"/api/v1/orders.*")q");
PIPELINE_BENCH(line_format, kApi,
               R"q({app="api"} | json | line_format "{{.method}} {{.path}} {{.status}}")q");
PIPELINE_BENCH(label_format_rename, kApi, R"q({app="api"} | json | label_format verb=method)q");
PIPELINE_BENCH(label_format_template, kApi,
               R"q({app="api"} | json | label_format route="{{.method}} {{.path}}")q");
PIPELINE_BENCH(drop_error, kApi, R"q({app="api"} | drop __error__)q");
PIPELINE_BENCH(json_drop, kApi, R"q({app="api"} | json | drop trace_id, user, ts)q");

}  // namespace
}  // namespace lode::micro
