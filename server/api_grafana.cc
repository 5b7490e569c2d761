#include "server/api_grafana.h"

#include "server/api_detected.h"
#include "server/api_index.h"
#include "server/api_patterns.h"
#include "server/api_tail.h"
#include "server/request.h"

namespace lode::server {

void RegisterGrafanaRoutes(HttpServer* http, const Config* cfg, Store* store, logql::Engine* engine,
                           Metrics* metrics) {
  GrafanaDeps deps{cfg, store, engine, metrics};
  using Fn = Response (*)(const GrafanaDeps&, const Request&, const std::string&);
  auto route = [http, deps](const std::string& path, Fn fn) {
    http->Route(path, WithTenant(deps.cfg, [deps, fn](const Request& req, const std::string& tenant) {
                  return fn(deps, req, tenant);
                }));
  };
  route("/loki/api/v1/index/stats", &IndexStats);
  route("/loki/api/v1/index/volume", &IndexVolume);
  route("/loki/api/v1/index/volume_range", &IndexVolumeRange);
  route("/loki/api/v1/detected_labels", &DetectedLabels);
  route("/loki/api/v1/detected_fields", &DetectedFields);
  route("/loki/api/v1/detected_field/*", &DetectedFieldValues);
  route("/loki/api/v1/patterns", &Patterns);
  route("/loki/api/v1/drilldown-limits", &DrilldownLimits);
  RegisterTail(http, deps);
}

}  // namespace lode::server
