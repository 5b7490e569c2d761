// End-to-end retention and deletion: the real binary with a clock moved
// forward by testing.now_offset (no sleeping for days), the compaction
// trigger, disk usage, and Loki's deletion API.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>

#include "tests/e2e/lode_process.h"

namespace lode::testing {
namespace {

using json = nlohmann::json;

constexpr int64_t kSec = 1000000000LL;
constexpr int64_t kHour = 3600 * kSec;
constexpr int64_t kDay = 24 * kHour;

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// A temporary directory holding the config file and the data dir.
struct TempDir {
  std::string path;
  TempDir() {
    char tmpl[] = "/tmp/lode-e2e-ret-XXXXXX";
    path = mkdtemp(tmpl);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
  std::string Write(const std::string& name, const std::string& text) const {
    std::ofstream(path + "/" + name) << text;
    return path + "/" + name;
  }
  uint64_t Bytes(const std::string& sub) const {
    uint64_t n = 0;
    for (const auto& e : std::filesystem::recursive_directory_iterator(path + "/" + sub))
      if (e.is_regular_file()) n += e.file_size();
    return n;
  }
};

const char* kBaseConfig = R"(
limits_config:
  reject_old_samples: false
  retention_period: 7d
  retention_stream:
    - selector: '{env="dev"}'
      priority: 1
      period: 2d
compactor:
  compaction_interval: 0s
  delete_request_cancel_period: 0s
)";

const std::map<std::string, std::string> kProto = {{"Content-Type", "application/x-protobuf"}};

std::string RangeQuery(const std::string& q, int64_t start, int64_t end) {
  return "/loki/api/v1/query_range?direction=forward&limit=5000&query=" + Q(q) +
         "&start=" + std::to_string(start) + "&end=" + std::to_string(end);
}

// Entries per stream of a query_range answer, keyed by the stream's env label.
std::map<std::string, size_t> CountByEnv(const HttpResult& r) {
  std::map<std::string, size_t> out;
  auto j = json::parse(r.body);
  for (auto& s : j["data"]["result"])
    out[s["stream"]["env"].get<std::string>()] += s["values"].size();
  return out;
}

TEST(RetentionE2ETest, ExpiredDataDisappearsAtOnceAndCompactionFreesDisk) {
  TempDir dir;
  std::string cfg = dir.Write("lode.yaml", kBaseConfig);
  int64_t now = NowNs();
  {
    LodeProcess lode({"--config", cfg}, dir.path);
    ASSERT_TRUE(lode.Ready());
    // ~4 MB of incompressible lines six days old, a little dev data a day old
    // and some recent prod data.
    std::mt19937_64 rng(7);
    for (int push = 0; push < 4; ++push) {
      std::vector<PushEntry> es;
      for (int i = 0; i < 1000; ++i) {
        std::string line(1000, ' ');
        for (auto& c : line) c = static_cast<char>('!' + rng() % 90);
        es.push_back({now - 6 * kDay + (push * 1000 + i) * kSec, line, {}});
      }
      auto r =
          lode.Post("/loki/api/v1/push", EncodePush({{R"({app="web", env="prod"})", es}}), kProto);
      ASSERT_EQ(r.status, 204) << r.body;
    }
    auto r =
        lode.Post("/loki/api/v1/push",
                  EncodePush({{R"({app="web", env="dev"})", {{now - kDay, "dev line", {}}}},
                              {R"({app="web", env="prod"})", {{now - kHour, "recent prod", {}}}}}),
                  kProto);
    ASSERT_EQ(r.status, 204) << r.body;
    ASSERT_EQ(lode.Post("/flush", "").status, 204);
    auto counts = CountByEnv(lode.Get(RangeQuery(R"({app="web"})", now - 7 * kDay, now)));
    EXPECT_EQ(counts["prod"], 4001u);
    EXPECT_EQ(counts["dev"], 1u);
  }
  uint64_t before = dir.Bytes("db");
  // Two days later (for the server): the six-day-old prod data is eight days
  // old, past the 7d retention; the dev data is past its 2d stream rule.
  std::string cfg2 =
      dir.Write("lode2.yaml", std::string(kBaseConfig) + "testing:\n  now_offset: 2d\n");
  LodeProcess lode({"--config", cfg2}, dir.path);
  ASSERT_TRUE(lode.Ready());
  auto range = RangeQuery(R"({app="web"})", now - 7 * kDay, now + 2 * kDay);
  auto counts = CountByEnv(lode.Get(range));
  EXPECT_EQ(counts["prod"], 1u) << "expired entries must be hidden before compaction";
  EXPECT_EQ(counts.count("dev"), 0u);
  auto r = lode.Get("/loki/api/v1/series?match[]=" + Q(R"({env="dev"})") + "&start=" +
                    std::to_string(now - 7 * kDay) + "&end=" + std::to_string(now + 2 * kDay));
  EXPECT_EQ(json::parse(r.body)["data"], json::array()) << r.body;
  // Pushing data that is already past retention is refused, with Loki's message.
  r = lode.Post("/loki/api/v1/push",
                EncodePush({{R"({app="web", env="prod"})", {{now - 6 * kDay, "late", {}}}}}),
                kProto);
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("has timestamp too old"), std::string::npos) << r.body;

  r = lode.Post("/compactor/run", "");
  ASSERT_EQ(r.status, 200) << r.body;
  auto rep = json::parse(r.body);
  EXPECT_GE(rep["chunks_deleted"].get<int>(), 2) << r.body;
  EXPECT_LT(rep["disk_bytes_after"].get<uint64_t>(), rep["disk_bytes_before"].get<uint64_t>() / 4)
      << r.body;
  uint64_t after = dir.Bytes("db");
  EXPECT_LT(after, before / 2) << before << " -> " << after;
  counts = CountByEnv(lode.Get(range));
  EXPECT_EQ(counts["prod"], 1u);
  EXPECT_EQ(counts.count("dev"), 0u);
  r = lode.Get("/metrics");
  EXPECT_NE(r.body.find("lode_retention_chunks_deleted_total"), std::string::npos);
  EXPECT_NE(r.body.find("lode_rocksdb_live_blob_bytes{cf=\"chunks\"}"), std::string::npos);
  fprintf(stderr, "[retention e2e] data dir %llu -> %llu bytes; store %s -> %s\n",
          static_cast<unsigned long long>(before), static_cast<unsigned long long>(after),
          rep["disk_bytes_before"].dump().c_str(), rep["disk_bytes_after"].dump().c_str());
}

TEST(DeleteApiE2ETest, AddListApplyCancelAndValidation) {
  TempDir dir;
  std::string cfg = dir.Write("lode.yaml", kBaseConfig);
  LodeProcess lode({"--config", cfg}, dir.path);
  ASSERT_TRUE(lode.Ready());
  int64_t now = NowNs();
  int64_t t = (now - kHour) / kSec * kSec;  // whole seconds, so that start/end can name them
  auto r = lode.Post(
      "/loki/api/v1/push",
      EncodePush({{R"({app="d", env="prod"})",
                   {{t, "keep 1", {}},
                    {t + kSec, "secret token=42", {}},
                    {t + 2 * kSec, "keep 2", {}},
                    {t + 3 * kSec, "secret again", {}}}},
                  {R"({app="other", env="prod"})", {{t + kSec, "secret elsewhere", {}}}}}),
      kProto);
  ASSERT_EQ(r.status, 204) << r.body;
  auto lines = [&](const std::string& sel) {
    std::vector<std::string> out;
    auto j = json::parse(lode.Get(RangeQuery(sel, t - kSec, now)).body);
    for (auto& s : j["data"]["result"])
      for (auto& v : s["values"]) out.push_back(v[1]);
    return out;
  };
  std::string start = std::to_string(t / kSec), end = std::to_string(t / kSec + 2);
  // Validation, with Loki's messages.
  EXPECT_EQ(lode.Post("/loki/api/v1/delete?start=" + start, "").body, "query not set\n");
  r = lode.Post("/loki/api/v1/delete?query=" + Q("{app=") + "&start=" + start, "");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body.rfind("invalid query expression: ", 0), 0u) << r.body;
  r = lode.Post(
      "/loki/api/v1/delete?query=" + Q(R"(count_over_time({app="d"}[1m]))") + "&start=" + start,
      "");
  EXPECT_EQ(r.body, "invalid query expression: only log selector is supported\n");
  EXPECT_EQ(lode.Post("/loki/api/v1/delete?query=" + Q(R"({app="d"})"), "").body,
            "start time not set\n");
  EXPECT_EQ(lode.Post("/loki/api/v1/delete?query=" + Q(R"({app="d"})") + "&start=12345", "").body,
            "invalid start time: require unix seconds or RFC3339 format\n");
  EXPECT_EQ(lode.Post("/loki/api/v1/delete?query=" + Q(R"({app="d"})") + "&start=" + start +
                          "&end=" + std::to_string(now / kSec + 3600),
                      "")
                .body,
            "deletes in the future are not allowed\n");
  EXPECT_EQ(lode.Post("/loki/api/v1/delete?query=" + Q(R"({app="d"})") + "&start=" + end +
                          "&end=" + start,
                      "")
                .body,
            "start time can't be greater than end time\n");
  EXPECT_EQ(lode.Post("/loki/api/v1/delete?query=" + Q(R"({app="d"} |= "x")") + "&start=" + start +
                          "&end=" + start,
                      "")
                .body,
            "difference between start time and end time must be at least one second\n");

  // A delete with a line filter over [t, t+2s]: hidden from queries at once.
  r = lode.Post("/loki/api/v1/delete?query=" + Q(R"({app="d"} |= "secret")") + "&start=" + start +
                    "&end=" + end,
                "");
  ASSERT_EQ(r.status, 204) << r.body;
  EXPECT_EQ(lines(R"({app="d"})"), (std::vector<std::string>{"keep 1", "keep 2", "secret again"}));
  EXPECT_EQ(lines(R"({app="other"})"), std::vector<std::string>{"secret elsewhere"});
  r = lode.Get("/loki/api/v1/delete");
  ASSERT_EQ(r.status, 200) << r.body;
  auto list = json::parse(r.body);
  ASSERT_EQ(list.size(), 1u) << r.body;
  EXPECT_EQ(list[0]["query"], R"({app="d"} |= "secret")");
  EXPECT_EQ(list[0]["status"], "received");
  EXPECT_EQ(list[0]["start_time"], t / kSec);
  EXPECT_EQ(list[0]["end_time"], t / kSec + 2);
  EXPECT_TRUE(list[0]["created_at"].is_number());
  std::string id = list[0]["request_id"];

  // A second request, cancelled: its entries come back.
  r = lode.Post("/loki/api/v1/delete?query=" + Q(R"({app="other"})") + "&start=" + start, "");
  ASSERT_EQ(r.status, 204) << r.body;
  EXPECT_TRUE(lines(R"({app="other"})").empty());
  list = json::parse(lode.Get("/loki/api/v1/delete").body);
  ASSERT_EQ(list.size(), 2u);
  std::string other_id =
      list[0]["request_id"] == id ? list[1]["request_id"] : list[0]["request_id"];
  EXPECT_EQ(HttpRequest(lode.port(), "DELETE", "/loki/api/v1/delete?request_id=" + other_id).status,
            204);
  EXPECT_EQ(lines(R"({app="other"})"), std::vector<std::string>{"secret elsewhere"});
  r = HttpRequest(lode.port(), "DELETE", "/loki/api/v1/delete?request_id=nope");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.body, "could not find delete request with given id\n");

  // Compaction applies it to the data and marks it processed.
  r = lode.Post("/compactor/run", "");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(json::parse(r.body)["delete_requests_processed"], 1) << r.body;
  EXPECT_EQ(json::parse(r.body)["entries_deleted"], 1) << r.body;
  list = json::parse(lode.Get("/loki/api/v1/delete").body);
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0]["status"], "processed");
  EXPECT_EQ(lines(R"({app="d"})"), (std::vector<std::string>{"keep 1", "keep 2", "secret again"}));
  r = HttpRequest(lode.port(), "DELETE", "/loki/api/v1/delete?request_id=" + id);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body,
            "deletion of request which is in process or already processed is not allowed\n");
  // Survives a restart.
  lode.Stop();
  ASSERT_TRUE(lode.Start());
  EXPECT_EQ(json::parse(lode.Get("/loki/api/v1/delete").body).size(), 1u);
  EXPECT_EQ(lines(R"({app="d"})"), (std::vector<std::string>{"keep 1", "keep 2", "secret again"}));
}

}  // namespace
}  // namespace lode::testing
