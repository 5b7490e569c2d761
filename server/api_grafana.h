// The Loki endpoints Grafana uses beyond query/query_range/labels/series:
// index stats and volumes (api_index.h), detected labels/fields, patterns
// and drilldown limits (api_detected.h), patterns (api_patterns.h) and the WebSocket
// tail (api_tail.h). This header holds their registration and the
// dependencies they share; request helpers are in server/request.h.
//
// Every handler validates its input and answers a Loki-style text/plain 4xx
// for bad input; none throws. Handlers are stateless apart from the pointers
// in GrafanaDeps, which must outlive the HttpServer.
#pragma once

#include <cstdint>
#include <string>

#include "logql/engine.h"
#include "server/config.h"
#include "server/http.h"
#include "server/metrics.h"
#include "storage/store.h"

namespace lode::server {

struct GrafanaDeps {
  const Config* cfg = nullptr;
  // The read side: a MultiTenantReader in lode, so the endpoints registered
  // for several tenants (index stats and volumes, patterns) see `a|b`.
  Reader* store = nullptr;
  logql::Engine* engine = nullptr;
  Metrics* metrics = nullptr;
};

// Adds the routes of every endpoint listed above to `http`.
void RegisterGrafanaRoutes(HttpServer* http, const Config* cfg, Reader* store,
                           logql::Engine* engine, Metrics* metrics);

}  // namespace lode::server
