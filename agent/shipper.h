// Shipper: the agent's delivery thread. Reads the buffer in order, joins
// records into pushes of up to batch_size bytes (waiting at most batch_wait
// for a push to fill, as Promtail's client does), snappy-compresses and POSTs
// them, and removes them from the buffer once the target answered 2xx.
//
//   connection error, timeout, 429, 5xx: retried with exponential backoff
//     from min_backoff to max_backoff (a Retry-After header wins), for as
//     long as it takes; the buffer keeps what arrives meanwhile
//   other 4xx: logged with the server's message, counted as rejected, and
//     removed (Loki and lode store the valid entries of such a push and
//     answer 400 for the rest)
//
// Thread-safety: Start/Stop from one thread; MetricsText from any.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "agent/buffer.h"
#include "agent/push_client.h"

namespace lode::agent {

struct ShipperOptions {
  PushUrl url;
  std::string tenant;                           // X-Scope-OrgID; empty: not sent
  int64_t batch_wait_ns = 1000000000LL;         // agent.batch_wait
  uint64_t batch_size = 1 << 20;                // agent.batch_size
  int64_t min_backoff_ns = 500000000LL;         // agent.min_backoff
  int64_t max_backoff_ns = 300000000000LL;      // agent.max_backoff
  int64_t timeout_ns = 10000000000LL;           // agent.timeout
  std::function<void(const std::string&)> log;  // default: lode::Logf
};

class Shipper {
 public:
  Shipper(const ShipperOptions& opts, Buffer* buffer);
  ~Shipper();
  void Start();
  void Stop();
  // lode_agent_* series (Prometheus text), buffer gauges included.
  std::string MetricsText();

 private:
  void Run();
  void Log(const std::string& msg);
  // Sleeps up to ns unless stopped; false when stopped.
  bool Sleep(int64_t ns);

  ShipperOptions opts_;
  Buffer* buffer_;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::mutex sleep_mu_;
  std::condition_variable sleep_cv_;

  std::mutex mu_;  // guards the counters below
  uint64_t sent_lines_ = 0, sent_bytes_ = 0, acked_lines_ = 0, acked_bytes_ = 0;
  uint64_t rejected_lines_ = 0, rejected_bytes_ = 0, requests_ = 0, retries_ = 0;
  std::string last_error_;
  int64_t last_error_ns_ = 0;
  int64_t last_ack_ns_ = 0;
};

}  // namespace lode::agent
