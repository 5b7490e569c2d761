// HttpSourcePoller: log_sources_http. Every refresh interval each URL is
// fetched (plain http://host[:port]/path, 5 s timeout, answers up to 4 MiB)
// and parsed as a JSON array of sources (ParseLogSourcesJson). A URL that
// fails (unreachable, non-200, bad JSON) keeps its last good answer and its
// error is reported. Thread-safe.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "ingest/collector/log_sources.h"

namespace lode::collector {

// GET url; *status is the HTTP status. Errors: bad URL, connection, timeout.
Status HttpGet(const std::string& url, int timeout_ms, size_t max_bytes, int* status,
               std::string* body);

class HttpSourcePoller {
 public:
  HttpSourcePoller(std::vector<std::string> urls, int64_t refresh_ns,
                   std::function<void(const std::string&)> log, std::function<void()> on_change);
  ~HttpSourcePoller();
  void Start();  // polls once at once, then every refresh_ns
  void Stop();

  // Bumped whenever the merged answer changes.
  uint64_t generation() const { return generation_.load(); }
  // The last good answers of all URLs.
  std::vector<LogSource> Sources();
  // Per URL: "" when the last poll worked, else the error.
  std::map<std::string, std::string> Errors();
  // Fetches every URL once (the thread does this every refresh_ns).
  void PollOnce();

 private:
  struct UrlState {
    std::vector<LogSource> sources;
    std::string body;  // last good answer
    std::string error;
  };
  std::vector<std::string> urls_;
  int64_t refresh_ns_;
  std::function<void(const std::string&)> log_;
  std::function<void()> on_change_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::map<std::string, UrlState> state_;
  std::atomic<uint64_t> generation_{0};
  std::thread thread_;
};

}  // namespace lode::collector
