#include "server/multi_tenant_reader.h"

#include <algorithm>
#include <set>

namespace lode::server {

namespace {

constexpr int kTenantShift = 56;
constexpr uint64_t kIdMask = (1ULL << kTenantShift) - 1;

std::vector<std::string_view> SplitTenants(std::string_view tenant) {
  std::vector<std::string_view> out;
  size_t at = 0;
  for (;;) {
    size_t bar = tenant.find('|', at);
    out.push_back(
        tenant.substr(at, bar == std::string_view::npos ? std::string_view::npos : bar - at));
    if (bar == std::string_view::npos) return out;
    at = bar + 1;
  }
}

// Loki's filterValuesByMatchers: the tenants every __tenant_id__ matcher
// accepts, and the other matchers.
void FilterTenants(const std::vector<std::string_view>& tenants,
                   const std::vector<MatcherPtr>& matchers, std::vector<size_t>* chosen,
                   std::vector<MatcherPtr>* rest) {
  for (const auto& m : matchers) {
    if (m->name() != kTenantLabel) rest->push_back(m);
  }
  for (size_t i = 0; i < tenants.size(); ++i) {
    bool ok = true;
    for (const auto& m : matchers) {
      if (m->name() == kTenantLabel && !m->Matches(tenants[i])) ok = false;
    }
    if (ok) chosen->push_back(i);
  }
}

void AddTenantLabel(Labels* ls, std::string_view tenant) {
  for (auto& l : *ls) {
    if (l.name == kTenantLabel) l.name = std::string("original_") + kTenantLabel;
  }
  ls->push_back({kTenantLabel, std::string(tenant)});
  std::sort(ls->begin(), ls->end(), [](const Label& a, const Label& b) { return a.name < b.name; });
}

Status MergeSorted(std::set<std::string>* acc, std::vector<std::string>* out) {
  out->assign(acc->begin(), acc->end());
  return Status::OK();
}

}  // namespace

Status MultiTenantReader::SelectStreams(std::string_view tenant,
                                        const std::vector<MatcherPtr>& matchers, int64_t start_ns,
                                        int64_t end_ns, std::vector<StreamRef>* out) {
  if (tenant.find('|') == std::string_view::npos)
    return inner_->SelectStreams(tenant, matchers, start_ns, end_ns, out);
  const std::vector<std::string_view> tenants = SplitTenants(tenant);
  if (tenants.size() > 255) return Status::InvalidArgument("too many tenants");
  std::vector<size_t> chosen;
  std::vector<MatcherPtr> rest;
  FilterTenants(tenants, matchers, &chosen, &rest);
  out->clear();
  for (size_t i : chosen) {
    std::vector<StreamRef> refs;
    LODE_RETURN_IF_ERROR(inner_->SelectStreams(tenants[i], rest, start_ns, end_ns, &refs));
    for (auto& r : refs) {
      if (r.id > kIdMask) return Status::IOError("stream id too large for a multi-tenant query");
      r.id |= static_cast<uint64_t>(i) << kTenantShift;
      AddTenantLabel(&r.labels, tenants[i]);
      out->push_back(std::move(r));
    }
  }
  return Status::OK();
}

Status MultiTenantReader::ScanStream(std::string_view tenant, uint64_t id, int64_t start_ns,
                                     int64_t end_ns, Direction dir, const BatchVisitor& visit,
                                     ScanStats* stats) {
  if (tenant.find('|') == std::string_view::npos) {
    return inner_->ScanStream(tenant, id, start_ns, end_ns, dir, visit, stats);
  }
  const std::vector<std::string_view> tenants = SplitTenants(tenant);
  const size_t i = static_cast<size_t>(id >> kTenantShift);
  if (i >= tenants.size()) return Status::InvalidArgument("unknown stream");
  return inner_->ScanStream(tenants[i], id & kIdMask, start_ns, end_ns, dir, visit, stats);
}

Status MultiTenantReader::ScanStreamContaining(std::string_view tenant, uint64_t id,
                                               int64_t start_ns, int64_t end_ns, Direction dir,
                                               std::string_view needle, const BatchVisitor& visit,
                                               ScanStats* stats) {
  if (tenant.find('|') == std::string_view::npos) {
    return inner_->ScanStreamContaining(tenant, id, start_ns, end_ns, dir, needle, visit, stats);
  }
  const std::vector<std::string_view> tenants = SplitTenants(tenant);
  const size_t i = static_cast<size_t>(id >> kTenantShift);
  if (i >= tenants.size()) return Status::InvalidArgument("unknown stream");
  return inner_->ScanStreamContaining(tenants[i], id & kIdMask, start_ns, end_ns, dir, needle,
                                      visit, stats);
}

Status MultiTenantReader::LabelNames(std::string_view tenant,
                                     const std::vector<MatcherPtr>& matchers, int64_t start_ns,
                                     int64_t end_ns, std::vector<std::string>* out) {
  if (tenant.find('|') == std::string_view::npos)
    return inner_->LabelNames(tenant, matchers, start_ns, end_ns, out);
  const std::vector<std::string_view> tenants = SplitTenants(tenant);
  std::vector<size_t> chosen;
  std::vector<MatcherPtr> rest;
  FilterTenants(tenants, matchers, &chosen, &rest);
  std::set<std::string> acc = {kTenantLabel};
  for (size_t i : chosen) {
    std::vector<std::string> names;
    LODE_RETURN_IF_ERROR(inner_->LabelNames(tenants[i], rest, start_ns, end_ns, &names));
    acc.insert(names.begin(), names.end());
  }
  return MergeSorted(&acc, out);
}

Status MultiTenantReader::LabelValues(std::string_view tenant, std::string_view name,
                                      const std::vector<MatcherPtr>& matchers, int64_t start_ns,
                                      int64_t end_ns, std::vector<std::string>* out) {
  const bool multi = tenant.find('|') != std::string_view::npos;
  if (name == kTenantLabel && multi) {
    out->clear();
    for (auto t : SplitTenants(tenant)) out->emplace_back(t);
    return Status::OK();
  }
  if (!multi) return inner_->LabelValues(tenant, name, matchers, start_ns, end_ns, out);
  const std::vector<std::string_view> tenants = SplitTenants(tenant);
  std::vector<size_t> chosen;
  std::vector<MatcherPtr> rest;
  FilterTenants(tenants, matchers, &chosen, &rest);
  std::set<std::string> acc;
  for (size_t i : chosen) {
    std::vector<std::string> values;
    LODE_RETURN_IF_ERROR(inner_->LabelValues(tenants[i], name, rest, start_ns, end_ns, &values));
    acc.insert(values.begin(), values.end());
  }
  return MergeSorted(&acc, out);
}

}  // namespace lode::server
