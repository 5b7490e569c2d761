#include "server/api_grafana.h"

#include "server/api_detected.h"
#include "server/api_index.h"
#include "server/api_patterns.h"
#include "server/api_tail.h"
#include "server/request.h"

namespace lode::server {

void RegisterGrafanaRoutes(HttpServer* http, const Config* cfg, Reader* store,
                           logql::Engine* engine, Metrics* metrics) {
  GrafanaDeps deps{cfg, store, engine, metrics};
  using Fn = Response (*)(const GrafanaDeps&, const Request&, const std::string&);
  // multi: accepts `X-Scope-OrgID: a|b` with multi-tenant queries enabled
  // (Loki's MultiTenantQuerier merges index stats, volumes and patterns).
  auto route = [http, deps](const std::string& path, Fn fn, bool multi = false) {
    http->Route(path, WithTenant(
                          deps.cfg,
                          [deps, fn](const Request& req, const std::string& tenant) {
                            return fn(deps, req, tenant);
                          },
                          multi));
  };
  route("/loki/api/v1/index/stats", &IndexStats, true);
  route("/loki/api/v1/index/volume", &IndexVolume, true);
  route("/loki/api/v1/index/volume_range", &IndexVolumeRange, true);
  route("/loki/api/v1/detected_labels", &DetectedLabels);
  route("/loki/api/v1/detected_fields", &DetectedFields);
  route("/loki/api/v1/detected_field/*", &DetectedFieldValues);
  route("/loki/api/v1/patterns", &Patterns, true);
  route("/loki/api/v1/drilldown-limits", &DrilldownLimits);
  RegisterTail(http, deps);
}

}  // namespace lode::server
