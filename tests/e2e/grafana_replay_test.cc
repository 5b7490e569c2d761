// End-to-end: live tail over a real WebSocket, and a replay of the requests
// Grafana (Loki datasource, Explore, label browser, Logs Drilldown) sends,
// each response checked against what Grafana's parsers read.
#include <gtest/gtest.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <chrono>
#include <ctime>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "tests/e2e/lode_process.h"

namespace lode::testing {
namespace {

namespace beast = boost::beast;
namespace asio = boost::asio;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using json = nlohmann::json;
constexpr int64_t kSec = 1000000000LL;

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string Range(int64_t start, int64_t end) {
  return "&start=" + std::to_string(start) + "&end=" + std::to_string(end);
}

// RFC3339 with milliseconds, as the Drilldown app sends (`toISOString()`).
std::string Iso(int64_t ns) {
  time_t secs = static_cast<time_t>(ns / kSec);
  struct tm tm {};
  gmtime_r(&secs, &tm);
  char buf[64];
  snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
           tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
           static_cast<int>(ns % kSec / 1000000));
  return buf;
}

// A blocking WebSocket client with read timeouts.
class WsClient {
 public:
  bool Connect(int port, const std::string& target, std::string* err) {
    try {
      beast::get_lowest_layer(ws_).connect(
          tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
      ws_.handshake("127.0.0.1", target);
      return true;
    } catch (const std::exception& e) {
      *err = e.what();
      return false;
    }
  }

  // One text message within timeout_ms; false on timeout or close.
  bool Read(std::string* msg, int timeout_ms) {
    beast::flat_buffer buf;
    bool done = false;
    beast::error_code ec;
    ws_.async_read(buf, [&](beast::error_code e, size_t) {
      ec = e;
      done = true;
    });
    ioc_.restart();
    ioc_.run_for(std::chrono::milliseconds(timeout_ms));
    if (!done) {
      beast::get_lowest_layer(ws_).cancel();
      ioc_.restart();
      ioc_.run();
      return false;
    }
    if (ec) return false;
    *msg = beast::buffers_to_string(buf.data());
    return true;
  }

  void Close() {
    beast::error_code ec;
    ws_.close(websocket::close_code::normal, ec);
  }

 private:
  asio::io_context ioc_;
  websocket::stream<beast::tcp_stream> ws_{ioc_};
};

// Every value of a tail frame, checked for Loki's shape.
std::vector<std::string> FrameLines(const json& frame) {
  std::vector<std::string> lines;
  EXPECT_TRUE(frame["streams"].is_array()) << frame;
  for (const auto& s : frame["streams"]) {
    EXPECT_TRUE(s["stream"].is_object());
    for (const auto& v : s["values"]) {
      const std::string ts = v[0].get<std::string>();
      EXPECT_EQ(ts.size(), 19u) << ts;
      lines.push_back(v[1].get<std::string>());
    }
  }
  return lines;
}

std::string PushProto(LodeProcess& lode, const std::string& labels,
                      std::vector<PushEntry> entries) {
  auto r = lode.Post("/loki/api/v1/push", EncodePush({{labels, std::move(entries)}}),
                     {{"Content-Type", "application/x-protobuf"}});
  return r.status == 204 ? "" : r.body;
}

TEST(GrafanaApiTailTest, InitialEntriesThenNewOnesWithinTwoSeconds) {
  LodeProcess lode;
  ASSERT_TRUE(lode.Ready());
  int64_t now = NowNs();
  ASSERT_EQ(PushProto(lode, R"({app="tail"})",
                      {{now - 30 * kSec, "old line", {}}, {now - 20 * kSec, "recent line", {}}}),
            "");
  WsClient ws;
  std::string err;
  ASSERT_TRUE(ws.Connect(lode.port(),
                         "/loki/api/v1/tail?query=" + Q(R"({app="tail"})") +
                             "&limit=1&start=" + std::to_string(now - 60 * kSec),
                         &err))
      << err;
  std::string msg;
  ASSERT_TRUE(ws.Read(&msg, 2000)) << "no initial frame";
  json frame = json::parse(msg);
  EXPECT_EQ(FrameLines(frame), (std::vector<std::string>{"recent line"}))
      << "limit=1 keeps the newest";
  EXPECT_EQ(frame["streams"][0]["stream"], (json{{"app", "tail"}}));
  EXPECT_FALSE(frame.contains("dropped_entries"));

  auto t_push = std::chrono::steady_clock::now();
  ASSERT_EQ(
      PushProto(lode, R"({app="tail"})", {{NowNs(), "live 1", {}}, {NowNs() + 1, "live 2", {}}}),
      "");
  std::vector<std::string> got;
  while (got.size() < 2 && ws.Read(&msg, 2000)) {
    for (auto& l : FrameLines(json::parse(msg))) got.push_back(l);
  }
  auto elapsed = std::chrono::steady_clock::now() - t_push;
  EXPECT_EQ(got, (std::vector<std::string>{"live 1", "live 2"}));
  EXPECT_LT(elapsed, std::chrono::seconds(2));
  // Another stream and a filtered-out line are not sent; nothing is sent twice.
  ASSERT_EQ(PushProto(lode, R"({app="other"})", {{NowNs(), "not mine", {}}}), "");
  EXPECT_FALSE(ws.Read(&msg, 1200)) << msg;
  ws.Close();
  EXPECT_EQ(lode.Get("/ready").status, 200);
}

TEST(GrafanaApiTailTest, PipelineFiltersAndBadRequestsAreRejectedBeforeUpgrade) {
  LodeProcess lode;
  ASSERT_TRUE(lode.Ready());
  WsClient ws;
  std::string err;
  ASSERT_TRUE(ws.Connect(lode.port(),
                         "/loki/api/v1/tail?query=" + Q(R"({app="f"} |= "keep" | logfmt)"), &err))
      << err;
  std::string msg;
  std::this_thread::sleep_for(std::chrono::milliseconds(600));  // no history: no initial frame
  ASSERT_EQ(
      PushProto(lode, R"({app="f"})", {{NowNs(), "drop me", {}}, {NowNs() + 1, "keep x=1", {}}}),
      "");
  ASSERT_TRUE(ws.Read(&msg, 2000));
  json frame = json::parse(msg);
  EXPECT_EQ(FrameLines(frame), (std::vector<std::string>{"keep x=1"}));
  EXPECT_EQ(frame["streams"][0]["stream"], (json{{"app", "f"}, {"x", "1"}}));
  ws.Close();

  std::map<std::string, std::string> upgrade = {{"Connection", "Upgrade"},
                                                {"Upgrade", "websocket"},
                                                {"Sec-WebSocket-Version", "13"},
                                                {"Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="}};
  auto r = lode.Get("/loki/api/v1/tail?query=" + Q(R"({app="f")"), upgrade);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body.rfind("parse error", 0), 0u) << r.body;
  r = lode.Get("/loki/api/v1/tail?query=" + Q(R"({app="f"})") + "&delay_for=6", upgrade);
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("delay_for can't be greater than 5"), std::string::npos) << r.body;
  r = lode.Get("/loki/api/v1/tail?query=" + Q(R"(rate({app="f"}[1m]))"), upgrade);
  EXPECT_EQ(r.status, 400);
  r = lode.Get("/loki/api/v1/tail?query=" + Q(R"({app="f"})"));
  EXPECT_EQ(r.status, 400) << "not a websocket request";
  WsClient bad;
  EXPECT_FALSE(bad.Connect(lode.port(), "/loki/api/v1/tail?query=%7B", &err));
}

// A client that stops reading: ingest goes on unhindered, the session skips
// ahead and reports what it skipped in dropped_entries; nothing is sent twice.
TEST(GrafanaApiTailTest, SlowConsumerGetsDroppedEntriesWithoutBlockingIngest) {
  LodeProcess lode;
  ASSERT_TRUE(lode.Ready());
  WsClient ws;
  std::string err;
  ASSERT_TRUE(ws.Connect(lode.port(), "/loki/api/v1/tail?query=" + Q(R"({app="slow"})"), &err))
      << err;
  const std::string pad(200, 'x');
  const int kPushes = 24, kPerPush = 5000;
  std::chrono::steady_clock::duration slowest_push{};
  for (int p = 0; p < kPushes; ++p) {
    std::vector<PushEntry> es;
    int64_t now = NowNs();
    for (int i = 0; i < kPerPush; ++i)
      es.push_back({now + i, std::to_string(p * kPerPush + i) + " " + pad, {}});
    auto t0 = std::chrono::steady_clock::now();
    ASSERT_EQ(PushProto(lode, R"({app="slow"})", std::move(es)), "");
    slowest_push = std::max(slowest_push, std::chrono::steady_clock::now() - t0);
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  // 24 MB pushed while nobody reads: no push waited on the tail.
  EXPECT_LT(slowest_push, std::chrono::seconds(1));
  std::this_thread::sleep_for(std::chrono::seconds(3));
  std::set<std::string> lines;
  size_t got = 0, dropped = 0;
  std::string msg;
  while (ws.Read(&msg, 3000)) {
    json frame = json::parse(msg);
    for (auto& l : FrameLines(frame)) {
      lines.insert(l);
      ++got;
    }
    if (frame.contains("dropped_entries")) {
      for (auto& d : frame["dropped_entries"]) {
        EXPECT_EQ(d["labels"], (json{{"app", "slow"}}));
        EXPECT_EQ(d["timestamp"].get<std::string>().size(), 19u);
        ++dropped;
      }
    }
  }
  EXPECT_EQ(lines.size(), got) << "an entry was sent twice";
  EXPECT_GT(got, 0u);
  EXPECT_GT(dropped, 0u);
  EXPECT_LE(got + dropped, static_cast<size_t>(kPushes * kPerPush));
  EXPECT_EQ(lode.Get("/ready").status, 200);
}

// The requests Grafana sends, in the order a user triggers them.
TEST(GrafanaApiReplayTest, GrafanaSequence) {
  LodeProcess lode;
  ASSERT_TRUE(lode.Ready());
  int64_t t0 = (NowNs() / kSec - 300) * kSec;
  std::vector<PushEntry> es;
  for (int i = 0; i < 30; ++i) {
    es.push_back({t0 + i * kSec,
                  std::string("level=") + (i % 3 ? "info" : "error") + " msg=\"request " +
                      std::to_string(i) + "\" duration=" + std::to_string(i) + "ms",
                  {{"trace_id", "abc" + std::to_string(i)}}});
  }
  ASSERT_EQ(PushProto(lode, R"({app="x", level="info", service_name="x"})", es), "");
  const std::string range = Range(t0 - 60 * kSec, t0 + 60 * kSec);
  const std::map<std::string, std::string> grafana_headers = {
      {"X-Query-Tags", "Source=grafana-lokiexplore-app"},
      {"X-Grafana-Org-Id", "1"},
      {"Accept-Encoding", "gzip"}};

  // 1. Save & test: exactly one sample with value "2".
  auto r =
      lode.Get("/loki/api/v1/query?direction=backward&query=vector(1)%2Bvector(1)&time=4000000000");
  ASSERT_EQ(r.status, 200) << r.body;
  json j = json::parse(r.body);
  ASSERT_EQ(j["data"]["resultType"], "vector");
  ASSERT_EQ(j["data"]["result"].size(), 1u);
  EXPECT_EQ(j["data"]["result"][0]["value"][1], "2");
  EXPECT_EQ(j["data"]["result"][0]["value"][0], 4000000000LL);

  // 2. Explore log query with categorize-labels: stream labels only, metadata in the third element.
  r = lode.Get(
      "/loki/api/v1/query_range?direction=backward&limit=1000&query=" + Q(R"({app="x"})") + range,
      {{"X-Loki-Response-Encoding-Flags", "categorize-labels"}});
  ASSERT_EQ(r.status, 200) << r.body;
  j = json::parse(r.body);
  EXPECT_EQ(j["data"]["encodingFlags"], json::array({"categorize-labels"}));
  ASSERT_EQ(j["data"]["result"].size(), 1u);
  EXPECT_EQ(j["data"]["result"][0]["stream"],
            (json{{"app", "x"}, {"level", "info"}, {"service_name", "x"}}));
  ASSERT_EQ(j["data"]["result"][0]["values"].size(), 30u);
  EXPECT_EQ(j["data"]["result"][0]["values"][0][2]["structuredMetadata"]["trace_id"], "abc29");
  EXPECT_TRUE(j["data"]["stats"]["summary"].contains("execTime"));

  // 3. Logs volume histogram.
  r = lode.Get(
      "/loki/api/v1/query_range?step=60&query=" +
      Q(R"(sum by (level, detected_level) (count_over_time({app="x"} | drop __error__[1m])))") +
      range);
  ASSERT_EQ(r.status, 200) << r.body;
  j = json::parse(r.body);
  EXPECT_EQ(j["data"]["resultType"], "matrix");
  ASSERT_GE(j["data"]["result"].size(), 1u);
  double total = 0;
  for (auto& s : j["data"]["result"]) {
    EXPECT_TRUE(s["metric"].contains("level"));
    for (auto& v : s["values"]) total += std::stod(v[1].get<std::string>());
  }
  EXPECT_GE(total, 30);

  // 4. Label browser.
  j = json::parse(lode.Get("/loki/api/v1/labels?" + range.substr(1)).body);
  EXPECT_EQ(j["data"], (json{"app", "level", "service_name"}));
  j = json::parse(lode.Get("/loki/api/v1/label/app/values?" + range.substr(1)).body);
  EXPECT_EQ(j["data"], json::array({"x"}));
  j = json::parse(lode.Get("/loki/api/v1/series?match[]=" + Q(R"({app="x"})") + range).body);
  EXPECT_EQ(j["data"].size(), 1u);

  // 5. Query size estimate.
  r = lode.Get("/loki/api/v1/index/stats?query=" + Q(R"({app="x"})") + range, grafana_headers);
  ASSERT_EQ(r.status, 200) << r.body;
  j = json::parse(r.body);
  EXPECT_EQ(j["entries"], 30);
  EXPECT_EQ(j["streams"], 1);

  // 6. Logs Drilldown: ISO timestamps, interval steps.
  const std::string iso = "&start=" + Iso(t0 - 3600 * kSec) + "&end=" + Iso(t0 + 3600 * kSec);
  j = json::parse(lode.Get("/loki/api/v1/drilldown-limits", grafana_headers).body);
  EXPECT_TRUE(j["limits"].is_object());
  r = lode.Get("/loki/api/v1/index/volume?limit=5000&query=" + Q(R"({service_name=~".+"})") + iso,
               grafana_headers);
  ASSERT_EQ(r.status, 200) << r.body;
  j = json::parse(r.body);
  ASSERT_EQ(j["data"]["result"].size(), 1u);
  EXPECT_EQ(j["data"]["result"][0]["metric"]["service_name"], "x");
  EXPECT_GT(std::stoll(j["data"]["result"][0]["value"][1].get<std::string>()), 0);
  r = lode.Get(
      "/loki/api/v1/index/volume_range?step=60&targetLabels=level&aggregateBy=series&query=" +
          Q(R"({service_name="x"})") + range,
      grafana_headers);
  ASSERT_EQ(r.status, 200) << r.body;
  j = json::parse(r.body);
  EXPECT_EQ(j["data"]["result"][0]["metric"], (json{{"level", "info"}}));
  j = json::parse(
      lode.Get("/loki/api/v1/detected_labels?query=" + Q(R"({service_name="x"})") + iso).body);
  EXPECT_EQ(j["detectedLabels"].size(), 3u);
  j = json::parse(
      lode.Get("/loki/api/v1/detected_fields?query=" + Q(R"({service_name="x"})") + iso).body);
  std::set<std::string> fields;
  for (auto& f : j["fields"]) {
    fields.insert(f["label"]);
    EXPECT_TRUE(f["type"].is_string() && f["cardinality"].is_number());
  }
  EXPECT_EQ(fields, (std::set<std::string>{"detected_level", "duration", "level_extracted", "msg",
                                           "trace_id"}));
  j = json::parse(lode.Get("/loki/api/v1/detected_field/level_extracted/values?query=" +
                           Q(R"({service_name="x"})") + iso)
                      .body);
  EXPECT_EQ(j["values"], json::array({"error", "info"}));
  r = lode.Get("/loki/api/v1/patterns?step=1m&query=" + Q(R"({service_name="x"})") + iso,
               grafana_headers);
  ASSERT_EQ(r.status, 200) << r.body;
  j = json::parse(r.body);
  std::set<std::string> patterns;
  for (auto& p : j["data"]) {
    patterns.insert(p["pattern"]);
    for (auto& s : p["samples"]) EXPECT_TRUE(s[0].is_number() && s[1].is_number());
  }
  EXPECT_EQ(patterns, (std::set<std::string>{"level=<_> msg=\"request <_>\" duration=<_>"}));

  // 7. Live tail.
  WsClient ws;
  std::string err;
  ASSERT_TRUE(ws.Connect(lode.port(),
                         "/loki/api/v1/tail?limit=10&query=" + Q(R"({app="x"})") +
                             "&start=" + std::to_string(t0 - kSec),
                         &err))
      << err;
  std::string msg;
  ASSERT_TRUE(ws.Read(&msg, 2000));
  EXPECT_EQ(FrameLines(json::parse(msg)).size(), 10u);
  ASSERT_EQ(PushProto(lode, R"({app="x", level="info", service_name="x"})",
                      {{NowNs(), "level=info msg=tail", {}}}),
            "");
  ASSERT_TRUE(ws.Read(&msg, 2000));
  EXPECT_EQ(FrameLines(json::parse(msg)), (std::vector<std::string>{"level=info msg=tail"}));
  ws.Close();
}

// index/stats must answer interactively (Grafana calls it on every keystroke).
TEST(GrafanaApiPerfTest, IndexStatsOn100kLines) {
  LodeProcess lode;
  ASSERT_TRUE(lode.Ready());
  int64_t t0 = (NowNs() / kSec - 3000) * kSec;
  const int kStreams = 10, kPerStream = 10000;
  for (int s = 0; s < kStreams; ++s) {
    std::vector<PushEntry> es;
    for (int i = 0; i < kPerStream; ++i) {
      es.push_back({t0 + i * 200000000LL + s,
                    "level=info msg=\"handled request\" path=/api/v1/items/" + std::to_string(i) +
                        " status=200 duration=" + std::to_string(i % 97) +
                        "ms bytes=" + std::to_string(i * 13 % 5000),
                    {}});
    }
    ASSERT_EQ(PushProto(lode, "{app=\"perf\", pod=\"p" + std::to_string(s) + "\"}", es), "");
  }
  const std::string target =
      "/loki/api/v1/index/stats?query=" + Q(R"({app="perf"})") + Range(t0, t0 + 3000 * kSec);
  for (bool flushed : {false, true}) {
    if (flushed) {
      ASSERT_EQ(lode.Post("/flush", "").status, 204);
    }
    lode.Get(target);
    auto start = std::chrono::steady_clock::now();
    auto r = lode.Get(target);
    double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(json::parse(r.body)["entries"], kStreams * kPerStream);
    std::printf("[ perf     ] index/stats over %d lines (%s): %.1f ms\n", kStreams * kPerStream,
                flushed ? "chunks" : "head", ms);
    EXPECT_LT(ms, 2000);
  }
}

}  // namespace
}  // namespace lode::testing
