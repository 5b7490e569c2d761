// ApiTableTest: README.md's table of Loki's HTTP API reference
// (between <!-- api-table:begin --> and <!-- api-table:end -->) against the
// real binary. The table must list exactly the endpoints of Loki's reference
// (kLokiReference, copied from Loki's docs/sources/reference/loki-http-api.md);
// every row marked "same as Loki" or "differs: ..." is called once and must
// answer neither 404 nor 5xx; every "not provided: ..." row must answer 404.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "tests/e2e/lode_process.h"

namespace lode::testing {
namespace {

// Loki's HTTP API reference, every endpoint it lists (method and path).
const char* kLokiReference[] = {
    "POST /loki/api/v1/push",
    "POST /otlp/v1/logs",
    "GET /loki/api/v1/query",
    "GET /loki/api/v1/query_range",
    "GET /loki/api/v1/labels",
    "GET /loki/api/v1/label/<name>/values",
    "GET /loki/api/v1/series",
    "GET /loki/api/v1/index/stats",
    "GET /loki/api/v1/index/volume",
    "GET /loki/api/v1/index/volume_range",
    "GET /loki/api/v1/patterns",
    "GET /loki/api/v1/tail",
    "GET /ready",
    "GET /log_level",
    "GET /metrics",
    "GET /config",
    "GET /services",
    "GET /loki/api/v1/status/buildinfo",
    "GET /distributor/ring",
    "GET /indexgateway/ring",
    "GET /ruler/ring",
    "GET /compactor/ring",
    "POST /flush",
    "POST /flush/tenant",
    "POST /ingester/prepare_shutdown",
    "POST /ingester/shutdown",
    "PUT /sync-indexes",
    "GET /sync-indexes",
    "GET /loki/api/v1/rules",
    "GET /loki/api/v1/rules/{namespace}",
    "GET /loki/api/v1/rules/{namespace}/{groupName}",
    "POST /loki/api/v1/rules/{namespace}",
    "DELETE /loki/api/v1/rules/{namespace}/{groupName}",
    "DELETE /loki/api/v1/rules/{namespace}",
    "GET /api/prom/rules",
    "GET /api/prom/rules/{namespace}",
    "GET /api/prom/rules/{namespace}/{groupName}",
    "POST /api/prom/rules/{namespace}",
    "DELETE /api/prom/rules/{namespace}/{groupName}",
    "DELETE /api/prom/rules/{namespace}",
    "GET /prometheus/api/v1/rules",
    "GET /prometheus/api/v1/alerts",
    "POST /loki/api/v1/delete",
    "GET /loki/api/v1/delete",
    "DELETE /loki/api/v1/delete",
    "GET /loki/api/v1/format_query",
    "POST /api/prom/push",
    "GET /api/prom/tail",
    "GET /api/prom/query",
    "GET /api/prom/label",
    "GET /api/prom/label/<name>/values",
    "GET /api/prom/series",
};

struct Row {
  std::string method, path, status;
};

std::vector<Row> ReadTable() {
  std::ifstream f(LODE_SOURCE_DIR "/README.md");
  std::string line;
  std::vector<Row> rows;
  bool in = false;
  while (std::getline(f, line)) {
    if (line == "<!-- api-table:begin -->") in = true;
    if (line == "<!-- api-table:end -->") break;
    if (!in || line.rfind("| `", 0) != 0) continue;
    const size_t end = line.find('`', 3);
    const std::string endpoint = line.substr(3, end - 3);
    const size_t sp = endpoint.find(' ');
    const size_t cell = line.find("| ", end);
    std::string status = line.substr(cell + 2);
    status = status.substr(0, status.rfind(" |"));
    rows.push_back({endpoint.substr(0, sp), endpoint.substr(sp + 1), status});
  }
  return rows;
}

std::string Concrete(std::string path) {
  for (const auto& [from, to] : std::vector<std::pair<std::string, std::string>>{
           {"<name>", "app"}, {"{namespace}", "ns"}, {"{groupName}", "group"}}) {
    for (size_t at; (at = path.find(from)) != std::string::npos;) path.replace(at, from.size(), to);
  }
  return path;
}

TEST(ApiTableTest, ReadmeTableListsLokisReferenceAndEveryProvidedEndpointAnswers) {
  const std::vector<Row> rows = ReadTable();
  std::set<std::string> listed, reference(std::begin(kLokiReference), std::end(kLokiReference));
  for (const Row& r : rows) {
    EXPECT_TRUE(listed.insert(r.method + " " + r.path).second) << "listed twice: " << r.path;
    const bool known = r.status.rfind("same as Loki", 0) == 0 ||
                       r.status.rfind("differs: ", 0) == 0 ||
                       r.status.rfind("not provided: ", 0) == 0;
    EXPECT_TRUE(known) << r.method << " " << r.path << ": " << r.status;
  }
  EXPECT_EQ(listed, reference) << "README.md's API table and Loki's reference drifted apart";

  // The ruler's endpoints are served when the ruler is on: a rules directory
  // whose namespace "ns" holds a group "group" before each ruler request.
  const std::string rules =
      std::filesystem::temp_directory_path() / ("lode-api-table-" + std::to_string(getpid()));
  std::filesystem::create_directories(rules + "/dir/fake");
  const std::string config = rules + "/lode.yaml";
  {
    std::ofstream f(config);
    f << "ruler:\n  storage:\n    type: local\n    local:\n      directory: " << rules
      << "/dir\n  rule_path: " << rules << "/scratch\n";
  }
  auto write_group = [&] {
    std::ofstream f(rules + "/dir/fake/ns.yaml");
    f << "groups:\n  - name: group\n    rules:\n      - record: x:count1m\n        expr: "
         "sum(count_over_time({app=\"table\"}[1m]))\n";
  };
  write_group();
  LodeProcess lode({"--config", config});
  ASSERT_TRUE(lode.Ready());
  size_t provided = 0;
  for (const Row& r : rows) {
    std::string target = Concrete(r.path) + "?query=" + Q(R"({app="table"})");
    if (r.method == "DELETE" && r.path == "/loki/api/v1/delete") {
      // Cancelling needs an existing request: create one, take its id.
      auto created =
          lode.Post("/loki/api/v1/delete?query=" + Q(R"({app="table"})") + "&start=1700000000", "");
      ASSERT_LT(created.status, 300) << created.body;
      auto list = nlohmann::json::parse(lode.Get("/loki/api/v1/delete").body);
      ASSERT_FALSE(list.empty());
      target += "&request_id=" + list[0]["request_id"].get<std::string>();
    }
    if (r.path.find("rules") != std::string::npos) write_group();
    HttpResult res = HttpRequest(lode.port(), r.method, target, "", {});
    if (r.status.rfind("not provided", 0) == 0) {
      EXPECT_EQ(res.status, 404) << r.method << " " << target << " is provided: update README.md";
      EXPECT_EQ(res.body, "404 page not found\n") << r.method << " " << target;
      continue;
    }
    ++provided;
    EXPECT_NE(res.status, 0) << r.method << " " << target;
    EXPECT_NE(res.status, 404) << r.method << " " << target << ": " << res.body;
    EXPECT_LT(res.status, 500) << r.method << " " << target << ": " << res.body;
  }
  EXPECT_GE(provided, 42u) << "fewer provided endpoints than when the table was written";
  std::filesystem::remove_all(rules);
}

}  // namespace
}  // namespace lode::testing
