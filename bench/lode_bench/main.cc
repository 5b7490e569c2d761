// lode-bench: end-to-end benchmark of a Loki-compatible log store.
//
//   lode-bench ingest  --url URL [data options] [--connections 4] ...
//   lode-bench query   --url URL [--span 24h] [--runs 5] [--check-results URL2]
//   lode-bench all     ingest then query, one results file
//   lode-bench compare a.json b.json [--md report.md] [--svg chart.svg]
//   lode-bench gen     --lines N [data options] --format jsonl|raw|null
//   lode-bench files   --url URL --dir DIR [--files 100] [--lines 1M] [--rate N] [--pid PID]
//   [--idle 10s]
//   lode-bench soak    --duration 30m --lode build/lode | --url URL --pid PID
//   lode-bench conns   --url URL [--connections 2000] [--duration 30s] [--pushers 50]
//
// Exit status: 0 when the phases ran (see --strict), 1 when the server could
// not be reached or a phase aborted, 2 on a usage error. See README.md.
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>

#include "bench/lode_bench/args.h"
#include "bench/lode_bench/compare_report.h"
#include "bench/lode_bench/conns_command.h"
#include "bench/lode_bench/files_command.h"
#include "bench/lode_bench/gen_command.h"
#include "bench/lode_bench/ingest_runner.h"
#include "bench/lode_bench/measure.h"
#include "bench/lode_bench/query_suite.h"
#include "bench/lode_bench/soak_command.h"
#include "bench/lode_bench/summary.h"

namespace lode::bench {
namespace {

using nlohmann::json;

constexpr const char* kUsage = R"(usage:
  lode-bench ingest  --url http://127.0.0.1:3100 [options]
  lode-bench query   --url http://127.0.0.1:3100 [options]
  lode-bench all     --url http://127.0.0.1:3100 [options]   (ingest, then query)
  lode-bench compare a.json b.json [--md report.md] [--svg chart.svg]
  lode-bench gen     [data options] [--format jsonl|raw|null]
  lode-bench files   --url URL --dir DIR [--files 100] [--lines 1M] [--line-bytes 200]
                     [--rate LINES/S] [--pid PID] [--idle 10s] [--agent URL --agent-pid PID]
                     (appends to log files lode collects; waits until lode stored them;
                     with --agent, until a lode agent's target acknowledged them)
  lode-bench soak    --duration 30m (--lode build/lode | --url URL --pid PID [--data-dir DIR])
                     [--rate 5000] [--qps 4] [--report 30s] [--warmup 5m]
                     (steady pushes and queries; RSS, latency, errors, disk every 30s;
                     PASS when RSS grew <= 10% after warm-up and nothing failed)
  lode-bench conns   --url URL [--connections 2000] [--duration 30s] [--pushers 50]
                     [--queriers 4] [--push-interval 100ms] [--push-lines 100] [--out F]
                     (most connections idle keep-alive; push/query latency, errors)

data options (ingest, all, gen):
  --lines 10000000     entries to generate (10k, 1M and 1e6 work too)
  --streams 1000       number of streams (label sets)
  --span 24h           time span of the data, ending at --end
  --end TIME           end of the data, Unix seconds or RFC 3339 (default: now)
  --seed 1             generator seed; same seed and options = same data
ingest options:
  --connections 4      parallel keep-alive connections (one thread each)
  --batch-bytes 1MiB   raw line bytes per push request
  --max-errors 50      abort the ingest after this many failed pushes
  --format loki        loki: snappy protobuf to /loki/api/v1/push; otlp, otlp-gzip:
                       OTLP protobuf to /otlp/v1/logs (see bench/README.md)
query options:
  --runs 5             runs per query
  --check-results URL  also ask URL and report differing answers
  --only TEXT          run only queries whose name contains TEXT
  (the query window is (end - span, end]; `all` uses the ingested data's end)
common options:
  --tenant fake        X-Scope-OrgID header
  --pid PID            sample CPU and memory of the server process
  --data-dir DIR       measure the server's data directory after the flush
  --timeout 30s        per-request timeout (default for queries: 120s)
  --out FILE           write results as JSON
  --label NAME         name of this run in reports (default: the URL)
  --strict             exit 1 if any push or query failed or results differ
)";

int Usage(const std::string& error) {
  if (!error.empty()) fprintf(stderr, "lode-bench: %s\n\n", error.c_str());
  fputs(kUsage, stderr);
  return 2;
}

bool WriteFile(const std::string& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary);
  out << content;
  out.close();
  if (!out) {
    fprintf(stderr, "lode-bench: cannot write %s\n", path.c_str());
    return false;
  }
  return true;
}

bool ReadJsonFile(const std::string& path, json* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    fprintf(stderr, "lode-bench: cannot read %s\n", path.c_str());
    return false;
  }
  std::stringstream buffer;
  buffer << in.rdbuf();
  *out = json::parse(buffer.str(), nullptr, false);
  if (out->is_discarded()) {
    fprintf(stderr, "lode-bench: %s is not valid JSON\n", path.c_str());
    return false;
  }
  return true;
}

int Compare(Args& args) {
  std::string md_path = args.String("md"), svg_path = args.String("svg");
  if (!args.errors().empty()) return Usage(args.errors()[0]);
  if (!args.Unused().empty()) return Usage("unknown option " + args.Unused()[0]);
  if (args.positional().size() != 2) return Usage("compare needs two result files");
  json a, b;
  if (!ReadJsonFile(args.positional()[0], &a) || !ReadJsonFile(args.positional()[1], &b)) return 1;
  std::string md = MarkdownReport(a, b);
  if (md_path.empty()) {
    fputs(md.c_str(), stdout);
  } else if (!WriteFile(md_path, md)) {
    return 1;
  }
  if (!svg_path.empty() && !WriteFile(svg_path, SvgChart(a, b))) return 1;
  return 0;
}

DatasetOptions ReadDataOptions(Args& args) {
  DatasetOptions data;
  data.lines = args.Count("lines", 10'000'000);
  data.streams = static_cast<uint32_t>(args.Count("streams", 1000));
  data.span_ns = args.DurationNs("span", 24LL * 3600 * 1'000'000'000);
  // Whole seconds, so the value printed in the results reproduces the data.
  data.end_ns = args.TimeNs("end", UnixNowNs() / 1'000'000'000 * 1'000'000'000);
  data.seed = args.Count("seed", 1);
  return data;
}

std::string ValidateData(const DatasetOptions& data) {
  if (data.lines == 0) return "--lines must be positive";
  if (data.streams == 0 || data.streams > 10'000'000) return "--streams must be in 1..10M";
  if (data.span_ns <= 0) return "--span must be positive";
  if (static_cast<uint64_t>(data.span_ns) / 4 < data.lines) {
    fprintf(stderr,
            "lode-bench: warning: --span is too short for --lines; timestamps may repeat and "
            "servers may drop entries as duplicates\n");
  }
  return "";
}

int Gen(Args& args) {
  DatasetOptions data = ReadDataOptions(args);
  std::string format = args.String("format", "jsonl");
  if (!args.errors().empty()) return Usage(args.errors()[0]);
  if (!args.Unused().empty()) return Usage("unknown option " + args.Unused()[0]);
  if (std::string e = ValidateData(data); !e.empty()) return Usage(e);
  if (format != "jsonl" && format != "raw" && format != "null") {
    return Usage("--format must be jsonl, raw or null");
  }
  return RunGen(data, format, stdout) ? 0 : 1;
}

int Bench(const std::string& command, Args& args) {
  const bool do_ingest = command != "query", do_query = command != "ingest";
  std::string url_text = args.String("url", "http://127.0.0.1:3100");
  Url url;
  std::string error;
  if (!Url::Parse(url_text, &url, &error)) return Usage(error);
  DatasetOptions data = ReadDataOptions(args);
  std::string tenant = args.String("tenant", "fake");
  int pid = static_cast<int>(args.Count("pid", 0));
  std::string data_dir = args.String("data-dir");
  std::string out_path = args.String("out");
  std::string label = args.String("label", url.ToString());
  auto timeout =
      std::chrono::milliseconds(args.DurationNs("timeout", 30'000'000'000LL) / 1'000'000);
  bool strict = args.Flag("strict");

  IngestOptions ingest;
  QueryOptions query;
  if (do_ingest) {
    ingest.url = url;
    ingest.data = data;
    ingest.connections = static_cast<uint32_t>(args.Count("connections", 4));
    ingest.batch_bytes = args.Bytes("batch-bytes", 1 << 20);
    ingest.max_errors = args.Count("max-errors", 50);
    ingest.format = args.String("format", "loki");
    ingest.tenant = tenant;
    ingest.pid = pid;
    ingest.data_dir = data_dir;
    ingest.timeout = timeout;
  }
  if (do_query) {
    query.url = url;
    query.runs = static_cast<int>(args.Count("runs", 5));
    query.pid = pid;
    query.tenant = tenant;
    // Queries may legitimately take long; 120s unless --timeout says otherwise.
    query.timeout = args.Has("timeout") ? timeout : std::chrono::milliseconds(120'000);
    query.end_ns = data.end_ns;
    query.span_ns = data.span_ns;
    query.only = args.String("only");
    std::string check = args.String("check-results");
    if (!check.empty()) {
      Url other;
      if (!Url::Parse(check, &other, &error)) return Usage(error);
      query.check_url = other;
    }
  }
  if (!args.errors().empty()) return Usage(args.errors()[0]);
  if (!args.Unused().empty())
    return Usage("unknown option " + args.Unused()[0] + " for " + command);
  if (!args.positional().empty()) return Usage("unexpected argument " + args.positional()[0]);
  if (std::string e = ValidateData(data); !e.empty()) return Usage(e);
  if (do_ingest && (ingest.connections == 0 || ingest.connections > 256)) {
    return Usage("--connections must be in 1..256");
  }
  if (do_ingest && ingest.batch_bytes == 0) return Usage("--batch-bytes must be positive");
  if (do_ingest && ingest.format != "loki" && ingest.format != "otlp" &&
      ingest.format != "otlp-gzip")
    return Usage("--format must be loki, otlp or otlp-gzip");
  if (do_query && (query.runs <= 0 || query.runs > 10000))
    return Usage("--runs must be in 1..10000");

  json results = {{"tool", "lode-bench"},    {"format_version", 1},
                  {"command", command},      {"label", label},
                  {"url", url.ToString()},   {"started_at", FormatRfc3339(UnixNowNs())},
                  {"machine", MachineInfo()}};
  results["options"] = args.all();  // as typed on the command line
  json params;
  params["lines"] = data.lines;
  params["streams"] = data.streams;
  params["span"] = FormatDuration(data.span_ns);
  params["end"] = FormatRfc3339(data.end_ns);
  params["end_unix"] = data.end_ns / 1'000'000'000;
  params["seed"] = data.seed;
  params["tenant"] = tenant;
  params["timeout_seconds"] = static_cast<double>(timeout.count()) / 1000.0;
  if (pid > 0) params["pid"] = pid;
  if (!data_dir.empty()) params["data_dir"] = data_dir;
  if (do_ingest) {
    params["connections"] = ingest.connections;
    params["batch_bytes"] = ingest.batch_bytes;
    params["max_errors"] = ingest.max_errors;
    params["format"] = ingest.format;
  }
  if (do_query) {
    params["runs"] = query.runs;
    if (query.check_url) params["check_results"] = query.check_url->ToString();
    if (!query.only.empty()) params["only"] = query.only;
  }
  results["params"] = params;

  std::string fatal;
  bool ok = true;
  if (do_ingest) {
    fprintf(stderr, "lode-bench: ingesting %llu lines in %u streams over %s ending %s into %s\n",
            static_cast<unsigned long long>(data.lines), data.streams,
            FormatDuration(data.span_ns).c_str(), FormatRfc3339(data.end_ns).c_str(),
            url.ToString().c_str());
    json m;
    ok = RunIngest(ingest, &m, &fatal);
    if (!m.is_null()) results["ingest"] = m;
  }
  if (ok && do_query) {
    fprintf(stderr, "lode-bench: running queries against %s (%d runs each)\n",
            url.ToString().c_str(), query.runs);
    json m;
    ok = RunQueries(query, &m, &fatal);
    if (!m.is_null()) results["query"] = m;
  }
  results["ok"] = ok;
  if (!ok) results["fatal"] = fatal;
  fputs(SummaryText(results).c_str(), stdout);
  fflush(stdout);
  if (!out_path.empty()) {
    // Server error texts are cut at arbitrary bytes; never let that abort the report.
    std::string text = results.dump(2, ' ', false, json::error_handler_t::replace);
    if (!WriteFile(out_path, text + "\n")) return 1;
    fprintf(stderr, "lode-bench: results written to %s\n", out_path.c_str());
  }
  if (!ok) {
    fprintf(stderr, "lode-bench: %s\n", fatal.c_str());
    return 1;
  }
  if (strict && HasFailures(results)) {
    fprintf(stderr, "lode-bench: failures present (--strict)\n");
    return 1;
  }
  return 0;
}

}  // namespace
}  // namespace lode::bench

int main(int argc, char** argv) {
  using namespace lode::bench;
  if (argc < 2) return Usage("");
  std::string command = argv[1];
  if (command == "-h" || command == "--help" || command == "help") {
    fputs(kUsage, stdout);
    return 0;
  }
  Args args(argc, argv, 2, {"strict", "help", "keep-data"});
  if (args.Has("help")) {
    fputs(kUsage, stdout);
    return 0;
  }
  try {
    if (command == "compare") return Compare(args);
    if (command == "gen") return Gen(args);
    if (command == "files") return RunFiles(args);
    if (command == "soak") return RunSoak(args);
    if (command == "conns") return RunConns(args);
    if (command == "ingest" || command == "query" || command == "all") return Bench(command, args);
  } catch (const std::exception& e) {
    // Only malformed input files or responses of unexpected shape get here.
    fprintf(stderr, "lode-bench: %s\n", e.what());
    return 1;
  }
  return Usage("unknown command '" + command + "'");
}
