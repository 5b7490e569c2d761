// The Loki-compatible HTTP API: routes, request validation, response
// encoding. Every handler turns bad input into a 4xx with a Loki-style
// plain-text message and never lets an error escape as a crash.
#pragma once

#include <functional>

#include <memory>

#include "logql/engine.h"
#include "server/config.h"
#include "server/http.h"
#include "server/ingest_limits.h"
#include "server/metrics.h"
#include "storage/store.h"

namespace lode::server {

class Api {
 public:
  Api(const Config* cfg, Store* store, logql::Engine* engine, Metrics* metrics);
  void Register(HttpServer* http);

  // Resolves the tenant (X-Scope-OrgID); false + 401 response when missing.
  bool Tenant(const Request& req, std::string* tenant, Response* err) const;

  Response Push(const Request& req);
  Response QueryRange(const Request& req);
  Response QueryInstant(const Request& req);
  Response Labels(const Request& req);
  Response LabelValues(const Request& req);
  Response Series(const Request& req);
  Response Flush(const Request& req);
  Response Metrics(const Request& req);

  // More Prometheus text appended to /metrics (e.g. the file collector's).
  void SetExtraMetrics(std::function<std::string()> f) { extra_metrics_ = std::move(f); }

 private:
  Response RunQuery(const Request& req, logql::QueryRequest q);

  const Config* cfg_;
  Store* store_;
  logql::Engine* engine_;
  server::Metrics* metrics_;
  std::unique_ptr<IngestLimiter> limiter_;  // per-tenant rate and stream limits
  std::function<std::string()> extra_metrics_;
};

// Maps a Status to its HTTP status code (400 for user errors, ...).
int HttpStatusFor(const Status& s);

}  // namespace lode::server
