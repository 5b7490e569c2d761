// Loki's status and utility endpoints that need no store:
//  - GET|POST /loki/api/v1/format_query?query=..: the query as Loki's
//    syntax.Prettify writes it (logql/syntax/prettier.h):
//    {"status":"success","data":"<pretty>"}; a query that does not parse:
//    400 {"status":"invalid-query","error":"<Loki's parse error>"}. JSON as
//    Go's json.Encoder writes it (<, >, & escaped, trailing newline).
//  - GET /services: `<module> => Running` per line, sorted by module, for
//    the parts of lode that run in this process (which ones depends on the
//    config: `ui` only with ui.enabled, `compactor` only with
//    compactor.retention_enabled).
#pragma once

#include "server/config.h"
#include "server/http.h"

namespace lode::server {

void RegisterStatusRoutes(HttpServer* http, const Config* cfg);

// The body of /services for `cfg`.
std::string ServicesText(const Config& cfg);

}  // namespace lode::server
