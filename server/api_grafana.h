// The Loki endpoints Grafana uses beyond query/query_range/labels/series:
// index stats and volumes (api_index.h), detected labels/fields, patterns
// and drilldown limits (api_detected.h), patterns (api_patterns.h) and the WebSocket
// tail (api_tail.h). This header holds their registration and the request
// helpers they share.
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
  Store* store = nullptr;
  logql::Engine* engine = nullptr;
  Metrics* metrics = nullptr;
};

// Adds the routes of every endpoint listed above to `http`.
void RegisterGrafanaRoutes(HttpServer* http, const Config* cfg, Store* store, logql::Engine* engine,
                           Metrics* metrics);

namespace grafana {

// Tenant of a request, as Api::Tenant: "fake" without auth, else the
// X-Scope-OrgID header (401 when missing, 400 when invalid).
bool ResolveTenant(const Config& cfg, const Request& req, std::string* tenant, Response* err);

// A Loki-style text/plain error response for a non-OK status.
Response ErrorResponse(const Status& s);

// Loki's bounds(): end defaults to now, start to end - `since` (the `since`
// parameter, else default_since). Fails when end < start.
Status ParseBounds(const Request& req, int64_t default_since_ns, int64_t* start_ns, int64_t* end_ns);

// An optional non-negative integer parameter (Go strconv.Atoi errors).
Status ParseIntParam(const Request& req, const std::string& name, int64_t def, int64_t* out);

// Loki's step(): the `step` parameter (float seconds or duration), default
// max(1s, (end-start)/250); rejects zero/negative steps and more than 11000
// points.
Status ParseRangeStep(const Request& req, int64_t start_ns, int64_t end_ns, int64_t* step_ns);

// Logs X-Query-Tags and X-Grafana-* headers at debug level.
void LogQueryTags(const Config& cfg, const Request& req);

}  // namespace grafana
}  // namespace lode::server
