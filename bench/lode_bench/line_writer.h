// LineWriter: renders the text of generated log entries.
//
// Formats, chosen by the stream's app label:
//   api      JSON request logs (method, path, status, latency_ms, duration,
//            bytes, user, trace_id, level, msg; rarely an "error" field)
//   nginx    nginx "combined" access logs
//   worker   logfmt job logs (level, msg, queue, job_id, attempt, duration, size)
//   postgres PostgreSQL server log lines (statements with durations, errors)
//   syslog   RFC 3164-style syslog lines (kernel, sshd, systemd, kubelet, ...)
//   billing  Spring Boot style Java logs; some errors carry a multi-line stack
//            trace in the same entry (lines joined with '\n')
// The level written in the line matches the stream's level label; for HTTP
// logs the status class follows the level (error: 5xx, warn: 4xx).
//
// A LineWriter keeps per-second caches of formatted dates, so it is NOT
// thread-safe: use one per thread. Output depends only on its arguments.
#pragma once

#include <cstdint>
#include <string>

#include "bench/lode_bench/dataset.h"
#include "bench/lode_bench/rng.h"
#include "bench/lode_bench/vocabulary.h"

namespace lode::bench {

class LineWriter {
 public:
  LineWriter();

  // Appends the text of one entry (no trailing newline) to *out.
  void Append(const StreamInfo& stream, int64_t ts_ns, Rng& rng, std::string* out);

 private:
  void UpdateDates(int64_t seconds);
  void AppendIsoMillis(int64_t ts_ns, char separator, std::string* out);
  void Api(const StreamInfo& s, int64_t ts, Rng& rng, std::string* out);
  void Nginx(const StreamInfo& s, int64_t ts, Rng& rng, std::string* out);
  void Worker(const StreamInfo& s, int64_t ts, Rng& rng, std::string* out);
  void Postgres(const StreamInfo& s, int64_t ts, Rng& rng, std::string* out);
  void Syslog(const StreamInfo& s, int64_t ts, Rng& rng, std::string* out);
  void Billing(const StreamInfo& s, int64_t ts, Rng& rng, std::string* out);

  const Vocabulary& vocab_;
  int64_t cached_second_ = INT64_MIN;
  char iso_[19];     // 2024-05-01T12:34:56
  char nginx_[26];   // 01/May/2024:12:34:56 +0000
  char syslog_[15];  // May  1 12:34:56
};

}  // namespace lode::bench
