// The files users copy into their Grafana set-up stay valid for lode: every
// LogQL query in the provisioned dashboard, in docs/LOGGING.md and behind the
// data source's derived-field links parses with lode's parser once Grafana
// has substituted its variables; the data source points Grafana's Loki plugin
// at lode and its derived-field regexes find the ids they promise.
#include <gtest/gtest.h>
#include <re2/re2.h>
#include <yaml-cpp/yaml.h>

#include <cctype>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "logql/syntax/parser.h"

namespace lode::testing {
namespace {

using json = nlohmann::json;

std::string SourcePath(const std::string& rel) { return std::string(LODE_SOURCE_DIR) + "/" + rel; }

// Returns the file's contents, or "" (with a test failure) if it cannot be read.
std::string ReadSourceFile(const std::string& rel) {
  std::ifstream in(SourcePath(rel), std::ios::binary);
  if (!in) {
    ADD_FAILURE() << "cannot read " << SourcePath(rel);
    return "";
  }
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// What Grafana puts in place of the variables these files use: the dashboard
// variables with "All" selected (their allValue is a match-anything regex)
// and Grafana's built-in durations.
const std::map<std::string, std::string>& GrafanaVariables() {
  static const auto* vars = new std::map<std::string, std::string>{
      {"service", ".+"}, {"level", ".+"},      {"__auto", "1m"},
      {"__range", "1h"}, {"__interval", "1m"}, {"__rate_interval", "1m"},
  };
  return *vars;
}

// Replaces `$name` and `${name}` as Grafana's template service does. A
// variable not in GrafanaVariables() is reported in *unknown and left as is
// (so the query also fails to parse).
std::string SubstituteVariables(const std::string& expr, std::vector<std::string>* unknown) {
  std::string out;
  size_t i = 0;
  while (i < expr.size()) {
    if (expr[i] != '$') {
      out += expr[i++];
      continue;
    }
    bool braced = i + 1 < expr.size() && expr[i + 1] == '{';
    size_t start = i + (braced ? 2 : 1);
    size_t end = start;
    while (end < expr.size() &&
           (std::isalnum(static_cast<unsigned char>(expr[end])) || expr[end] == '_'))
      ++end;
    // `$1` (a regex group in label_replace) and a lone `$` are not variables.
    bool is_name = end > start && !std::isdigit(static_cast<unsigned char>(expr[start]));
    if (!is_name || (braced && (end >= expr.size() || expr[end] != '}'))) {
      out += expr[i++];
      continue;
    }
    std::string name = expr.substr(start, end - start);
    size_t next = braced ? end + 1 : end;
    auto it = GrafanaVariables().find(name);
    if (it == GrafanaVariables().end()) {
      unknown->push_back(name);
      out += expr.substr(i, next - i);
    } else {
      out += it->second;
    }
    i = next;
  }
  return out;
}

// Parses `query` after variable substitution; failures name `where`.
void ExpectParses(const std::string& where, const std::string& query) {
  std::vector<std::string> unknown;
  std::string substituted = SubstituteVariables(query, &unknown);
  for (const auto& name : unknown)
    ADD_FAILURE() << where << ": unknown Grafana variable $" << name << " in " << query;
  logql::ExprPtr expr;
  Status s = logql::ParseExpr(substituted, &expr);
  EXPECT_TRUE(s.ok()) << where << ": " << s.message() << "\n  query: " << substituted;
  EXPECT_TRUE(!s.ok() || expr != nullptr) << where << ": no AST for " << substituted;
}

// ---- dashboard ---------------------------------------------------------------

struct DashboardQuery {
  std::string panel;
  std::string expr;
};

std::string DatasourceUid(const json& holder) {
  if (!holder.contains("datasource")) return "";
  const json& ds = holder["datasource"];
  if (ds.is_object() && ds.contains("uid") && ds["uid"].is_string())
    return ds["uid"].get<std::string>();
  return "";
}

// Collects the `expr` of every target sent to data source `uid`, descending
// into rows; a target without its own data source uses its panel's.
void CollectQueries(const json& panels, const std::string& uid, std::vector<DashboardQuery>* out) {
  for (const json& panel : panels) {
    if (panel.contains("panels")) CollectQueries(panel["panels"], uid, out);
    if (!panel.contains("targets")) continue;
    std::string panel_uid = DatasourceUid(panel);
    for (const json& target : panel["targets"]) {
      std::string target_uid = DatasourceUid(target);
      if ((target_uid.empty() ? panel_uid : target_uid) != uid) continue;
      if (!target.contains("expr")) continue;
      out->push_back({panel.value("title", "?"), target["expr"].get<std::string>()});
    }
  }
}

json LoadDashboard() {
  std::string text = ReadSourceFile("grafana/provisioning/dashboards/lode-logs-overview.json");
  json dashboard = json::parse(text, nullptr, /*allow_exceptions=*/false);
  EXPECT_FALSE(dashboard.is_discarded()) << "lode-logs-overview.json is not valid JSON";
  return dashboard;
}

TEST(GrafanaFilesDashboard, EveryLodeQueryParses) {
  json dashboard = LoadDashboard();
  ASSERT_TRUE(dashboard.is_object());
  std::vector<DashboardQuery> queries;
  CollectQueries(dashboard["panels"], "lode", &queries);
  // log volume by level and by service, error rate, top errors, logs, live tail
  EXPECT_GE(queries.size(), 6u);
  for (const auto& q : queries) ExpectParses("panel \"" + q.panel + "\"", q.expr);
}

TEST(GrafanaFilesDashboard, ModelAndVariables) {
  json dashboard = LoadDashboard();
  ASSERT_TRUE(dashboard.is_object());
  EXPECT_EQ(dashboard.value("schemaVersion", 0), 39);
  EXPECT_EQ(dashboard.value("title", ""), "Logs overview");
  EXPECT_FALSE(dashboard.value("uid", "").empty());

  std::map<std::string, json> vars;
  for (const json& v : dashboard["templating"]["list"]) vars[v.value("name", "")] = v;
  ASSERT_TRUE(vars.count("service"));
  const json& service = vars["service"];
  EXPECT_EQ(DatasourceUid(service), "lode");
  EXPECT_TRUE(service.value("multi", false));
  EXPECT_TRUE(service.value("includeAll", false));
  EXPECT_EQ(service["query"].value("label", ""), "app");
  ASSERT_TRUE(vars.count("level"));
  EXPECT_TRUE(vars["level"].value("includeAll", false));

  // The metric beside the error-log rate comes from Prometheus.
  std::vector<DashboardQuery> prom;
  CollectQueries(dashboard["panels"], "prometheus", &prom);
  ASSERT_FALSE(prom.empty());
  EXPECT_NE(prom[0].expr.find("lode_request_duration_seconds_count"), std::string::npos);

  // Panel ids must be unique or Grafana mixes up their state.
  std::map<int, int> ids;
  for (const json& p : dashboard["panels"]) ids[p.value("id", 0)]++;
  for (const auto& [id, n] : ids) EXPECT_EQ(n, 1) << "panel id " << id;
}

TEST(GrafanaFilesDashboard, SubstitutionReportsUnknownVariables) {
  std::vector<std::string> unknown;
  EXPECT_EQ(SubstituteVariables("{app=~\"${service}\"} [$__auto] $job $ \"$1\"", &unknown),
            "{app=~\".+\"} [1m] $job $ \"$1\"");
  ASSERT_EQ(unknown.size(), 1u);
  EXPECT_EQ(unknown[0], "job");
}

// ---- docs/LOGGING.md ---------------------------------------------------------

// Returns the body of every ```logql fenced block.
std::vector<std::string> LogqlBlocks(const std::string& markdown) {
  std::vector<std::string> blocks;
  std::istringstream in(markdown);
  std::string line, block;
  bool inside = false;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    size_t indent = line.find_first_not_of(' ');
    std::string trimmed = indent == std::string::npos ? "" : line.substr(indent);
    if (!inside && trimmed == "```logql") {
      inside = true;
      block.clear();
    } else if (inside && trimmed == "```") {
      inside = false;
      blocks.push_back(block);
    } else if (inside) {
      block += line + "\n";
    }
  }
  EXPECT_FALSE(inside) << "unterminated ```logql block";
  return blocks;
}

TEST(GrafanaFilesDocs, EveryCookbookQueryParses) {
  std::vector<std::string> blocks = LogqlBlocks(ReadSourceFile("docs/LOGGING.md"));
  EXPECT_GE(blocks.size(), 10u);
  for (size_t i = 0; i < blocks.size(); ++i) {
    ExpectParses("docs/LOGGING.md logql block #" + std::to_string(i + 1), blocks[i]);
  }
}

// ---- data source -------------------------------------------------------------

// Decodes %XX escapes (and leaves everything else alone).
std::string PercentDecode(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      out += static_cast<char>(std::stoi(s.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

YAML::Node LokiDatasource(const YAML::Node& root) {
  for (const auto& ds : root["datasources"]) {
    if (ds["type"] && ds["type"].as<std::string>() == "loki") return ds;
  }
  return YAML::Node();
}

TEST(GrafanaFilesDatasource, PointsGrafanasLokiPluginAtLode) {
  std::string text = ReadSourceFile("grafana/provisioning/datasources/lode.yaml");
  EXPECT_NE(text.find("type: loki"), std::string::npos);
  EXPECT_NE(text.find("http://lode:3100"), std::string::npos);
  EXPECT_NE(text.find("http://prometheus:9090"), std::string::npos);

  YAML::Node root = YAML::Load(text);
  YAML::Node lode = LokiDatasource(root);
  ASSERT_TRUE(lode.IsDefined() && !lode.IsNull());
  EXPECT_EQ(lode["uid"].as<std::string>(), "lode");
  EXPECT_EQ(lode["url"].as<std::string>(), "http://lode:3100");
  EXPECT_EQ(lode["jsonData"]["maxLines"].as<int>(), 1000);
}

TEST(GrafanaFilesDatasource, DerivedFieldsFindIdsAndLinkToValidQueries) {
  YAML::Node root = YAML::Load(ReadSourceFile("grafana/provisioning/datasources/lode.yaml"));
  YAML::Node fields = LokiDatasource(root)["jsonData"]["derivedFields"];
  ASSERT_TRUE(fields.IsSequence());
  // Sample lines per field: JSON and logfmt spellings, and the id expected.
  const std::map<std::string, std::vector<std::pair<std::string, std::string>>> samples = {
      {"trace_id",
       {{R"({"level":"info","trace_id":"4bf92f3577b34da6","msg":"ok"})", "4bf92f3577b34da6"},
        {R"({"trace_id": "abc123"})", "abc123"},
        {"level=info trace_id=abc123 msg=ok", "abc123"},
        {"x_trace_id=nope", ""}}},
      {"run_id",
       {{R"({"run_id":"123e4567-e89b-12d3-a456-426614174000"})",
         "123e4567-e89b-12d3-a456-426614174000"},
        {"run_id=r-42 step=load", "r-42"}}},
  };
  size_t checked = 0;
  for (const auto& field : fields) {
    std::string name = field["name"].as<std::string>();
    auto it = samples.find(name);
    if (it == samples.end()) continue;
    ++checked;
    // Grafana runs the regex in the browser (JavaScript); this one uses only
    // syntax both RE2 and JavaScript read the same way.
    RE2 re(field["matcherRegex"].as<std::string>());
    ASSERT_TRUE(re.ok()) << name << ": " << re.error();
    for (const auto& [line, want] : it->second) {
      std::string got;
      bool found = RE2::PartialMatch(line, re, &got);
      EXPECT_EQ(found ? got : "", want) << name << " in " << line;
    }

    // The link opens Explore on lode; `$$` is the provisioning escape of `$`.
    std::string url = field["url"].as<std::string>();
    EXPECT_EQ(url.rfind("/explore?", 0), 0u) << url;
    size_t left = url.find("left=");
    ASSERT_NE(left, std::string::npos) << url;
    std::string state = url.substr(left + 5);
    state = state.substr(0, state.find('&'));
    const std::string placeholder = "$${__value.raw}";
    size_t at = state.find(placeholder);
    ASSERT_NE(at, std::string::npos) << name << ": link does not use the field value";
    state.replace(at, placeholder.size(), "abc-123");
    json explore = json::parse(PercentDecode(state), nullptr, /*allow_exceptions=*/false);
    ASSERT_TRUE(explore.is_object()) << "left= is not URL-encoded JSON: " << PercentDecode(state);
    EXPECT_EQ(explore.value("datasource", ""), "lode");
    ASSERT_TRUE(explore["queries"].is_array() && !explore["queries"].empty());
    std::string expr = explore["queries"][0].value("expr", "");
    EXPECT_NE(expr.find("abc-123"), std::string::npos) << expr;
    ExpectParses("derived field " + name, expr);
  }
  EXPECT_EQ(checked, samples.size());
}

}  // namespace
}  // namespace lode::testing
