// QueryContext: what bounds one running query -- a deadline
// (limits_config.query_timeout), cancellation from outside (the HTTP client
// went away), and a memory budget (limits_config.max_query_memory) charged
// for what the query materialises: result entries and labels, samples and
// series, and every line_format / label_format output while it is built.
//
// The engine checks Done() in every scan batch, for every entry or sample
// it keeps, and at every evaluation step, so a query past any bound stops
// within one batch on every scan thread and frees its memory. Pipeline
// stages reach the context of the query their thread is scanning for
// through Current() (set by ScopedQueryContext), so they need no new
// parameter. Thread-safe: Cancel() and the checks may run on any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

#include "base/status.h"

namespace lode::logql {

class QueryContext {
 public:
  using Clock = std::chrono::steady_clock;

  // timeout <= 0: no deadline; max_bytes == 0: no memory budget.
  QueryContext(std::chrono::nanoseconds timeout, uint64_t max_bytes);

  // Stops the query at its next check; Err() is kCancelled with Loki's
  // "the request was cancelled by the client".
  void Cancel();

  // `gone` is polled with the clock (every 64th Done()); true cancels the
  // query (the HTTP server's "has the client hung up?"). Set before the
  // query starts.
  void SetCancelCheck(std::function<bool()> gone) { gone_ = std::move(gone); }

  // True once the query must stop (cancelled, past its deadline or over its
  // memory budget). Cheap: an atomic load, and a clock read every 64th call.
  bool Done();

  // Adds `bytes` to the memory the query holds; false (and Done()) once the
  // total exceeds the budget.
  bool Charge(uint64_t bytes);

  // A transient allocation of `bytes` (a formatted line or label being
  // built): false (and Done()) when it alone exceeds what is left.
  bool Fits(uint64_t bytes);

  // Why the query stopped: OK while it may run; kDeadlineExceeded (HTTP 504,
  // Loki's "request timed out, decrease the duration of the request or ...")
  // , kCancelled (499) or kLimitExceeded (400) naming the memory budget.
  Status Err() const;

  uint64_t bytes_charged() const { return used_.load(std::memory_order_relaxed); }

  // The context of the query the calling thread works for, or nullptr.
  static QueryContext* Current();

 private:
  enum Reason : int { kRunning = 0, kCancelledReason, kDeadline, kMemory };
  void Stop(Reason r);

  Clock::time_point deadline_;
  bool has_deadline_;
  uint64_t max_bytes_;
  std::atomic<uint64_t> used_{0};
  std::atomic<int> reason_{kRunning};
  std::atomic<uint32_t> calls_{0};
  std::function<bool()> gone_;
  friend class ScopedQueryContext;
};

// Makes `ctx` the calling thread's QueryContext::Current() for its lifetime.
class ScopedQueryContext {
 public:
  explicit ScopedQueryContext(QueryContext* ctx);
  ~ScopedQueryContext();
  ScopedQueryContext(const ScopedQueryContext&) = delete;
  ScopedQueryContext& operator=(const ScopedQueryContext&) = delete;

 private:
  QueryContext* prev_;
};

// Loki's messages (pkg/util/server/error.go).
inline constexpr const char* kQueryTimeoutMessage =
    "request timed out, decrease the duration of the request or add more label matchers (prefer "
    "exact match over "
    "regex match) to reduce the amount of data processed";
inline constexpr const char* kClientCanceledMessage = "the request was cancelled by the client";

}  // namespace lode::logql
