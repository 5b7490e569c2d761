// Prometheus remote write (protocol 1.0): recorded samples are sent as a
// snappy-compressed protobuf prometheus.WriteRequest to one URL from a
// background thread, with headers Content-Encoding: snappy,
// Content-Type: application/x-protobuf and
// X-Prometheus-Remote-Write-Version: 0.1.0.
//
// Bounds: at most `queue_capacity` samples wait (the oldest are dropped and
// counted when full); a request carries at most 500 samples; 5xx answers and
// connection errors are retried up to `max_retries` times with doubling
// backoff, 4xx answers are dropped (counted as failed). Thread-safe.
#pragma once

#include <condition_variable>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "ruler/group.h"
#include "ruler/http_client.h"

namespace lode::ruler {

struct RemoteWriteOptions {
  std::string url;
  size_t queue_capacity = 100000;
  int max_retries = 5;
  int initial_backoff_ms = 100;
  int timeout_ms = 10000;
};

struct RemoteWriteStats {
  uint64_t sent = 0;     // samples accepted by the receiver
  uint64_t dropped = 0;  // samples dropped: queue full
  uint64_t failed = 0;   // samples given up after retries or a 4xx
  uint64_t retries = 0;
  size_t queued = 0;
};

class RemoteWriter {
 public:
  static Status Create(RemoteWriteOptions opts, std::unique_ptr<RemoteWriter>* out);
  ~RemoteWriter();

  void Append(std::vector<RecordedSample> samples);
  RemoteWriteStats Stats() const;

  // The uncompressed protobuf WriteRequest for `samples` (labels sorted).
  static std::string EncodeWriteRequest(const std::vector<RecordedSample>& samples);

 private:
  RemoteWriter() = default;
  void Run();

  RemoteWriteOptions opts_;
  HttpUrl url_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<RecordedSample> queue_;
  RemoteWriteStats stats_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace lode::ruler
