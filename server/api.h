// The Loki-compatible HTTP API: routes, request validation, response
// encoding. Every handler turns bad input into a 4xx with a Loki-style
// plain-text message and never lets an error escape as a crash.
#pragma once

#include <functional>
#include <memory>

#include "ingest/limits.h"
#include "logql/engine.h"
#include "ruler/evaluator.h"
#include "server/config.h"
#include "server/http.h"
#include "server/metrics.h"
#include "storage/store.h"

namespace lode::server {

class Api {
 public:
  // `reader` answers labels, label values and series (the engine's reader,
  // a MultiTenantReader in lode); null: the store.
  Api(const Config* cfg, Store* store, logql::Engine* engine, Metrics* metrics,
      Reader* reader = nullptr);
  void Register(HttpServer* http);
  // The ruler behind the rules API (null: the ruler is off). Call before Register.
  void SetRuler(ruler::Ruler* r) { ruler_ = r; }

  Response Push(const Request& req, const std::string& tenant);
  // POST /otlp/v1/logs (api_otlp.cc).
  Response OtlpLogs(const Request& req, const std::string& tenant);
  Response QueryRange(const Request& req, const std::string& tenant);
  Response QueryInstant(const Request& req, const std::string& tenant);
  Response Labels(const Request& req, const std::string& tenant);
  Response LabelValues(const Request& req, const std::string& tenant);
  Response Series(const Request& req, const std::string& tenant);
  // The legacy API (api_legacy.cc): GET /api/prom/query (log queries only,
  // `regexp` adds `|~ "<regexp>"`), /api/prom/label and
  // /api/prom/label/<name>/values ({"values":[...]}).
  Response LegacyQuery(const Request& req, const std::string& tenant);
  Response LegacyLabels(const Request& req, const std::string& tenant);
  Response LegacyLabelValues(const Request& req, const std::string& tenant);
  Response Flush(const Request& req);
  Response Metrics(const Request& req);

  // More Prometheus text appended to /metrics (e.g. the file collector's).
  void SetExtraMetrics(std::function<std::string()> f) { extra_metrics_ = std::move(f); }

 private:
  // What became of a decoded push (Ingest).
  struct IngestOutcome {
    int refused_status = 0;  // non-zero: nothing stored (429 rate limit, store error)
    std::string refused_message;
    std::vector<std::string> errors;  // Loki's messages for what was rejected
    size_t streams_limited = 0;       // streams rejected by the active-stream limit
    size_t stored = 0;                // entries stored
  };
  // Validation, retention, limits and the atomic store append shared by all
  // push formats; *pr keeps only what was stored.
  IngestOutcome Ingest(const std::string& tenant, ingest::PushRequest* pr);

  Response RunQuery(const Request& req, logql::QueryRequest q);
  // query_range's parameters (query, start, end, since, limit, direction,
  // step, interval) into *q.
  Status ParseRangeRequest(const Request& req, const std::string& tenant, logql::QueryRequest* q);

  const Config* cfg_;
  Store* store_;
  Reader* reader_;
  logql::Engine* engine_;
  server::Metrics* metrics_;
  std::unique_ptr<ingest::IngestLimiter> limiter_;  // per-tenant rate and stream limits
  std::function<std::string()> extra_metrics_;
  ruler::Ruler* ruler_ = nullptr;
};

}  // namespace lode::server
