// Query phase: a fixed suite of requests that mirror how Grafana uses Loki.
//
// The suite (BuildQuerySuite) covers Explore log queries (rare and common
// needles, regex, json and logfmt filters, line_format), Grafana's
// logs-volume query over the last hour and over the whole span (volume_1h,
// volume_span; names stay fixed so reports line up), metric queries (rate,
// quantile_over_time with unwrap, topk), an instant query and the label
// browser endpoints. Needles come from the generator's vocabulary, so every
// query matches data produced by `lode-bench ingest` with the same window.
//
// Each request runs `runs` times, sequentially on one keep-alive connection.
// Latency is the wall time until the whole body has arrived. When the
// response carries data.stats.summary.totalBytesProcessed, the scan rate is
// that many bytes divided by the median latency. With a check URL, each
// request is also sent there once and the answers compared (result_diff.h).
#pragma once

#include <chrono>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "bench/lode_bench/http_client.h"

namespace lode::bench {

enum class QueryKind { kLogs, kMetric, kInstant, kLabels, kLabelValues, kSeries };

struct QuerySpec {
  std::string name;
  QueryKind kind;
  std::string query;  // LogQL; series matcher for kSeries; label name for kLabelValues
  int64_t start_ns = 0, end_ns = 0;
  int64_t step_ns = 0;  // metric range queries only
  int limit = 0;        // log queries only

  // Path and query string of the request, e.g. "/loki/api/v1/query_range?...".
  std::string Target() const;
};

// Grafana's step for a range: the range over `max_data_points`, rounded the
// way Grafana rounds intervals, at least 1s.
int64_t GrafanaStepNs(int64_t range_ns, int max_data_points = 1500);

// The suite over the window (end - span, end].
std::vector<QuerySpec> BuildQuerySuite(int64_t end_ns, int64_t span_ns);

struct QueryOptions {
  Url url;
  std::optional<Url> check_url;
  int runs = 5;
  int pid = 0;
  std::string tenant = "fake";
  std::chrono::milliseconds timeout{120'000};
  int64_t end_ns = 0;
  int64_t span_ns = 0;
  std::string only;  // if set, run only queries whose name contains it
};

// Runs the suite. Returns false with *fatal set if the server is unreachable;
// failing queries are recorded in *metrics and do not stop the suite.
bool RunQueries(const QueryOptions& options, nlohmann::json* metrics, std::string* fatal);

}  // namespace lode::bench
