// compare: turns two lode-bench result files into a Markdown table and an
// SVG bar chart, so two servers (or two builds) can be compared at a glance.
//
// Metrics are taken from the "ingest" and "query" sections of each file (see
// README.md). In the table the ratio is B/A; in the chart every metric's bars
// are normalised to the better of the two values (the better one is full
// length, for lower-is-better metrics too), so longer always means better.
// Pure functions over parsed JSON; thread-safe.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace lode::bench {

struct ReportMetric {
  std::string name;
  std::string unit;
  bool higher_is_better;
  double a, b;
  bool has_a, has_b;
};

std::vector<ReportMetric> CollectMetrics(const nlohmann::json& a, const nlohmann::json& b);
std::string MarkdownReport(const nlohmann::json& a, const nlohmann::json& b);
std::string SvgChart(const nlohmann::json& a, const nlohmann::json& b);

}  // namespace lode::bench
