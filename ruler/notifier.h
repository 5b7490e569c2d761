// Sends alerts to Alertmanager's v2 API (POST /api/v2/alerts, a JSON list of
// {labels, annotations, startsAt, endsAt, generatorURL}) from a background
// thread. Every configured Alertmanager gets every batch.
//
// Bounds: the queue holds at most `queue_capacity` alerts; when full, the
// oldest are dropped and counted (Stats().dropped), as Prometheus's notifier
// does. Batches hold at most 64 alerts; each POST has a timeout. A failed
// POST is counted (Stats().errors) and not retried: firing alerts are resent
// every resend_delay anyway. Thread-safe.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "ruler/group.h"
#include "ruler/http_client.h"

namespace lode::ruler {

struct NotifierOptions {
  std::vector<std::string> urls;  // Alertmanager base URLs (".../api/v2/alerts" is appended)
  size_t queue_capacity = 10000;
  int timeout_ms = 10000;
};

struct NotifierStats {
  uint64_t sent = 0;     // alerts delivered (to at least one Alertmanager)
  uint64_t dropped = 0;  // alerts dropped because the queue was full
  uint64_t errors = 0;   // failed POSTs
  size_t queued = 0;
};

class Notifier {
 public:
  // Fails on a malformed URL.
  static Status Create(NotifierOptions opts, std::unique_ptr<Notifier>* out);
  ~Notifier();

  // Queues the alerts (non-blocking). `generator_url` goes into each.
  void Send(const std::vector<Alert>& alerts, const std::string& generator_url);

  NotifierStats Stats() const;

  // The JSON object Alertmanager receives for one alert.
  static std::string AlertJson(const Alert& a, const std::string& generator_url);

 private:
  Notifier() = default;
  void Run();

  NotifierOptions opts_;
  std::vector<HttpUrl> urls_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::string> queue_;
  NotifierStats stats_;
  bool stop_ = false;
  std::thread thread_;
};

// RFC 3339 with milliseconds, UTC ("2024-05-01T10:00:00.000Z").
std::string Rfc3339Ms(int64_t ns);

}  // namespace lode::ruler
