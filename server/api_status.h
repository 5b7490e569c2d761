// Loki's status and utility endpoints that need no store:
//  - GET|POST /loki/api/v1/format_query?query=..: the query as Loki's
//    syntax.Prettify writes it (logql/syntax/prettier.h):
//    {"status":"success","data":"<pretty>"}; a query that does not parse:
//    400 {"status":"invalid-query","error":"<Loki's parse error>"}. JSON as
//    Go's json.Encoder writes it (<, >, & escaped, trailing newline).
//  - GET /config: the running configuration (YAML); `?mode=defaults` the
//    built-in defaults, `?mode=diff` (Loki's code; `diffs` in its docs, both
//    accepted) only the keys that differ from the defaults (`{}` if none).
//  - GET|POST /log_level: Loki's level handler. GET answers
//    {"message":"Current log level is info"}; POST log_level=debug|info|
//    warn|error sets the running level (only `debug` changes what lode
//    logs: the query tags of requests) and answers
//    {"status":"success","message":"Log level set to debug"}; another value
//    is 400 {"status":"failed","message":"unrecognized log level \"x\""}.
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
