#include "bench/lode_bench/summary.h"

#include <cstdarg>
#include <cstdio>

#include "bench/lode_bench/measure.h"

namespace lode::bench {
namespace {

using nlohmann::json;

double Get(const json& j, const json::json_pointer& p, double fallback = 0) {
  return j.contains(p) && j[p].is_number() ? j[p].get<double>() : fallback;
}

void Line(std::string* out, const char* format, ...) __attribute__((format(printf, 2, 3)));
void Line(std::string* out, const char* format, ...) {
  char buf[512];
  va_list ap;
  va_start(ap, format);
  vsnprintf(buf, sizeof(buf), format, ap);
  va_end(ap);
  *out += buf;
  *out += '\n';
}

void ServerLines(const json& server, std::string* out) {
  if (!server.is_object()) return;
  using P = json::json_pointer;
  Line(out, "  server CPU      %.2f s (%.2f cores avg), peak RSS %s (VmHWM %s)",
       Get(server, P("/cpu_seconds")), Get(server, P("/avg_cpu_cores")),
       FormatBytes(Get(server, P("/peak_rss_bytes"))).c_str(),
       FormatBytes(Get(server, P("/vm_hwm_bytes"))).c_str());
  if (server.contains("lines_per_cpu_second")) {
    Line(out, "  efficiency      %.0f lines per server CPU-second",
         Get(server, P("/lines_per_cpu_second")));
  }
  if (server.contains("error"))
    Line(out, "  sampler         %s", server["error"].get<std::string>().c_str());
}

}  // namespace

std::string SummaryText(const json& r) {
  using P = json::json_pointer;
  std::string out = "\n== lode-bench results: " + r.value("label", std::string()) + " (" +
                    r.value("url", std::string()) + ")\n";
  if (r.contains("ingest")) {
    const json& m = r["ingest"];
    Line(&out, "ingest");
    Line(&out, "  lines           %.0f acked of %.0f sent (%s raw)", Get(m, P("/lines_acked")),
         Get(m, P("/lines_sent")), FormatBytes(Get(m, P("/raw_bytes_acked"))).c_str());
    Line(&out, "  throughput      %.0f lines/s, %.1f MB/s raw, in %.2f s",
         Get(m, P("/lines_per_second")), Get(m, P("/mb_per_second")),
         Get(m, P("/elapsed_seconds")));
    Line(&out, "  push latency    p50 %.1f ms, p99 %.1f ms over %.0f requests (%.1f MB sent)",
         Get(m, P("/push_latency/p50_ms")), Get(m, P("/push_latency/p99_ms")),
         Get(m, P("/requests")), Get(m, P("/body_bytes")) / 1e6);
    Line(&out, "  errors          %.0f", Get(m, P("/errors")));
    if (m.contains("first_error")) {
      Line(&out, "  first error     %s", m["first_error"].get<std::string>().c_str());
    }
    if (m.contains("flush")) {
      Line(&out, "  flush           HTTP %.0f in %.2f s", Get(m, P("/flush/status")),
           Get(m, P("/flush/seconds")));
    }
    if (m.contains("server")) ServerLines(m["server"], &out);
    if (m.contains("disk")) {
      if (m["disk"].contains("error")) {
        Line(&out, "  disk            %s", m["disk"]["error"].get<std::string>().c_str());
      } else {
        Line(&out, "  disk            %s (allocated %s), raw/disk ratio %.2f",
             FormatBytes(Get(m, P("/disk/bytes"))).c_str(),
             FormatBytes(Get(m, P("/disk/allocated_bytes"))).c_str(),
             Get(m, P("/disk/compression_ratio")));
      }
    }
  }
  if (r.contains("query")) {
    const json& m = r["query"];
    Line(&out, "query (window %s .. %s)",
         m.value("window", json::object()).value("start", "").c_str(),
         m.value("window", json::object()).value("end", "").c_str());
    Line(&out, "  %-26s %10s %10s %9s  %s", "name", "p50 ms", "p99 ms", "GB/s", "errors");
    for (const json& q : m.value("queries", json::array())) {
      char rate[32] = "-";
      if (q.contains("gb_per_second"))
        snprintf(rate, sizeof(rate), "%.2f", q["gb_per_second"].get<double>());
      Line(&out, "  %-26s %10.1f %10.1f %9s  %d%s", q.value("name", "").c_str(),
           Get(q, P("/latency/p50_ms")), Get(q, P("/latency/p99_ms")), rate, q.value("errors", 0),
           q.contains("check") && !q["check"].value("equal", true) ? "  DIFFERS" : "");
    }
    if (m.contains("check")) {
      Line(&out, "  check vs %s: %d of %d differ", m["check"].value("url", "").c_str(),
           m["check"].value("mismatched", 0), m["check"].value("compared", 0));
    }
    if (m.contains("server")) ServerLines(m["server"], &out);
  }
  if (!r.value("ok", true)) Line(&out, "FAILED: %s", r.value("fatal", "").c_str());
  return out;
}

bool HasFailures(const json& r) {
  using P = json::json_pointer;
  return Get(r, P("/ingest/errors")) > 0 || Get(r, P("/query/failed_queries")) > 0 ||
         Get(r, P("/query/check/mismatched")) > 0 || !r.value("ok", true);
}

}  // namespace lode::bench
