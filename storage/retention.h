// Retention policy: how long the entries of a stream are kept.
//
// Loki's rules (pkg/compactor/retention/expiration.go): a tenant has a
// retention_period and a list of retention_stream rules (selector, priority,
// period). A stream takes the period of the matching rule with the highest
// priority; among matching rules of equal priority the shortest period wins;
// with no matching rule the tenant's retention_period applies. A period of 0
// keeps data forever. An entry with timestamp ts is expired when
// now - ts > period, i.e. it is kept while ts >= now - period (the cutoff).
//
// A RetentionPolicy is immutable once built and safe to share across threads;
// the store holds the current one behind a shared_ptr (Store::SetRetentionPolicy)
// and swaps it atomically.
#pragma once

#include <climits>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "base/labels.h"

namespace lode {

struct RetentionStreamRule {
  std::string selector;              // as configured, e.g. `{namespace="dev"}`
  std::vector<MatcherPtr> matchers;  // parsed selector
  int priority = 0;
  int64_t period_ns = 0;
};

struct TenantRetention {
  int64_t period_ns = 0;  // retention_period (0: forever)
  std::vector<RetentionStreamRule> streams;
  // Loki's deletion_mode: filter-and-delete (both true), filter-only (delete
  // requests hide entries from reads but never rewrite chunks), disabled
  // (both false: requests are ignored).
  bool filter_deletes = true;
  bool physical_deletes = true;
};

class RetentionPolicy {
 public:
  RetentionPolicy() = default;
  RetentionPolicy(TenantRetention defaults,
                  std::map<std::string, TenantRetention, std::less<>> tenants)
      : defaults_(std::move(defaults)), tenants_(std::move(tenants)) {}

  const TenantRetention& For(std::string_view tenant) const;

  // The retention period of a stream (0: forever).
  int64_t PeriodFor(std::string_view tenant, const Labels& stream) const;

  // The oldest timestamp still kept at `now` (INT64_MIN when kept forever).
  int64_t CutoffFor(std::string_view tenant, const Labels& stream, int64_t now_ns) const;

  // The newest cutoff of any stream of `tenant` at `now` (the shortest
  // period among its default and its stream rules; INT64_MIN when nothing of
  // it expires): data at or after it is kept whatever the stream.
  int64_t LatestCutoff(std::string_view tenant, int64_t now_ns) const;

  // True when no tenant can expire anything.
  bool KeepsEverything() const;

 private:
  TenantRetention defaults_;
  std::map<std::string, TenantRetention, std::less<>> tenants_;
};

// now - period, or INT64_MIN for period <= 0.
inline int64_t CutoffOf(int64_t period_ns, int64_t now_ns) {
  return period_ns > 0 ? now_ns - period_ns : INT64_MIN;
}

}  // namespace lode
