#include "bench/lode_bench/soak_command.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "bench/lode_bench/dataset.h"
#include "bench/lode_bench/http_client.h"
#include "bench/lode_bench/line_writer.h"
#include "bench/lode_bench/measure.h"
#include "bench/lode_bench/push_encoder.h"
#include "bench/lode_bench/resource_sampler.h"

namespace lode::bench {
namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

constexpr int64_t kSecNs = 1'000'000'000;

int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return 0;
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(a);
  int port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0)
    port = ntohs(a.sin_port);
  close(fd);
  return port;
}

// A lode process this command started (--lode), with its own temporary
// directory holding the config, the data dir and lode's log.
struct OwnedLode {
  int pid = -1;
  int port = 0;
  std::string dir;

  bool Start(const std::string& binary, const std::string& config, std::string* error) {
    char tmpl[] = "/tmp/lode-soak-XXXXXX";
    if (!mkdtemp(tmpl)) {
      *error = "cannot create a temporary directory";
      return false;
    }
    dir = tmpl;
    std::ofstream(dir + "/lode.yaml") << config;
    port = FreePort();
    pid = fork();
    if (pid == 0) {
      std::string listen = "127.0.0.1:" + std::to_string(port), cfg = dir + "/lode.yaml",
                  data = dir + "/db", log = dir + "/lode.log";
      if (!freopen(log.c_str(), "a", stderr)) _exit(127);
      execl(binary.c_str(), binary.c_str(), "--config", cfg.c_str(), "--listen", listen.c_str(),
            "--data-dir", data.c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
    Url url{"127.0.0.1", std::to_string(port), ""};
    HttpClient c(url, std::chrono::milliseconds(1000));
    for (int i = 0; i < 300; ++i) {
      if (c.Get("/ready").status == 200) return true;
      int st;
      if (waitpid(pid, &st, WNOHANG) == pid) {
        pid = -1;
        *error = "lode exited at start; see " + dir + "/lode.log";
        return false;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    *error = "lode did not become ready; see " + dir + "/lode.log";
    return false;
  }

  void Stop(bool keep_dir) {
    if (pid > 0) {
      kill(pid, SIGTERM);
      int st;
      for (int i = 0; i < 300 && waitpid(pid, &st, WNOHANG) != pid; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      kill(pid, SIGKILL);
      waitpid(pid, &st, 0);
      pid = -1;
    }
    if (!dir.empty() && !keep_dir) std::filesystem::remove_all(dir);
  }
};

// Latencies and failures of the current report interval, plus totals.
struct Window {
  std::mutex mu;
  std::vector<double> push_s, query_s;
  uint64_t push_errors = 0, query_errors = 0, lines = 0;
  uint64_t total_push_errors = 0, total_query_errors = 0, total_lines = 0, total_queries = 0;
  std::vector<std::string> first_errors;  // a few, for the report

  void Error(bool push, const std::string& what) {
    std::lock_guard<std::mutex> l(mu);
    (push ? push_errors : query_errors)++;
    (push ? total_push_errors : total_query_errors)++;
    if (first_errors.size() < 10) first_errors.push_back(what);
  }
};

struct Query {
  const char* name;
  std::string (*target)(int64_t now_ns);
};

std::string Range(int64_t start, int64_t end) {
  return "&start=" + std::to_string(start) + "&end=" + std::to_string(end);
}

const Query kQueries[] = {
    {"log query",
     [](int64_t now) {
       return "/loki/api/v1/query_range?limit=100&query=" + UrlEncode(R"({app="api"} |= "GET")") +
              Range(now - 60 * kSecNs, now);
     }},
    {"instant metric",
     [](int64_t now) {
       return "/loki/api/v1/query?query=" +
              UrlEncode(R"(sum by (level) (count_over_time({app=~".+"}[1m])))") +
              "&time=" + std::to_string(now);
     }},
    {"range metric",
     [](int64_t now) {
       return "/loki/api/v1/query_range?step=15&query=" +
              UrlEncode(R"(sum by (app) (rate({app=~"nginx|worker"} |= "error" [1m])))") +
              Range(now - 300 * kSecNs, now);
     }},
    {"labels", [](int64_t now) { return "/loki/api/v1/labels?" + Range(now - 300 * kSecNs, now); }},
    {"label values",
     [](int64_t now) {
       return "/loki/api/v1/label/instance/values?" + Range(now - 300 * kSecNs, now);
     }},
    {"series",
     [](int64_t now) {
       return "/loki/api/v1/series?match[]=" + UrlEncode(R"({app="worker"})") +
              Range(now - 300 * kSecNs, now);
     }},
};

double Median(std::vector<double> v) { return Percentile(std::move(v), 0.5); }

}  // namespace

int RunSoak(Args& args) {
  int64_t duration_ns = args.DurationNs("duration", 30LL * 60 * kSecNs);
  std::string lode_binary = args.String("lode");
  std::string url_text = args.String("url");
  uint64_t rate = args.Count("rate", 5000);
  uint32_t streams = static_cast<uint32_t>(args.Count("streams", 100));
  double qps = static_cast<double>(args.Count("qps", 4));
  int64_t report_ns = args.DurationNs("report", 30 * kSecNs);
  int64_t warmup_ns = args.DurationNs("warmup", duration_ns / 6);
  int64_t retention_ns = args.DurationNs("retention", 120 * kSecNs);
  int64_t compaction_ns = args.DurationNs("compaction-interval", 30 * kSecNs);
  uint64_t max_growth_pct = args.Count("max-growth", 10);
  std::string tenant = args.String("tenant", "fake");
  int pid = static_cast<int>(args.Count("pid", 0));
  std::string data_dir = args.String("data-dir");
  std::string out_path = args.String("out");
  bool keep = args.Flag("keep-data");
  auto usage = [](const std::string& e) {
    fprintf(stderr,
            "lode-bench soak: %s\n\nusage: lode-bench soak --duration 30m (--lode build/lode | "
            "--url URL [--pid PID] [--data-dir DIR])\n  [--rate 5000] [--streams 100] [--qps 4] "
            "[--report 30s] [--warmup DURATION/6] [--max-growth 10]\n  [--retention 2m] "
            "[--compaction-interval 30s] [--tenant fake] [--out FILE] [--keep-data]\n",
            e.c_str());
    return 2;
  };
  if (!args.errors().empty()) return usage(args.errors()[0]);
  if (!args.Unused().empty()) return usage("unknown option " + args.Unused()[0]);
  if (lode_binary.empty() == url_text.empty()) return usage("give exactly one of --lode, --url");
  if (rate < 10 || rate > 1'000'000) return usage("--rate must be in 10..1M lines/s");
  if (streams == 0 || streams > 100'000) return usage("--streams must be in 1..100k");
  if (qps <= 0 || qps > 1000) return usage("--qps must be in 1..1000");
  if (duration_ns < 10 * kSecNs) return usage("--duration must be at least 10s");
  if (report_ns < kSecNs) return usage("--report must be at least 1s");
  if (warmup_ns >= duration_ns) return usage("--warmup must be shorter than --duration");

  OwnedLode owned;
  Url url;
  std::string error;
  if (!lode_binary.empty()) {
    std::string config = "limits_config:\n  retention_period: " + FormatDuration(retention_ns) +
                         "\ncompactor:\n  compaction_interval: " + FormatDuration(compaction_ns) +
                         "\ningester:\n  max_chunk_age: 1m\n  chunk_idle_period: 30s\n";
    if (!owned.Start(lode_binary, config, &error)) {
      fprintf(stderr, "lode-bench soak: %s\n", error.c_str());
      owned.Stop(true);
      return 1;
    }
    url = Url{"127.0.0.1", std::to_string(owned.port), ""};
    pid = owned.pid;
    data_dir = owned.dir + "/db";
    fprintf(stderr, "lode-bench soak: started %s (pid %d, port %d, dir %s)\n", lode_binary.c_str(),
            pid, owned.port, owned.dir.c_str());
  } else if (!Url::Parse(url_text, &url, &error)) {
    return usage(error);
  }

  DatasetOptions dopts;
  dopts.streams = streams;
  dopts.lines = 1'000'000'000;
  dopts.end_ns = UnixNowNs();
  Dataset data(dopts);
  Window win;
  std::atomic<bool> stop{false};
  const Headers push_headers = {{"Content-Type", "application/x-protobuf"},
                                {"X-Scope-OrgID", tenant}};
  const Headers query_headers = {{"X-Scope-OrgID", tenant}};

  // 10 pushes a second at fixed instants; a pusher that falls behind by more
  // than a second skips ahead instead of bursting.
  std::thread pusher([&] {
    HttpClient client(url, std::chrono::milliseconds(10'000));
    PushEncoder enc(streams);
    LineWriter writer;
    std::string line, body;
    const uint64_t per_push = rate / 10;
    uint64_t k = 0;
    auto next = Clock::now();
    while (!stop.load()) {
      std::this_thread::sleep_until(next);
      next += std::chrono::milliseconds(100);
      if (Clock::now() - next > std::chrono::seconds(1)) next = Clock::now();
      int64_t now = UnixNowNs();
      for (uint64_t i = 0; i < per_push; ++i, ++k) {
        uint32_t s = data.StreamOf(k);
        Rng rng = data.EntryRng(k);
        line.clear();
        int64_t ts = now + static_cast<int64_t>(i);
        writer.Append(data.streams()[s], ts, rng, &line);
        enc.AddEntry(s, data.streams()[s].labels, ts, line);
      }
      enc.Finish(&body);
      HttpResponse r = client.Post("/loki/api/v1/push", body, push_headers);
      if (r.status == 204) {
        std::lock_guard<std::mutex> l(win.mu);
        win.push_s.push_back(r.seconds);
        win.lines += per_push;
        win.total_lines += per_push;
      } else {
        win.Error(true, "push: " + r.Describe());
      }
    }
  });
  std::thread querier([&] {
    HttpClient client(url, std::chrono::milliseconds(30'000));
    auto period =
        std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(1 / qps));
    auto next = Clock::now();
    for (size_t i = 0; !stop.load(); ++i) {
      std::this_thread::sleep_until(next);
      next += period;
      if (Clock::now() - next > std::chrono::seconds(1)) next = Clock::now();
      const Query& q = kQueries[i % std::size(kQueries)];
      HttpResponse r = client.Get(q.target(UnixNowNs()), query_headers);
      if (r.status == 200) {
        std::lock_guard<std::mutex> l(win.mu);
        win.query_s.push_back(r.seconds);
        win.total_queries++;
      } else {
        win.Error(false, std::string(q.name) + ": " + r.Describe());
      }
    }
  });

  printf("soak: %llu lines/s over %u streams, %.0f queries/s, %s%s\n",
         static_cast<unsigned long long>(rate), streams, qps, FormatDuration(duration_ns).c_str(),
         lode_binary.empty() ? ""
                             : (", retention_period " + FormatDuration(retention_ns) +
                                ", compaction_interval " + FormatDuration(compaction_ns))
                                   .c_str());
  printf(
      "\n| elapsed | lines/s | RSS MiB | disk MiB | push p50 ms | push p99 ms | query p50 ms "
      "| query p99 ms | errors |\n|---|---|---|---|---|---|---|---|---|\n");
  fflush(stdout);

  json rows = json::array();
  std::vector<std::pair<double, double>> rss;  // (elapsed s, RSS bytes), one a second
  const auto start = Clock::now();
  auto elapsed_s = [&] { return std::chrono::duration<double>(Clock::now() - start).count(); };
  const double duration_s = static_cast<double>(duration_ns) / 1e9;
  const double report_s = static_cast<double>(report_ns) / 1e9;
  double next_report = report_s;
  std::string process_error;
  while (elapsed_s() < duration_s) {
    std::this_thread::sleep_for(std::chrono::seconds(1));
    double t = elapsed_s();
    ProcessSample ps;
    if (pid > 0) {
      if (ReadProcessSample(pid, &ps, &process_error)) {
        rss.push_back({t, static_cast<double>(ps.rss_bytes)});
      } else {
        win.Error(false, "server process: " + process_error);
        break;
      }
    }
    if (t + 0.5 < next_report && t < duration_s) continue;
    next_report += report_s;
    std::vector<double> push_s, query_s;
    uint64_t errors, lines;
    {
      std::lock_guard<std::mutex> l(win.mu);
      push_s.swap(win.push_s);
      query_s.swap(win.query_s);
      errors = win.push_errors + win.query_errors;
      lines = win.lines;
      win.push_errors = win.query_errors = win.lines = 0;
    }
    uint64_t disk = 0;
    std::string derr;
    if (!data_dir.empty()) disk = DirectoryBytes(data_dir, nullptr, &derr);
    json row = {{"elapsed_s", static_cast<int64_t>(t + 0.5)},
                {"lines_per_s", static_cast<double>(lines) / report_s},
                {"rss_bytes", ps.rss_bytes},
                {"disk_bytes", disk},
                {"push_p50_ms", Percentile(push_s, 0.5) * 1e3},
                {"push_p99_ms", Percentile(push_s, 0.99) * 1e3},
                {"query_p50_ms", Percentile(query_s, 0.5) * 1e3},
                {"query_p99_ms", Percentile(query_s, 0.99) * 1e3},
                {"errors", errors}};
    rows.push_back(row);
    printf("| %s | %.0f | %.1f | %.1f | %.1f | %.1f | %.1f | %.1f | %llu |\n",
           FormatDuration(static_cast<int64_t>(t + 0.5) * kSecNs).c_str(),
           row["lines_per_s"].get<double>(), static_cast<double>(ps.rss_bytes) / 1048576.0,
           static_cast<double>(disk) / 1048576.0, row["push_p50_ms"].get<double>(),
           row["push_p99_ms"].get<double>(), row["query_p50_ms"].get<double>(),
           row["query_p99_ms"].get<double>(), static_cast<unsigned long long>(errors));
    fflush(stdout);
  }
  stop = true;
  pusher.join();
  querier.join();

  // Medians of the RSS over the first window after warm-up and over the last
  // window of the run; a window is 5 minutes (or a quarter of the time after
  // warm-up, if shorter), so that it spans several memtable fill-and-flush
  // cycles, whose sawtooth alone moves the RSS by tens of MiB.
  const double warmup_s = static_cast<double>(warmup_ns) / 1e9;
  const double span = std::min(300.0, (duration_s - warmup_s) / 4);
  std::vector<double> base, last;
  for (const auto& [t, v] : rss) {
    if (t >= warmup_s && t < warmup_s + span) base.push_back(v);
    if (t > duration_s - span) last.push_back(v);
  }
  double base_rss = Median(base), last_rss = Median(last);
  double peak_rss = 0;
  for (const auto& [t, v] : rss) peak_rss = std::max(peak_rss, v);
  double growth_pct = base_rss > 0 ? (last_rss / base_rss - 1) * 100 : 0;
  uint64_t errors = win.total_push_errors + win.total_query_errors;
  bool rss_ok = pid <= 0 || (base_rss > 0 && growth_pct <= static_cast<double>(max_growth_pct));
  bool pass = rss_ok && errors == 0;
  printf("\npushed %llu lines, ran %llu queries; %llu push and %llu query errors\n",
         static_cast<unsigned long long>(win.total_lines),
         static_cast<unsigned long long>(win.total_queries),
         static_cast<unsigned long long>(win.total_push_errors),
         static_cast<unsigned long long>(win.total_query_errors));
  for (const auto& e : win.first_errors) printf("  error: %s\n", e.c_str());
  if (pid > 0) {
    printf(
        "RSS (medians over %s windows): %.1f MiB after warm-up (%s), %.1f MiB at the end "
        "(%+.1f%%), peak %.1f MiB\n",
        FormatDuration(static_cast<int64_t>(span) * kSecNs).c_str(), base_rss / 1048576.0,
        FormatDuration(warmup_ns).c_str(), last_rss / 1048576.0, growth_pct, peak_rss / 1048576.0);
  } else {
    printf("RSS: not measured (no --pid)\n");
  }
  printf("verdict: %s (RSS growth after warm-up <= %llu%%: %s; errors: %llu)\n",
         pass ? "PASS" : "FAIL", static_cast<unsigned long long>(max_growth_pct),
         pid > 0 ? (rss_ok ? "yes" : "no") : "not measured",
         static_cast<unsigned long long>(errors));
  fflush(stdout);

  if (!out_path.empty()) {
    json out = {{"tool", "lode-bench"},
                {"command", "soak"},
                {"started_at", FormatRfc3339(UnixNowNs() - duration_ns)},
                {"machine", MachineInfo()},
                {"options", args.all()},
                {"rows", rows},
                {"warmup_rss_bytes", base_rss},
                {"end_rss_bytes", last_rss},
                {"peak_rss_bytes", peak_rss},
                {"rss_growth_pct", growth_pct},
                {"lines", win.total_lines},
                {"queries", win.total_queries},
                {"push_errors", win.total_push_errors},
                {"query_errors", win.total_query_errors},
                {"errors_sample", win.first_errors},
                {"pass", pass}};
    std::ofstream(out_path) << out.dump(2, ' ', false, json::error_handler_t::replace) << "\n";
  }
  if (!lode_binary.empty()) {
    if (keep) fprintf(stderr, "lode-bench soak: kept %s\n", owned.dir.c_str());
    owned.Stop(keep);
  }
  return pass ? 0 : 1;
}

}  // namespace lode::bench
