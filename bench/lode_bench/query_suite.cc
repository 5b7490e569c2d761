#include "bench/lode_bench/query_suite.h"

#include <cstdio>

#include "bench/lode_bench/args.h"
#include "bench/lode_bench/ingest_runner.h"
#include "bench/lode_bench/measure.h"
#include "bench/lode_bench/resource_sampler.h"
#include "bench/lode_bench/result_diff.h"
#include "bench/lode_bench/vocabulary.h"

namespace lode::bench {
namespace {

using nlohmann::json;
constexpr int64_t kSecond = 1'000'000'000;

std::string StepParam(int64_t ns) {
  char buf[32];
  if (ns % kSecond == 0) {
    snprintf(buf, sizeof(buf), "%lld", static_cast<long long>(ns / kSecond));
  } else {
    snprintf(buf, sizeof(buf), "%.3f", static_cast<double>(ns) / kSecond);
  }
  return buf;
}

// LogQL string literal: backslash and double quote escaped.
std::string Quote(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '\\' || c == '"') out.push_back('\\');
    out.push_back(c);
  }
  return out + "\"";
}

json SummarizeResult(const json& response) {
  const json data = response.value("data", json());
  if (data.is_array()) return {{"type", "list"}, {"items", data.size()}};
  if (!data.is_object()) return {{"type", "unknown"}};
  std::string type = data.value("resultType", std::string("unknown"));
  const json result = data.value("result", json::array());
  json out = {{"type", type}};
  if (type == "streams") {
    size_t entries = 0;
    for (const json& s : result) entries += s.value("values", json::array()).size();
    out["streams"] = result.size();
    out["entries"] = entries;
  } else if (type == "matrix") {
    size_t samples = 0;
    for (const json& s : result) samples += s.value("values", json::array()).size();
    out["series"] = result.size();
    out["samples"] = samples;
  } else if (type == "vector") {
    out["series"] = result.size();
  }
  return out;
}

// data.stats.summary.<field> as a number, or -1 when absent.
double SummaryStat(const json& response, const char* field) {
  const json* node = &response;
  for (const char* key : {"data", "stats", "summary", field}) {
    if (!node->is_object() || !node->contains(key)) return -1;
    node = &(*node)[key];
  }
  return node->is_number() ? node->get<double>() : -1;
}

std::string ResultText(const json& summary) {
  std::string type = summary.value("type", std::string());
  if (type == "streams") {
    return std::to_string(summary.value("streams", 0)) + " streams, " +
           std::to_string(summary.value("entries", 0)) + " entries";
  }
  if (type == "matrix") {
    return std::to_string(summary.value("series", 0)) + " series, " +
           std::to_string(summary.value("samples", 0)) + " samples";
  }
  if (type == "vector") return std::to_string(summary.value("series", 0)) + " series";
  if (type == "list") return std::to_string(summary.value("items", 0)) + " items";
  return type;
}

const char* KindName(QueryKind kind) {
  switch (kind) {
    case QueryKind::kLogs:
      return "logs";
    case QueryKind::kMetric:
      return "metric";
    case QueryKind::kInstant:
      return "instant";
    case QueryKind::kLabels:
      return "labels";
    case QueryKind::kLabelValues:
      return "label_values";
    case QueryKind::kSeries:
      return "series";
  }
  return "?";
}

}  // namespace

std::string QuerySpec::Target() const {
  std::string range = "start=" + std::to_string(start_ns) + "&end=" + std::to_string(end_ns);
  switch (kind) {
    case QueryKind::kLogs:
      return "/loki/api/v1/query_range?query=" + UrlEncode(query) + "&" + range +
             "&limit=" + std::to_string(limit) + "&direction=backward";
    case QueryKind::kMetric:
      return "/loki/api/v1/query_range?query=" + UrlEncode(query) + "&" + range +
             "&step=" + StepParam(step_ns);
    case QueryKind::kInstant:
      return "/loki/api/v1/query?query=" + UrlEncode(query) + "&time=" + std::to_string(end_ns) +
             "&limit=" + std::to_string(limit > 0 ? limit : 100);
    case QueryKind::kLabels:
      return "/loki/api/v1/labels?" + range;
    case QueryKind::kLabelValues:
      return "/loki/api/v1/label/" + UrlEncode(query) + "/values?" + range;
    case QueryKind::kSeries:
      return "/loki/api/v1/series?match%5B%5D=" + UrlEncode(query) + "&" + range;
  }
  return "/";
}

int64_t GrafanaStepNs(int64_t range_ns, int max_data_points) {
  // Grafana's kbn.roundInterval: (upper bound of the raw interval, rounded), ms.
  static constexpr std::pair<int64_t, int64_t> kRounding[] = {
      {1500, 1000},         {3500, 2000},         {7500, 5000},         {12500, 10000},
      {17500, 15000},       {25000, 20000},       {45000, 30000},       {90000, 60000},
      {210000, 120000},     {450000, 300000},     {750000, 600000},     {1050000, 900000},
      {1500000, 1200000},   {2700000, 1800000},   {5400000, 3600000},   {9000000, 7200000},
      {16200000, 10800000}, {32400000, 21600000}, {86400000, 43200000}, {604800000, 86400000}};
  int64_t raw_ms = range_ns / 1'000'000 / std::max(1, max_data_points);
  for (const auto& [bound, rounded] : kRounding) {
    if (raw_ms < bound) return rounded * 1'000'000;
  }
  return 604800000LL * 1'000'000;
}

std::vector<QuerySpec> BuildQuerySuite(int64_t end_ns, int64_t span_ns) {
  const int64_t start = end_ns - span_ns;
  const int64_t hour_start = end_ns - std::min<int64_t>(span_ns, 3600 * kSecond);
  const int64_t step = GrafanaStepNs(span_ns);
  const int64_t hour_step = GrafanaStepNs(end_ns - hour_start);
  const std::string volume =
      "sum by (level, detected_level) (count_over_time({app=\"api\"} | drop __error__[1m]))";
  auto logs = [&](std::string name, std::string query) {
    return QuerySpec{std::move(name), QueryKind::kLogs, std::move(query), start, end_ns, 0, 1000};
  };
  auto metric = [&](std::string name, std::string query, int64_t from, int64_t s) {
    return QuerySpec{std::move(name), QueryKind::kMetric, std::move(query), from, end_ns, s, 0};
  };
  return {
      logs("logs_rare_needle", "{app=\"api\"} |= " + Quote(kRareNeedle)),
      logs("logs_common_needle", "{app=\"api\"} |= " + Quote(kCommonNeedle)),
      logs("logs_regex", "{app=\"nginx\"} |~ " + Quote("HTTP/[12]\\.[01]\" 50[234] ")),
      logs("logs_json_status_5xx", "{app=\"api\"} | json | status >= 500"),
      logs("logs_logfmt_slow_jobs", "{app=\"worker\"} | logfmt | duration > 10s"),
      logs("logs_line_format",
           "{app=\"api\"} | json | line_format " + Quote("{{.method}} {{.path}} {{.status}}")),
      metric("volume_1h", volume, hour_start, hour_step),
      metric("volume_span", volume, start, step),
      metric("rate_by_app", "sum by (app) (rate({env=\"prod\"}[5m]))", start, step),
      metric("quantile_latency",
             "quantile_over_time(0.99, {app=\"api\"} | json | unwrap latency_ms [5m]) by (app)",
             start, step),
      metric("topk_instances", "topk(5, sum by (instance) (count_over_time({app=~\".+\"}[5m])))",
             start, step),
      {"instant_count_by_level", QueryKind::kInstant,
       "sum by (level) (count_over_time({env=\"prod\"}[1h]))", start, end_ns, 0, 100},
      {"labels", QueryKind::kLabels, "", start, end_ns, 0, 0},
      {"label_values_app", QueryKind::kLabelValues, "app", start, end_ns, 0, 0},
      {"series_api", QueryKind::kSeries, "{app=\"api\"}", start, end_ns, 0, 0},
  };
}

bool RunQueries(const QueryOptions& options, json* metrics, std::string* fatal) {
  if (!ProbeServer(options.url, options.timeout, fatal)) return false;
  if (options.check_url && !ProbeServer(*options.check_url, options.timeout, fatal)) return false;

  const Headers headers = {{"X-Scope-OrgID", options.tenant}};
  HttpClient client(options.url, options.timeout);
  std::optional<HttpClient> other;
  if (options.check_url) other.emplace(*options.check_url, options.timeout);

  std::vector<QuerySpec> suite = BuildQuerySuite(options.end_ns, options.span_ns);
  json& m = *metrics;
  m["window"] = {{"start", FormatRfc3339(options.end_ns - options.span_ns)},
                 {"end", FormatRfc3339(options.end_ns)},
                 {"end_ns", options.end_ns}};
  m["queries"] = json::array();
  ResourceSampler sampler(options.pid);
  sampler.Start();
  size_t mismatched = 0, failed = 0, checked = 0;
  for (const QuerySpec& spec : suite) {
    if (!options.only.empty() && spec.name.find(options.only) == std::string::npos) continue;
    const std::string target = spec.Target();
    json q = {{"name", spec.name}, {"kind", KindName(spec.kind)}, {"target", target}};
    if (!spec.query.empty()) q["query"] = spec.query;
    if (spec.step_ns > 0) q["step_seconds"] = static_cast<double>(spec.step_ns) / kSecond;

    std::vector<double> latencies, rates;
    double bytes_processed = -1, lines_processed = -1;
    int errors = 0;
    json first_ok;
    for (int run = 0; run < options.runs; ++run) {
      HttpResponse response = client.Get(target, headers);
      if (!response.ok()) {
        if (errors++ == 0) q["first_error"] = response.Describe();
        continue;
      }
      latencies.push_back(response.seconds);
      json parsed = json::parse(response.body, nullptr, false);
      if (parsed.is_discarded()) {
        if (errors++ == 0)
          q["first_error"] = "response is not JSON: " + response.body.substr(0, 200);
        continue;
      }
      double bytes = SummaryStat(parsed, "totalBytesProcessed");
      if (bytes >= 0) {
        bytes_processed = bytes;
        lines_processed = SummaryStat(parsed, "totalLinesProcessed");
        if (response.seconds > 0) rates.push_back(bytes / response.seconds);
      }
      if (first_ok.is_null()) first_ok = std::move(parsed);
    }
    q["runs"] = options.runs;
    q["errors"] = errors;
    q["latency"] = LatencySummary(latencies);
    if (bytes_processed >= 0) {
      q["bytes_processed"] = bytes_processed;
      if (lines_processed >= 0) q["lines_processed"] = lines_processed;
      q["gb_per_second"] = Percentile(rates, 0.5) / 1e9;
    }
    if (!first_ok.is_null()) q["result"] = SummarizeResult(first_ok);
    if (errors > 0) ++failed;

    std::string check_text;
    if (other) {
      HttpResponse theirs = other->Get(target, headers);
      json check;
      std::vector<std::string> diffs;
      if (!theirs.ok()) {
        diffs.push_back("B failed: " + theirs.Describe());
      } else if (first_ok.is_null()) {
        diffs.push_back("A failed: " + q.value("first_error", std::string("no response")));
      } else {
        json parsed = json::parse(theirs.body, nullptr, false);
        if (parsed.is_discarded()) {
          diffs.push_back("B response is not JSON");
        } else {
          diffs = DiffResponses(first_ok, parsed);
          check["result_b"] = SummarizeResult(parsed);
        }
      }
      ++checked;
      check["equal"] = diffs.empty();
      check["differences"] = diffs;
      if (!diffs.empty()) ++mismatched;
      q["check"] = check;
      check_text = diffs.empty() ? "  [same as B]" : "  [DIFFERS from B: " + diffs[0] + "]";
    }

    double p50 = q["latency"]["p50_ms"], p99 = q["latency"]["p99_ms"];
    char line[256];
    snprintf(line, sizeof(line), "  %-24s p50 %9.1f ms  p99 %9.1f ms", spec.name.c_str(), p50, p99);
    std::string text = line;
    if (q.contains("gb_per_second")) {
      snprintf(line, sizeof(line), "  %6.2f GB/s", q["gb_per_second"].get<double>());
      text += line;
    }
    if (q.contains("result")) text += "  " + ResultText(q["result"]);
    if (errors > 0)
      text += "  errors " + std::to_string(errors) + ": " + q["first_error"].get<std::string>();
    fprintf(stderr, "%s%s\n", text.c_str(), check_text.c_str());
    m["queries"].push_back(std::move(q));
  }
  json server = sampler.Stop();
  if (!server.is_null()) m["server"] = server;
  m["failed_queries"] = failed;
  if (other)
    m["check"] = {
        {"url", options.check_url->ToString()}, {"compared", checked}, {"mismatched", mismatched}};
  return true;
}

}  // namespace lode::bench
