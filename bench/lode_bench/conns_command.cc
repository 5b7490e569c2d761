#include "bench/lode_bench/conns_command.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "bench/lode_bench/http_client.h"
#include "bench/lode_bench/measure.h"
#include "bench/lode_bench/push_encoder.h"

namespace lode::bench {
namespace {

using nlohmann::json;

// A raw keep-alive connection: one GET /ready now, one at the end.
class IdleConn {
 public:
  ~IdleConn() {
    if (fd_ >= 0) close(fd_);
  }
  bool Open(const Url& url) {
    addrinfo hints{}, *res = nullptr;
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    if (getaddrinfo(url.host.c_str(), url.port.c_str(), &hints, &res) != 0) return false;
    fd_ = socket(res->ai_family, SOCK_STREAM, 0);
    bool ok = fd_ >= 0 && connect(fd_, res->ai_addr, res->ai_addrlen) == 0;
    freeaddrinfo(res);
    if (!ok) return false;
    timeval tv{10, 0};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    return Ready(url);
  }
  // GET /ready on this connection: true on a 200, else *why is set.
  bool Ready(const Url& url, std::string* why = nullptr) {
    std::string req = "GET " + url.base + "/ready HTTP/1.1\r\nHost: " + url.host + "\r\n\r\n";
    std::string got, e;
    if (write(fd_, req.data(), req.size()) != static_cast<ssize_t>(req.size())) {
      e = std::string("write: ") + strerror(errno);
    }
    char b[1024];
    // The answer is small: headers and "ready\n".
    while (e.empty() &&
           (got.find("\r\n\r\n") == std::string::npos || got.find("ready") == std::string::npos)) {
      ssize_t n = read(fd_, b, sizeof(b));
      if (n < 0) e = std::string("read: ") + strerror(errno);
      if (n == 0) e = "closed by the server";
      if (n > 0) got.append(b, static_cast<size_t>(n));
    }
    if (e.empty() && got.rfind("HTTP/1.1 200", 0) != 0) e = "answer: " + got.substr(0, 100);
    if (why != nullptr) *why = e + (got.empty() ? "" : " after \"" + got.substr(0, 60) + "\"");
    return e.empty();
  }

 private:
  int fd_ = -1;
};

}  // namespace

int RunConns(Args& args) {
  Url url;
  std::string error;
  if (!Url::Parse(args.String("url", "http://127.0.0.1:3100"), &url, &error)) {
    fprintf(stderr, "lode-bench: %s\n", error.c_str());
    return 2;
  }
  const int connections = static_cast<int>(args.Count("connections", 2000));
  const int pushers = static_cast<int>(args.Count("pushers", 50));
  const int queriers = static_cast<int>(args.Count("queriers", 4));
  const double duration = static_cast<double>(args.DurationNs("duration", 30'000'000'000LL)) / 1e9;
  const auto interval = std::chrono::nanoseconds(args.DurationNs("push-interval", 100'000'000LL));
  const int lines = static_cast<int>(args.Count("push-lines", 100));
  const std::string tenant = args.String("tenant", "fake");
  const std::string out_path = args.String("out");
  const bool strict = args.Flag("strict");
  if (!args.errors().empty() || !args.Unused().empty()) {
    fprintf(stderr, "lode-bench: %s\n",
            args.errors().empty() ? ("unknown option " + args.Unused()[0]).c_str()
                                  : args.errors()[0].c_str());
    return 2;
  }
  const int idle_count = connections - pushers - queriers;
  if (idle_count < 0 || lines <= 0) {
    fprintf(stderr, "lode-bench: --connections must be >= --pushers + --queriers\n");
    return 2;
  }
  rlimit rl{};
  getrlimit(RLIMIT_NOFILE, &rl);
  rl.rlim_cur = rl.rlim_max;
  setrlimit(RLIMIT_NOFILE, &rl);

  const std::string run = std::to_string(UnixNowNs());
  const Headers push_headers = {{"Content-Type", "application/x-protobuf"},
                                {"X-Scope-OrgID", tenant}};
  const Headers query_headers = {{"X-Scope-OrgID", tenant}};
  fprintf(stderr, "lode-bench: opening %d idle keep-alive connections to %s\n", idle_count,
          url.ToString().c_str());
  std::vector<std::unique_ptr<IdleConn>> idle;
  int idle_failed = 0;
  for (int i = 0; i < idle_count; ++i) {
    idle.push_back(std::make_unique<IdleConn>());
    if (!idle.back()->Open(url)) ++idle_failed;
  }
  fprintf(stderr, "lode-bench: %d pushers (%d lines every %s), %d queriers, for %.0fs\n", pushers,
          lines, FormatDuration(interval.count()).c_str(), queriers, duration);

  std::mutex mu;
  std::vector<double> push_lat, query_lat;
  std::vector<std::string> errors;
  std::atomic<int64_t> acked_lines{0};
  auto note = [&](const std::string& e) {
    std::lock_guard<std::mutex> l(mu);
    if (errors.size() < 20) errors.push_back(e);
  };
  std::atomic<int> push_errors{0}, query_errors{0};
  const double start = MonotonicSeconds(), end = start + duration;
  std::vector<std::thread> threads;
  for (int p = 0; p < pushers; ++p) {
    threads.emplace_back([&, p] {
      HttpClient client(url, std::chrono::milliseconds(30000));
      PushEncoder enc(1);
      const std::string labels =
          "{bench=\"conns\",run=\"" + run + "\",pusher=\"" + std::to_string(p) + "\"}";
      std::vector<double> lat;
      auto next = std::chrono::steady_clock::now();
      for (int64_t n = 0; MonotonicSeconds() < end; ++n) {
        int64_t ts = UnixNowNs();
        for (int i = 0; i < lines; ++i) {
          enc.AddEntry(0, labels, ts + i,
                       "level=info pusher=" + std::to_string(p) + " batch=" + std::to_string(n) +
                           " line=" + std::to_string(i) + " msg=\"connection load test\"");
        }
        std::string body;
        enc.Finish(&body);
        HttpResponse r = client.Post("/loki/api/v1/push", std::move(body), push_headers);
        if (r.status == 204) {
          lat.push_back(r.seconds);
          acked_lines += lines;
        } else {
          ++push_errors;
          note("push: " + r.Describe());
        }
        next += interval;
        std::this_thread::sleep_until(next);
      }
      std::lock_guard<std::mutex> l(mu);
      push_lat.insert(push_lat.end(), lat.begin(), lat.end());
    });
  }
  for (int q = 0; q < queriers; ++q) {
    threads.emplace_back([&] {
      HttpClient client(url, std::chrono::milliseconds(60000));
      std::vector<double> lat;
      while (MonotonicSeconds() < end) {
        int64_t now = UnixNowNs();
        std::string target = "/loki/api/v1/query_range?query=" +
                             UrlEncode("sum by (pusher) (count_over_time({bench=\"conns\",run=\"" +
                                       run + "\"}[1m]))") +
                             "&start=" + std::to_string(now - 300'000'000'000LL) +
                             "&end=" + std::to_string(now) + "&step=15";
        HttpResponse r = client.Get(target, query_headers);
        if (r.status == 200) {
          lat.push_back(r.seconds);
        } else {
          ++query_errors;
          note("query: " + r.Describe());
        }
        std::this_thread::sleep_for(std::chrono::seconds(1));
      }
      std::lock_guard<std::mutex> l(mu);
      query_lat.insert(query_lat.end(), lat.begin(), lat.end());
    });
  }
  for (auto& t : threads) t.join();
  int idle_closed = 0;
  for (auto& c : idle) {
    std::string why;
    if (!c->Ready(url, &why)) {
      ++idle_closed;
      note("idle connection at the end: " + why);
    }
  }
  idle_closed -= idle_failed;

  // Every acknowledged line stored?
  int64_t stored = -1;
  {
    HttpClient client(url, std::chrono::milliseconds(60000));
    HttpResponse r = client.Get(
        "/loki/api/v1/query?query=" +
            UrlEncode("sum(count_over_time({bench=\"conns\",run=\"" + run + "\"}[1h]))") +
            "&time=" + std::to_string(UnixNowNs()),
        query_headers);
    json j = json::parse(r.body, nullptr, false);
    if (r.status == 200 && !j.is_discarded() && j["data"]["result"].size() == 1) {
      stored = std::stoll(j["data"]["result"][0]["value"][1].get<std::string>());
    } else {
      note("count query: " + r.Describe());
    }
  }
  json res = {{"tool", "lode-bench"},
              {"command", "conns"},
              {"url", url.ToString()},
              {"started_at", FormatRfc3339(UnixNowNs())},
              {"machine", MachineInfo()},
              {"options", args.all()},
              {"connections", connections},
              {"idle_connections", idle_count},
              {"idle_open_failed", idle_failed},
              {"idle_closed_by_server", idle_closed},
              {"push", LatencySummary(push_lat)},
              {"push_errors", push_errors.load()},
              {"query", LatencySummary(query_lat)},
              {"query_errors", query_errors.load()},
              {"acked_lines", acked_lines.load()},
              {"stored_lines", stored},
              {"errors", errors}};
  const json& pl = res["push"];
  const json& ql = res["query"];
  printf("connections: %d (%d idle keep-alive, %d pushing, %d querying) for %.0fs\n", connections,
         idle_count, pushers, queriers, duration);
  printf("idle: %d failed to open, %d closed by the server\n", idle_failed, idle_closed);
  printf("push:  %d ok, %d errors, p50 %.1f ms, p99 %.1f ms, max %.1f ms\n", pl["count"].get<int>(),
         push_errors.load(), pl["p50_ms"].get<double>(), pl["p99_ms"].get<double>(),
         pl["max_ms"].get<double>());
  printf("query: %d ok, %d errors, p50 %.1f ms, p99 %.1f ms, max %.1f ms\n", ql["count"].get<int>(),
         query_errors.load(), ql["p50_ms"].get<double>(), ql["p99_ms"].get<double>(),
         ql["max_ms"].get<double>());
  printf("lines: %lld acknowledged, %lld stored\n", static_cast<long long>(acked_lines.load()),
         static_cast<long long>(stored));
  for (const auto& e : errors) printf("error: %s\n", e.c_str());
  if (!out_path.empty()) {
    std::ofstream(out_path) << res.dump(2) << "\n";
  }
  bool failed = idle_failed > 0 || idle_closed > 0 || push_errors > 0 || query_errors > 0 ||
                stored != acked_lines.load();
  return strict && failed ? 1 : 0;
}

}  // namespace lode::bench
