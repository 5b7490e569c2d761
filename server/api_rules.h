// The ruler's HTTP API (Loki's and Prometheus's shapes):
//
//   GET    /loki/api/v1/rules                      every namespace (YAML)
//   GET    /loki/api/v1/rules/{namespace}          one namespace (YAML)
//   GET    /loki/api/v1/rules/{namespace}/{group}  one group (YAML)
//   POST   /loki/api/v1/rules/{namespace}          add or replace a group (YAML body) -> 202
//   DELETE /loki/api/v1/rules/{namespace}          -> 202
//   DELETE /loki/api/v1/rules/{namespace}/{group}  -> 202
//   (the same under /api/prom/rules)
//   GET    /prometheus/api/v1/rules[?type=alert|record]
//   GET    /prometheus/api/v1/alerts
//
// The tenant comes from X-Scope-OrgID (WithTenant). Changes are written
// durably (RuleStore) before the answer and take effect at the next
// evaluation. With the ruler off (`ruler` null) the management routes answer
// 404 "ruler is not configured" and the status routes an empty list.
#pragma once

#include "ruler/evaluator.h"
#include "server/config.h"
#include "server/http.h"
#include "server/metrics.h"

namespace lode::server {

void RegisterRulesRoutes(HttpServer* http, const Config* cfg, ruler::Ruler* ruler);

// The ruler's counters for /metrics (evaluations, failures, notifications
// sent/dropped/failed, remote-write samples sent/dropped/failed).
void SetRulerMetrics(const ruler::RulerStats& st, Metrics* m);

}  // namespace lode::server
