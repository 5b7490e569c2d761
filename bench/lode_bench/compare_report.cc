#include "bench/lode_bench/compare_report.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace lode::bench {
namespace {

using nlohmann::json;

struct MetricDef {
  std::string name, unit;
  bool higher_is_better;
  json::json_pointer path;  // ignored when `query` is set
  double scale;
  std::string query = {};  // per-query p50 latency of the query with this name
};

std::vector<MetricDef> Definitions(const json& a, const json& b) {
  using P = json::json_pointer;
  constexpr double kMiB = 1.0 / (1 << 20);
  std::vector<MetricDef> defs = {
      {"ingest throughput", "lines/s", true, P("/ingest/lines_per_second"), 1},
      {"ingest throughput", "MB/s", true, P("/ingest/mb_per_second"), 1},
      {"push latency p50", "ms", false, P("/ingest/push_latency/p50_ms"), 1},
      {"push latency p99", "ms", false, P("/ingest/push_latency/p99_ms"), 1},
      {"ingest errors", "pushes", false, P("/ingest/errors"), 1},
      {"ingest server CPU", "s", false, P("/ingest/server/cpu_seconds"), 1},
      {"ingest efficiency", "lines/CPU-s", true, P("/ingest/server/lines_per_cpu_second"), 1},
      {"ingest peak RSS", "MiB", false, P("/ingest/server/peak_rss_bytes"), kMiB},
      {"disk footprint", "MiB", false, P("/ingest/disk/bytes"), kMiB},
      {"compression ratio", "raw/disk", true, P("/ingest/disk/compression_ratio"), 1},
      {"idle RSS after the run", "MiB", false, P("/idle/rss_bytes"), kMiB},  // bench/compare.sh
      {"query server CPU", "s", false, P("/query/server/cpu_seconds"), 1},
      {"query peak RSS", "MiB", false, P("/query/server/peak_rss_bytes"), kMiB},
      {"failed queries", "queries", false, P("/query/failed_queries"), 1},
  };
  // Per-query latencies, in the order of A's suite, then any only in B.
  std::vector<std::string> names;
  for (const json* file : {&a, &b}) {
    const json* queries = file->contains("query") ? &(*file)["query"] : nullptr;
    if (queries == nullptr || !queries->contains("queries")) continue;
    for (const json& q : (*queries)["queries"]) {
      std::string name = q.value("name", std::string());
      if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
    }
  }
  for (const std::string& name : names) {
    defs.push_back({name + " p50", "ms", false, P(), 1, name});
  }
  return defs;
}

bool Lookup(const json& file, const MetricDef& def, double* out) {
  if (!def.query.empty()) {
    if (!file.contains("query") || !file["query"].contains("queries")) return false;
    for (const json& q : file["query"]["queries"]) {
      if (q.value("name", std::string()) != def.query) continue;
      if (q.value("errors", 0) >= q.value("runs", 1)) return false;  // never succeeded
      *out = q["latency"].value("p50_ms", 0.0);
      return true;
    }
    return false;
  }
  if (!file.contains(def.path) || !file[def.path].is_number()) return false;
  *out = file[def.path].get<double>();
  return true;
}

std::string Num(double v) {
  char buf[48];
  double mag = std::fabs(v);
  if (mag >= 1e6) {
    snprintf(buf, sizeof(buf), "%.3gM", v / 1e6);
  } else if (mag >= 1e4) {
    snprintf(buf, sizeof(buf), "%.0f", v);
  } else if (mag >= 100) {
    snprintf(buf, sizeof(buf), "%.1f", v);
  } else {
    snprintf(buf, sizeof(buf), "%.3g", v);
  }
  return buf;
}

std::string Label(const json& file, const char* fallback) {
  std::string label = file.value("label", std::string());
  return label.empty() ? fallback : label;
}

std::string XmlEscape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

// Score in (0, 1]: 1 for the better value of the pair.
double Score(const ReportMetric& m, double v) {
  double best = m.higher_is_better ? std::max(m.a, m.b) : std::min(m.a, m.b);
  if (m.higher_is_better) return best > 0 ? v / best : 1.0;
  if (v <= 0) return 1.0;
  return best / v;
}

}  // namespace

std::vector<ReportMetric> CollectMetrics(const json& a, const json& b) {
  std::vector<ReportMetric> out;
  for (const MetricDef& def : Definitions(a, b)) {
    ReportMetric m{def.name, def.unit, def.higher_is_better, 0, 0, false, false};
    m.has_a = Lookup(a, def, &m.a);
    m.has_b = Lookup(b, def, &m.b);
    m.a *= def.scale;
    m.b *= def.scale;
    if (m.has_a || m.has_b) out.push_back(m);
  }
  return out;
}

std::string MarkdownReport(const json& a, const json& b) {
  const std::string la = Label(a, "A"), lb = Label(b, "B");
  std::string md = "# lode-bench comparison: " + la + " vs " + lb + "\n\n";
  md += "| | A: " + la + " | B: " + lb + " |\n|---|---|---|\n";
  auto row = [&](const char* name, const json::json_pointer& p) {
    auto text = [&](const json& f) {
      if (!f.contains(p)) return std::string("—");
      return f[p].is_string() ? f[p].get<std::string>() : f[p].dump();
    };
    md += std::string("| ") + name + " | " + text(a) + " | " + text(b) + " |\n";
  };
  using P = json::json_pointer;
  row("URL", P("/url"));
  row("started", P("/started_at"));
  row("CPU", P("/machine/cpu_model"));
  row("cores", P("/machine/nproc"));
  row("lines", P("/params/lines"));
  row("streams", P("/params/streams"));
  row("span", P("/params/span"));
  row("seed", P("/params/seed"));
  row("connections", P("/params/connections"));
  row("query runs", P("/params/runs"));
  md += "\n| metric | unit | A: " + la + " | B: " + lb + " | B/A | better |\n";
  md += "|---|---|--:|--:|--:|---|\n";
  for (const ReportMetric& m : CollectMetrics(a, b)) {
    std::string ratio = "—", better = "—";
    if (m.has_a && m.has_b) {
      if (m.a != 0) ratio = Num(m.b / m.a) + "×";
      double sa = Score(m, m.a), sb = Score(m, m.b);
      better = std::fabs(sa - sb) < 0.02 ? "≈" : (sa > sb ? "A" : "B");
    }
    md += "| " + m.name + " | " + m.unit + " | " + (m.has_a ? Num(m.a) : "—") + " | " +
          (m.has_b ? Num(m.b) : "—") + " | " + ratio + " | " + better + " |\n";
  }
  md +=
      "\nHigher is better for throughput, efficiency and compression ratio; lower is better "
      "for latencies, CPU, memory, disk and errors.\n";
  for (const auto& [file, label] : {std::pair{&a, la}, std::pair{&b, lb}}) {
    const json* q = file->contains("query") ? &(*file)["query"] : nullptr;
    if (q != nullptr && q->contains("check")) {
      md += "\nResult check of " + label + " against " + (*q)["check"].value("url", "") + ": " +
            std::to_string((*q)["check"].value("mismatched", 0)) + " of " +
            std::to_string((*q)["check"].value("compared", 0)) + " requests differ.\n";
    }
  }
  return md;
}

std::string SvgChart(const json& a, const json& b) {
  std::vector<ReportMetric> metrics;
  for (const ReportMetric& m : CollectMetrics(a, b)) {
    if (m.has_a && m.has_b) metrics.push_back(m);
  }
  const std::string la = Label(a, "A"), lb = Label(b, "B");
  constexpr int kLabelWidth = 280, kBarWidth = 440, kValueWidth = 150, kBar = 14, kGap = 12;
  constexpr int kTop = 64;
  const int width = kLabelWidth + kBarWidth + kValueWidth + 20;
  const int height = kTop + static_cast<int>(metrics.size()) * (2 * kBar + kGap) + 30;
  const char* colors[2] = {"#4e79a7", "#f28e2b"};
  char buf[512];
  std::string svg;
  snprintf(buf, sizeof(buf),
           "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d "
           "%d\" font-family=\"sans-serif\" font-size=\"12\">\n"
           "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n",
           width, height, width, height);
  svg += buf;
  svg +=
      "<text x=\"10\" y=\"22\" font-size=\"16\" font-weight=\"bold\">lode-bench: " + XmlEscape(la) +
      " vs " + XmlEscape(lb) + "</text>\n";
  svg +=
      "<text x=\"10\" y=\"40\" fill=\"#555\">bar length relative to the better of the two "
      "(longer is better)</text>\n";
  for (int i = 0; i < 2; ++i) {
    int x = kLabelWidth + i * 180;
    snprintf(buf, sizeof(buf),
             "<rect x=\"%d\" y=\"46\" width=\"12\" height=\"12\" fill=\"%s\"/>"
             "<text x=\"%d\" y=\"57\">",
             x, colors[i], x + 18);
    svg += buf + XmlEscape(i == 0 ? "A: " + la : "B: " + lb) + "</text>\n";
  }
  int y = kTop;
  for (const ReportMetric& m : metrics) {
    snprintf(buf, sizeof(buf), "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">", kLabelWidth - 8,
             y + kBar + 4);
    svg += buf + XmlEscape(m.name + " (" + m.unit + ")") + "</text>\n";
    for (int i = 0; i < 2; ++i) {
      double v = i == 0 ? m.a : m.b;
      int w = std::max(1, static_cast<int>(std::lround(Score(m, v) * kBarWidth)));
      int by = y + i * kBar;
      snprintf(buf, sizeof(buf),
               "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\"/>"
               "<text x=\"%d\" y=\"%d\" font-size=\"11\">%s</text>\n",
               kLabelWidth, by, w, kBar - 2, colors[i], kLabelWidth + w + 4, by + kBar - 3,
               XmlEscape(Num(v)).c_str());
      svg += buf;
    }
    y += 2 * kBar + kGap;
  }
  svg += "</svg>\n";
  return svg;
}

}  // namespace lode::bench
