#include "server/api_status.h"

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "logql/syntax/parser.h"
#include "logql/syntax/prettier.h"
#include "server/encode.h"
#include "server/request.h"

namespace lode::server {

namespace {

// Go's json.Encoder escapes <, > and & (SetEscapeHTML defaults to true).
std::string GoJsonString(std::string_view s) {
  std::string raw;
  AppendJsonString(&raw, s);
  std::string out;
  out.reserve(raw.size());
  for (char c : raw) {
    if (c == '<') {
      out += "\\u003c";
    } else if (c == '>') {
      out += "\\u003e";
    } else if (c == '&') {
      out += "\\u0026";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

Response FormatQuery(const Request& req) {
  if (req.method != "GET" && req.method != "POST") return Response::Text(405, "method not allowed");
  logql::ExprPtr expr;
  Status s = logql::ParseExpr(req.Param("query"), &expr);
  Response r;
  if (!s.ok()) {
    r = Response::Json("{\"status\":\"invalid-query\",\"error\":" + GoJsonString(s.message()) + "}\n");
    r.status = 400;
  } else {
    r = Response::Json("{\"status\":\"success\",\"data\":" + GoJsonString(logql::Prettify(*expr)) + "}\n");
  }
  r.content_type = "application/json; charset=utf-8";
  return r;
}

// Loki's util_log.LevelHandler.
Response LogLevel(const Config& cfg, const Request& req) {
  std::string body;
  int status = 200;
  if (req.method == "GET") {
    body = "{\"message\":" + GoJsonString("Current log level is " + CurrentLogLevel(cfg)) + "}\n";
  } else if (req.method == "POST") {
    const std::string level = req.Param("log_level");
    Status s = SetLogLevel(level);
    if (!s.ok()) {
      status = 400;
      body = "{\"status\":\"failed\",\"message\":" + GoJsonString(s.message()) + "}\n";
    } else {
      fprintf(stderr, "lode: info: Log level set to %s\n", level.c_str());
      body = "{\"status\":\"success\",\"message\":" + GoJsonString("Log level set to " + level) + "}\n";
    }
  } else {
    return Response::Text(405, "method not allowed");
  }
  Response r = Response::Json(std::move(body));
  r.status = status;
  r.content_type = "application/json; charset=utf-8";
  return r;
}

}  // namespace

std::string ServicesText(const Config& cfg) {
  // lode's parts, named after the Loki modules they stand in for.
  std::vector<std::string> modules = {"distributor", "ingester", "querier", "query-frontend", "server", "store"};
  if (cfg.retention_enabled) modules.push_back("compactor");
  if (cfg.ui_enabled) modules.push_back("ui");
  std::sort(modules.begin(), modules.end());
  std::string out;
  for (const auto& m : modules) out += m + " => Running\n";
  return out;
}

void RegisterStatusRoutes(HttpServer* http, const Config* cfg) {
  http->Route("/loki/api/v1/format_query", FormatQuery);
  http->Route("/log_level", [cfg](const Request& req) { return LogLevel(*cfg, req); });
  http->Route("/services", [cfg](const Request&) { return Response::Text(200, ServicesText(*cfg)); });
}

}  // namespace lode::server
