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
#include "storage/store.h"

namespace lode::server {

class Api {
 public:
  Api(const Config* cfg, Store* store, logql::Engine* engine, Metrics* metrics);
  void Register(HttpServer* http);

  Response Push(const Request& req, const std::string& tenant);
  Response QueryRange(const Request& req, const std::string& tenant);
  Response QueryInstant(const Request& req, const std::string& tenant);
  Response Labels(const Request& req, const std::string& tenant);
  Response LabelValues(const Request& req, const std::string& tenant);
  Response Series(const Request& req, const std::string& tenant);
  Response Flush(const Request& req);
  Response Metrics(const Request& req);

 private:
  Response RunQuery(const Request& req, logql::QueryRequest q);

  const Config* cfg_;
  Store* store_;
  logql::Engine* engine_;
  server::Metrics* metrics_;
  std::unique_ptr<ingest::IngestLimiter> limiter_;  // per-tenant rate and stream limits
};


}  // namespace lode::server
