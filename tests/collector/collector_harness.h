// Helpers for the collector's end-to-end tests: temporary directories, file
// writers that rotate like logrotate and Python's handlers, and queries of a
// running lode (tests/e2e/lode_process.h).
#pragma once

#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "tests/e2e/lode_process.h"

namespace lode::testing {

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/lode-collector-XXXXXX";
    path_ = mkdtemp(tmpl);
  }
  // LODE_KEEP_TMP=1 keeps the directory (the data and lode.log of a failure).
  ~TempDir() {
    if (std::getenv("LODE_KEEP_TMP") == nullptr) std::filesystem::remove_all(path_);
  }
  const std::string& path() const { return path_; }
  std::string operator/(const std::string& rel) const { return path_ + "/" + rel; }

 private:
  std::string path_;
};

inline void WriteFile(const std::string& path, const std::string& content) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f << content;
}

inline void AppendFile(const std::string& path, const std::string& content) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::ofstream f(path, std::ios::binary | std::ios::app);
  f << content;
}

// Polls until pred() or timeout; returns pred()'s last value.
inline bool WaitFor(const std::function<bool()>& pred, int timeout_ms = 10000) {
  auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < end) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return pred();
}

struct Entry {
  int64_t ts = 0;
  std::string line;
  std::map<std::string, std::string> labels;
};

// Every entry of a log query over the last hour (forward), merged by time.
inline std::vector<Entry> QueryEntries(LodeProcess& lode, const std::string& query,
                                       int limit = 5000, const std::string& extra = "") {
  auto now = std::chrono::duration_cast<std::chrono::nanoseconds>(
                 std::chrono::system_clock::now().time_since_epoch())
                 .count();
  std::string target = "/loki/api/v1/query_range?query=" + Q(query) +
                       "&limit=" + std::to_string(limit) +
                       "&direction=forward&start=" + std::to_string(now - 3600LL * 1000000000) +
                       "&end=" + std::to_string(now + 600LL * 1000000000) + extra;
  auto r = lode.Get(target);
  std::vector<Entry> out;
  if (r.status != 200) return out;
  auto j = nlohmann::json::parse(r.body, nullptr, false);
  if (j.is_discarded()) return out;
  for (const auto& s : j["data"]["result"]) {
    std::map<std::string, std::string> labels;
    for (auto it = s["stream"].begin(); it != s["stream"].end(); ++it)
      labels[it.key()] = it.value();
    for (const auto& v : s["values"]) {
      Entry e;
      e.ts = std::stoll(v[0].get<std::string>());
      e.line = v[1].get<std::string>();
      e.labels = labels;
      out.push_back(std::move(e));
    }
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const Entry& a, const Entry& b) { return a.ts < b.ts; });
  return out;
}

inline std::vector<std::string> QueryLines(LodeProcess& lode, const std::string& query,
                                           int limit = 5000) {
  std::vector<std::string> out;
  for (auto& e : QueryEntries(lode, query, limit)) out.push_back(std::move(e.line));
  return out;
}

inline nlohmann::json Status(LodeProcess& lode) {
  auto r = lode.Get("/collector/status");
  auto j = nlohmann::json::parse(r.body, nullptr, false);
  return j.is_discarded() ? nlohmann::json::object() : j;
}

// The value of one metric series in /metrics text (-1 when absent).
inline double Metric(LodeProcess& lode, const std::string& series) {
  std::string body = lode.Get("/metrics").body;
  size_t p = 0;
  while ((p = body.find(series + " ", p)) != std::string::npos) {
    if (p == 0 || body[p - 1] == '\n') return std::stod(body.substr(p + series.size() + 1));
    p += series.size();
  }
  return -1;
}

// Shifts name.N -> name.N+1 ... name -> name.1 (RotatingFileHandler, logrotate
// `create` with numbered names); the caller creates the new file.
inline void ShiftRotate(const std::string& path, int keep = 50) {
  for (int i = keep - 1; i >= 1; --i) {
    std::string from = path + "." + std::to_string(i), to = path + "." + std::to_string(i + 1);
    if (std::filesystem::exists(from)) std::filesystem::rename(from, to);
  }
  std::filesystem::rename(path, path + ".1");
}

// copytruncate: copy to name.1 (after shifting), then truncate in place.
inline void CopyTruncate(const std::string& path, int keep = 50) {
  for (int i = keep - 1; i >= 1; --i) {
    std::string from = path + "." + std::to_string(i), to = path + "." + std::to_string(i + 1);
    if (std::filesystem::exists(from)) std::filesystem::rename(from, to);
  }
  std::filesystem::copy_file(path, path + ".1");
  std::filesystem::resize_file(path, 0);
}

inline std::string NumberedLines(const std::string& tag, int from, int to) {
  std::string s;
  for (int i = from; i < to; ++i) s += tag + " n=" + std::to_string(i) + "\n";
  return s;
}

// The numbers n=... of lines, in order.
inline std::vector<int> Numbers(const std::vector<std::string>& lines) {
  std::vector<int> out;
  for (const auto& l : lines) {
    size_t p = l.find(" n=");
    if (p != std::string::npos) out.push_back(std::stoi(l.substr(p + 3)));
  }
  return out;
}

inline std::vector<int> Range(int from, int to) {
  std::vector<int> v;
  for (int i = from; i < to; ++i) v.push_back(i);
  return v;
}

}  // namespace lode::testing
