#include "logql/query_context.h"

#include "base/go_parse.h"

namespace lode::logql {

namespace {
thread_local QueryContext* t_current = nullptr;
}  // namespace

QueryContext::QueryContext(std::chrono::nanoseconds timeout, uint64_t max_bytes)
    : deadline_(Clock::now() + timeout),
      has_deadline_(timeout.count() > 0),
      max_bytes_(max_bytes) {}

void QueryContext::Stop(Reason r) {
  int expected = kRunning;
  reason_.compare_exchange_strong(expected, r);
}

void QueryContext::Cancel() { Stop(kCancelledReason); }

bool QueryContext::Done() {
  if (reason_.load(std::memory_order_relaxed) != kRunning) return true;
  if ((calls_.fetch_add(1, std::memory_order_relaxed) & 63) != 0) return false;
  if (has_deadline_ && Clock::now() >= deadline_) {
    Stop(kDeadline);
    return true;
  }
  if (gone_ && gone_()) {
    Stop(kCancelledReason);
    return true;
  }
  return false;
}

bool QueryContext::Charge(uint64_t bytes) {
  uint64_t total = used_.fetch_add(bytes, std::memory_order_relaxed) + bytes;
  if (max_bytes_ && total > max_bytes_) {
    Stop(kMemory);
    return false;
  }
  return true;
}

bool QueryContext::Fits(uint64_t bytes) {
  if (max_bytes_ && bytes + used_.load(std::memory_order_relaxed) > max_bytes_) {
    Stop(kMemory);
    return false;
  }
  return true;
}

Status QueryContext::Err() const {
  switch (reason_.load()) {
    case kCancelledReason:
      return Status::Cancelled(kClientCanceledMessage);
    case kDeadline:
      return Status::DeadlineExceeded(kQueryTimeoutMessage);
    case kMemory:
      return Status::LimitExceeded(
          "the query needs more memory than the limit of " + HumanizeBytes(max_bytes_) +
          " (limits_config.max_query_memory); reduce the time range, add label matchers "
          "or simplify line_format/label_format");
    default:
      return Status::OK();
  }
}

QueryContext* QueryContext::Current() { return t_current; }

ScopedQueryContext::ScopedQueryContext(QueryContext* ctx) : prev_(t_current) { t_current = ctx; }
ScopedQueryContext::~ScopedQueryContext() { t_current = prev_; }

}  // namespace lode::logql
