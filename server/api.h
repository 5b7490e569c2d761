// The Loki-compatible HTTP API: routes, request validation, response
// encoding. Every handler turns bad input into a 4xx with a Loki-style
// plain-text message and never lets an error escape as a crash.
#pragma once

#include <memory>

#include "logql/engine.h"
#include "server/config.h"
#include "server/http.h"
#include "ingest/limits.h"
#include "server/metrics.h"
#include "ruler/evaluator.h"
#include "storage/store.h"

namespace lode::server {

class Api {
 public:
  Api(const Config* cfg, Store* store, logql::Engine* engine, Metrics* metrics);
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
  Response Flush(const Request& req);
  Response Metrics(const Request& req);

 private:
  // What became of a decoded push (Ingest).
  struct IngestOutcome {
    int refused_status = 0;       // non-zero: nothing stored (429 rate limit, store error)
    std::string refused_message;
    std::vector<std::string> errors;  // Loki's messages for what was rejected
    size_t streams_limited = 0;       // streams rejected by the active-stream limit
    size_t stored = 0;                // entries stored
  };
  // Validation, retention, limits and the atomic store append shared by all
  // push formats; *pr keeps only what was stored.
  IngestOutcome Ingest(const std::string& tenant, ingest::PushRequest* pr);

  Response RunQuery(const Request& req, logql::QueryRequest q);

  const Config* cfg_;
  Store* store_;
  logql::Engine* engine_;
  server::Metrics* metrics_;
  std::unique_ptr<ingest::IngestLimiter> limiter_;  // per-tenant rate and stream limits
  ruler::Ruler* ruler_ = nullptr;
};


}  // namespace lode::server
