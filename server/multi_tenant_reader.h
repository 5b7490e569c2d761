// MultiTenantReader: Loki's MultiTenantQuerier as a storage Reader.
//
// A tenant string holding '|' (`a|b`, as ResolveTenant normalises it:
// sorted, unique) names several tenants. Every method then answers for all of
// them as Loki does:
//  - SelectStreams: each tenant's streams, with `__tenant_id__="<tenant>"`
//    added to the labels (an existing `__tenant_id__` label is kept as
//    `original___tenant_id__`). Matchers on `__tenant_id__` choose the
//    tenants and are removed before the tenant's own streams are matched.
//  - ScanStream: the stream ids of SelectStreams carry the tenant's position
//    in their top 8 bits (at most 255 tenants; ResolveTenant allows 100).
//  - LabelNames: the union over the tenants, plus `__tenant_id__`.
//  - LabelValues: for `__tenant_id__` the tenants themselves; otherwise the
//    union.
// A tenant without '|' goes straight to the wrapped reader (no
// `__tenant_id__` label), as Loki's single-tenant path does.
//
// Thread-safe as the wrapped reader; holds no state of its own. `inner`
// must outlive it.
#pragma once

#include "storage/reader.h"

namespace lode::server {

inline constexpr const char* kTenantLabel = "__tenant_id__";

class MultiTenantReader : public Reader {
 public:
  explicit MultiTenantReader(Reader* inner) : inner_(inner) {}

  Status SelectStreams(std::string_view tenant, const std::vector<MatcherPtr>& matchers,
                       int64_t start_ns, int64_t end_ns, std::vector<StreamRef>* out) override;
  Status ScanStream(std::string_view tenant, uint64_t id, int64_t start_ns, int64_t end_ns,
                    Direction dir, const BatchVisitor& visit, ScanStats* stats) override;
  Status ScanStreamContaining(std::string_view tenant, uint64_t id, int64_t start_ns,
                              int64_t end_ns, Direction dir, std::string_view needle,
                              const BatchVisitor& visit, ScanStats* stats) override;
  Status LabelNames(std::string_view tenant, const std::vector<MatcherPtr>& matchers,
                    int64_t start_ns, int64_t end_ns, std::vector<std::string>* out) override;
  Status LabelValues(std::string_view tenant, std::string_view name,
                     const std::vector<MatcherPtr>& matchers, int64_t start_ns, int64_t end_ns,
                     std::vector<std::string>* out) override;

 private:
  Reader* inner_;
};

}  // namespace lode::server
