#include "server/api_status.h"

#include <yaml-cpp/yaml.h>

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
    r = Response::Json("{\"status\":\"invalid-query\",\"error\":" + GoJsonString(s.message()) +
                       "}\n");
    r.status = 400;
  } else {
    r = Response::Json("{\"status\":\"success\",\"data\":" + GoJsonString(logql::Prettify(*expr)) +
                       "}\n");
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
      body = "{\"status\":\"success\",\"message\":" + GoJsonString("Log level set to " + level) +
             "}\n";
    }
  } else {
    return Response::Text(405, "method not allowed");
  }
  Response r = Response::Json(std::move(body));
  r.status = status;
  r.content_type = "application/json; charset=utf-8";
  return r;
}

// Loki's diffConfig: the keys of `actual` whose value differs from
// `defaults` (maps compared key by key, anything else as a whole).
YAML::Node DiffConfig(const YAML::Node& defaults, const YAML::Node& actual) {
  YAML::Node out(YAML::NodeType::Map);
  for (const auto& kv : actual) {
    const std::string key = kv.first.as<std::string>();
    const YAML::Node def = defaults[key];
    if (!def) {
      out[key] = kv.second;
    } else if (kv.second.IsMap() && def.IsMap()) {
      YAML::Node d = DiffConfig(def, kv.second);
      if (d.size() > 0) out[key] = d;
    } else if (YAML::Dump(kv.second) != YAML::Dump(def)) {
      out[key] = kv.second;
    }
  }
  return out;
}

Response ConfigResponse(const Config& cfg, const Request& req) {
  const std::string mode = req.Param("mode");
  std::string body;
  if (mode == "defaults" || mode == "diff" || mode == "diffs") {
    Config defaults;
    Status s = LoadConfig("", &defaults);
    if (!s.ok()) return Response::Text(500, s.message());
    if (mode == "defaults") {
      body = ConfigToYaml(defaults);
    } else {
      YAML::Node diff =
          DiffConfig(YAML::Load(ConfigToYaml(defaults)), YAML::Load(ConfigToYaml(cfg)));
      body = diff.size() == 0 ? "{}\n" : YAML::Dump(diff) + "\n";
    }
  } else {
    body = ConfigToYaml(cfg);
  }
  Response r = Response::Text(200, std::move(body));
  r.content_type = "text/yaml; charset=utf-8";
  return r;
}

}  // namespace

std::string ServicesText(const Config& cfg) {
  // lode's parts, named after the Loki modules they stand in for.
  std::vector<std::string> modules = {"distributor",    "ingester", "querier",
                                      "query-frontend", "server",   "store"};
  if (cfg.retention_enabled) modules.push_back("compactor");
  if (cfg.ui_enabled) modules.push_back("ui");
  std::sort(modules.begin(), modules.end());
  std::string out;
  for (const auto& m : modules) out += m + " => Running\n";
  return out;
}

void RegisterStatusRoutes(HttpServer* http, const Config* cfg) {
  http->Route("/loki/api/v1/format_query", FormatQuery);
  http->Route("/config", [cfg](const Request& req) { return ConfigResponse(*cfg, req); });
  http->Route("/log_level", [cfg](const Request& req) { return LogLevel(*cfg, req); });
  http->Route("/services",
              [cfg](const Request&) { return Response::Text(200, ServicesText(*cfg)); });
}

}  // namespace lode::server
