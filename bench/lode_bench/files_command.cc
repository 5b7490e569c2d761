#include "bench/lode_bench/files_command.h"

#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>
#include <vector>

#include "bench/lode_bench/http_client.h"

namespace lode::bench {

namespace {

using Clock = std::chrono::steady_clock;

double Seconds(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

// utime + stime of a process in seconds (0 when unknown).
double CpuSeconds(long pid) {
  if (pid <= 0) return 0;
  std::ifstream f("/proc/" + std::to_string(pid) + "/stat");
  std::string s((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  size_t p = s.rfind(')');
  if (p == std::string::npos) return 0;
  std::vector<std::string> fields;
  size_t i = p + 2;
  while (i < s.size()) {
    size_t j = s.find(' ', i);
    if (j == std::string::npos) j = s.size();
    fields.push_back(s.substr(i, j - i));
    i = j + 1;
  }
  if (fields.size() < 13) return 0;
  double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
  return (std::stod(fields[11]) + std::stod(fields[12])) / ticks;
}

// Lines read and lag bytes over all sources.
bool CollectorTotals(HttpClient* client, uint64_t* lines, uint64_t* lag) {
  HttpResponse r = client->Get("/collector/status");
  if (!r.ok()) return false;
  auto j = nlohmann::json::parse(r.body, nullptr, false);
  if (j.is_discarded()) return false;
  *lines = *lag = 0;
  for (const auto& s : j["sources"]) {
    *lines += s["lines_read"].get<uint64_t>();
    *lag += s["lag_bytes"].get<uint64_t>();
  }
  return true;
}

// Lines the agent's target acknowledged (lode_agent_acked_lines_total).
bool AgentAcked(HttpClient* client, uint64_t* lines) {
  HttpResponse r = client->Get("/metrics");
  if (!r.ok()) return false;
  const std::string series = "\nlode_agent_acked_lines_total ";
  size_t p = r.body.find(series);
  if (p == std::string::npos) return false;
  *lines = std::stoull(r.body.substr(p + series.size()));
  return true;
}

// VmRSS of a process in MiB (0 when unknown).
double RssMiB(long pid) {
  if (pid <= 0) return 0;
  std::ifstream f("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(f, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stod(line.substr(6)) / 1024.0;
  }
  return 0;
}

}  // namespace

int RunFiles(Args& args) {
  std::string url_text = args.String("url", "http://127.0.0.1:3100");
  std::string dir = args.String("dir");
  uint64_t n_files = args.Count("files", 100);
  uint64_t lines = args.Count("lines", 1000000);
  uint64_t line_bytes = args.Bytes("line-bytes", 200);
  uint64_t rate = args.Count("rate", 0);
  long pid = static_cast<long>(args.Count("pid", 0));
  // --agent URL: lode agent ships the files; done when its target acknowledged them.
  std::string agent_text = args.String("agent", "");
  long agent_pid = static_cast<long>(args.Count("agent-pid", 0));
  int64_t idle_ns = args.DurationNs("idle", 0);
  int64_t timeout_ns = args.DurationNs("timeout", 300LL * 1000000000);
  if (dir.empty() || n_files == 0 || line_bytes < 64) {
    fprintf(stderr, "lode-bench files: needs --dir, --files >= 1, --line-bytes >= 64\n");
    return 2;
  }
  if (!args.Unused().empty()) {
    fprintf(stderr, "lode-bench files: unknown option %s\n", args.Unused()[0].c_str());
    return 2;
  }
  Url url;
  std::string err;
  if (!Url::Parse(url_text, &url, &err)) {
    fprintf(stderr, "lode-bench files: %s\n", err.c_str());
    return 2;
  }
  Url agent_url;
  if (!agent_text.empty() && !Url::Parse(agent_text, &agent_url, &err)) {
    fprintf(stderr, "lode-bench files: --agent: %s\n", err.c_str());
    return 2;
  }
  HttpClient client(agent_text.empty() ? url : agent_url, std::chrono::seconds(10));
  // Lines done so far: read and committed by lode's collector, or
  // acknowledged by the agent's target.
  auto totals = [&](uint64_t* done, uint64_t* lag) {
    if (agent_text.empty()) return CollectorTotals(&client, done, lag);
    *lag = 0;
    return AgentAcked(&client, done);
  };
  uint64_t base_lines = 0, lag = 0;
  if (!totals(&base_lines, &lag)) {
    fprintf(stderr, "lode-bench files: %s does not answer\n",
            agent_text.empty() ? (url_text + "/collector/status").c_str()
                               : (agent_text + "/metrics").c_str());
    return 1;
  }
  double agent_cpu0 = CpuSeconds(agent_pid), agent_peak_rss = RssMiB(agent_pid);
  std::filesystem::create_directories(dir);
  std::vector<int> fds;
  for (uint64_t i = 0; i < n_files; ++i) {
    std::string p = dir + "/bench-" + std::to_string(i) + ".log";
    int fd = open(p.c_str(), O_WRONLY | O_APPEND | O_CREAT, 0644);
    if (fd < 0) {
      perror(p.c_str());
      return 1;
    }
    fds.push_back(fd);
  }
  // One batch per file per round: lines of exactly line_bytes (newline included).
  const uint64_t per_batch = 500;
  std::string buf;
  double cpu0 = CpuSeconds(pid);
  auto t0 = Clock::now();
  uint64_t written = 0, seq = 0;
  char ts[40];
  while (written < lines) {
    for (uint64_t f = 0; f < n_files && written < lines; ++f) {
      buf.clear();
      auto wall = std::chrono::system_clock::now();
      time_t now = std::chrono::system_clock::to_time_t(wall);
      strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%S", gmtime(&now));
      long us = static_cast<long>(
          std::chrono::duration_cast<std::chrono::microseconds>(wall.time_since_epoch()).count() %
          1000000);
      uint64_t k = std::min(per_batch, lines - written);
      for (uint64_t i = 0; i < k; ++i) {
        size_t start = buf.size();
        char frac[16];
        snprintf(
            frac, sizeof frac, ".%06ldZ",
            (us + static_cast<long>(i)) % 1000000);  // microsecond timestamps, as busy services log
        buf += "ts=";
        buf += ts;
        buf += frac;
        buf +=
            " level=info file=" + std::to_string(f) + " seq=" + std::to_string(seq++) + " msg=\"";
        while (buf.size() - start < line_bytes - 2)
          buf += "lorem ipsum dolor sit amet "[(buf.size() - start) % 27];
        buf += "\"\n";
      }
      if (write(fds[f], buf.data(), buf.size()) != static_cast<ssize_t>(buf.size())) {
        perror("write");
        return 1;
      }
      written += k;
      if (agent_pid > 0 && (seq / per_batch) % 64 == 0)
        agent_peak_rss = std::max(agent_peak_rss, RssMiB(agent_pid));
      if (rate > 0) {
        auto due = t0 + std::chrono::duration<double>(static_cast<double>(written) /
                                                      static_cast<double>(rate));
        std::this_thread::sleep_until(due);
      }
    }
  }
  auto t_written = Clock::now();
  uint64_t got = 0;
  for (;;) {
    agent_peak_rss = std::max(agent_peak_rss, RssMiB(agent_pid));
    if (totals(&got, &lag) && got - base_lines >= lines && lag == 0) break;
    if (Seconds(t0, Clock::now()) * 1e9 > static_cast<double>(timeout_ns)) {
      fprintf(stderr, "lode-bench files: timeout: %llu of %llu lines read\n",
              static_cast<unsigned long long>(got - base_lines),
              static_cast<unsigned long long>(lines));
      return 1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  auto t_done = Clock::now();
  double cpu1 = CpuSeconds(pid);
  for (int fd : fds) close(fd);
  double total = Seconds(t0, t_done);
  nlohmann::json out = {
      {"files", n_files},
      {"lines", lines},
      {"line_bytes", line_bytes},
      {"rate_target", rate},
      {"write_seconds", Seconds(t0, t_written)},
      {"stored_seconds", total},
      {"lines_per_second", static_cast<double>(lines) / total},
      {"mb_per_second", static_cast<double>(lines * line_bytes) / total / 1e6},
      {"stored_after_last_write_seconds", Seconds(t_written, t_done)},
  };
  if (pid > 0) {
    out["server_cpu_seconds"] = cpu1 - cpu0;
    out["lines_per_server_cpu_second"] = static_cast<double>(lines) / (cpu1 - cpu0);
  }
  if (agent_pid > 0) {
    out["agent_cpu_seconds"] = CpuSeconds(agent_pid) - agent_cpu0;
    out["agent_peak_rss_mib"] = agent_peak_rss;
  }
  if (idle_ns > 0 && (pid > 0 || agent_pid > 0)) {
    double c0 = CpuSeconds(pid), a0 = CpuSeconds(agent_pid);
    auto i0 = Clock::now();
    std::this_thread::sleep_for(std::chrono::nanoseconds(idle_ns));
    double secs = Seconds(i0, Clock::now());
    out["idle_seconds"] = secs;
    if (pid > 0) out["idle_cpu_percent_of_a_core"] = 100.0 * (CpuSeconds(pid) - c0) / secs;
    if (agent_pid > 0) {
      out["agent_idle_cpu_percent_of_a_core"] = 100.0 * (CpuSeconds(agent_pid) - a0) / secs;
      out["agent_idle_rss_mib"] = RssMiB(agent_pid);
    }
  }
  printf("%s\n", out.dump(2).c_str());
  return 0;
}

}  // namespace lode::bench
