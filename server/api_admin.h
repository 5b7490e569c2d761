// Admin endpoints: Loki's compactor deletion API and lode's compaction trigger.
//
//   POST|PUT /loki/api/v1/delete?query=<log selector>&start=&end=[&max_interval=]
//       Adds a delete request: 204. start is required, end defaults to now;
//       both are Unix seconds (10 digits) or RFC3339 and kept to the
//       millisecond; the range is inclusive. The query is a LogQL log
//       selector, optionally with pipeline stages (e.g. `|= "secret"`).
//   GET      /loki/api/v1/delete
//       The tenant's requests, oldest first: [{"request_id", "start_time",
//       "end_time", "query", "status": "received"|"processed", "created_at"}]
//       with times in Unix seconds (Prometheus model.Time JSON).
//   DELETE   /loki/api/v1/delete?request_id=
//       Cancels a request that is not processed yet: 204; 404 "could not find
//       delete request with given id"; 400 once processed.
//   POST     /compactor/run   (lode only)
//       Runs retention and due delete requests now, as the background
//       compactor does every compactor.compaction_interval; answers the run's
//       report as JSON.
// With deletion_mode: disabled for the tenant the deletion API answers 403
// "deletion is not available for this tenant", as Loki does. Every message
// for bad input is Loki's.
#pragma once

#include "server/config.h"
#include "server/http.h"
#include "storage/deletes.h"
#include "storage/store.h"

namespace lode::server {

// `cfg` and `store` must outlive `http`.
void RegisterAdminRoutes(HttpServer* http, const Config* cfg, Store* store);

// Compiles delete queries with the LogQL parser and pipeline (for
// StoreOptions::delete_compiler).
DeleteQueryCompiler LogqlDeleteCompiler();

}  // namespace lode::server
