// Hostile input on the real binary: tenant IDs as Loki validates them, label
// values that try to inject into /metrics, request text that tries to forge
// lode's own log records, and admin endpoints behind the tenant header.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <thread>

#include "server/metrics.h"
#include "tests/e2e/lode_process.h"

namespace lode::testing {
namespace {

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// lode with auth_enabled and `extra` appended to its config.
class AuthLode {
 public:
  explicit AuthLode(const std::string& extra = "") {
    char tmpl[] = "/tmp/lode-hardening-XXXXXX";
    dir_ = mkdtemp(tmpl);
    std::ofstream(dir_ + "/lode.yaml") << "auth_enabled: true\n" << extra;
    lode_ = std::make_unique<LodeProcess>(std::vector<std::string>{"--config", dir_ + "/lode.yaml"},
                                          dir_);
  }
  ~AuthLode() {
    lode_.reset();
    std::filesystem::remove_all(dir_);
  }
  LodeProcess& operator*() { return *lode_; }
  LodeProcess* operator->() { return lode_.get(); }
  std::string Log() const {
    std::ifstream f(dir_ + "/lode.log");
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
  }

 private:
  std::string dir_;
  std::unique_ptr<LodeProcess> lode_;
};

TEST(HardeningTest, TenantIdsAreValidatedAsLokiDoesOnReadsAndWrites) {
  AuthLode lode;
  ASSERT_TRUE(lode->Ready());
  struct Bad {
    std::string id;
    std::string message;
  } bad[] = {
      {"x\"y", "tenant ID 'x\"y' contains unsupported character '\"'\n"},
      {"a,injected=yes", "tenant ID 'a,injected=yes' contains unsupported character ','\n"},
      {"a/../b", "tenant ID 'a/../b' contains unsupported character '/'\n"},
      {"a:b", "tenant ID 'a:b' contains unsupported character ':'\n"},
      {"a b", "tenant ID 'a b' contains unsupported character ' '\n"},
      {"a|b",
       "multiple org IDs present\n"},  // dskit's TenantID: several tenants where one is required
      {"caf\xc3\xa9", "tenant ID 'caf\xc3\xa9' contains unsupported character '\xc3\x83'\n"},
      {"bad\xff", "tenant ID 'bad\xff' contains unsupported character '\xc3\xbf'\n"},
      {std::string(151, 'a'), "tenant ID is too long: max 150 characters\n"},
      {".", "tenant ID is '.' or '..'\n"},
      {"..", "tenant ID is '.' or '..'\n"},
  };
  int64_t t = NowNs() - 1000000000LL;
  std::string push = EncodePush({{R"({app="a"})", {{t, "line", {}}}}});
  for (const auto& b : bad) {
    auto r = lode->Post("/loki/api/v1/push", push,
                        {{"Content-Type", "application/x-protobuf"}, {"X-Scope-OrgID", b.id}});
    EXPECT_EQ(r.status, 400) << b.id;
    EXPECT_EQ(r.body, b.message) << b.id;
    for (const char* path :
         {"/loki/api/v1/labels", "/loki/api/v1/query_range?query=%7Bapp%3D%22a%22%7D",
          "/loki/api/v1/index/stats?query=%7Bapp%3D%22a%22%7D"}) {
      auto g = lode->Get(path, {{"X-Scope-OrgID", b.id}});
      EXPECT_EQ(g.status, 400) << b.id << " " << path;
      EXPECT_EQ(g.body, b.message) << b.id << " " << path;
    }
  }
  // Every allowed character, at the maximum length.
  std::string good = "azAZ09!-_.*'()";
  good += std::string(150 - good.size(), 'x');
  auto r = lode->Post("/loki/api/v1/push", push,
                      {{"Content-Type", "application/x-protobuf"}, {"X-Scope-OrgID", good}});
  EXPECT_EQ(r.status, 204) << r.body;
  auto m = lode->Get("/metrics");
  EXPECT_NE(m.body.find("lode_distributor_lines_received_total{tenant=\"" + good + "\"} 1"),
            std::string::npos);
  EXPECT_EQ(m.body.find("injected"), std::string::npos);
}

TEST(HardeningTest, MetricsLabelValuesAreEscapedInTheExpositionFormat) {
  server::Metrics m;
  m.Add("c_total", {{"tenant", "a\",injected=\"yes"}, {"route", "x\\\ny_total 1e9"}}, 1);
  m.Observe("h_seconds", {{"route", "r\"}\nforged 1"}}, 0.5);
  std::string out = m.Render();
  EXPECT_NE(
      out.find("c_total{tenant=\"a\\\",injected=\\\"yes\",route=\"x\\\\\\ny_total 1e9\"} 1\n"),
      std::string::npos)
      << out;
  EXPECT_NE(out.find("h_seconds_count{route=\"r\\\"}\\nforged 1\"} 1\n"), std::string::npos) << out;
  // No line may start with a forged sample.
  std::istringstream lines(out);
  for (std::string line; std::getline(lines, line);) {
    EXPECT_TRUE(line.rfind("# ", 0) == 0 || line.rfind("c_total", 0) == 0 ||
                line.rfind("h_seconds", 0) == 0)
        << line;
  }
}

TEST(HardeningTest, RequestTextCannotForgeLodeLogRecords) {
  AuthLode lode;
  ASSERT_TRUE(lode->Ready());
  // A 400 whose message quotes the client's text is logged; the text holds
  // a newline, a carriage return and a fake record.
  std::string evil = "1\nlode: FORGED admin logged in\r\nlode: FORGED again";
  auto r = lode->Get("/loki/api/v1/query_range?query=" + Q("{app=\"a\"}") + "&limit=" + Q(evil),
                     {{"X-Scope-OrgID", "t"}});
  ASSERT_EQ(r.status, 400) << r.body;
  // A long message is cut, but its record still ends with its own newline.
  auto r2 = lode->Get(
      "/loki/api/v1/query_range?query=" + Q("{app=\"a\"}") + "&limit=" + std::string(5000, 'z'),
      {{"X-Scope-OrgID", "t"}});
  ASSERT_EQ(r2.status, 400);
  auto r3 = lode->Get("/loki/api/v1/labels");  // 401, logged after the long one
  ASSERT_EQ(r3.status, 401);
  std::string log = lode.Log();
  EXPECT_NE(log.find("1\\nlode: FORGED admin logged in\\r\\nlode: FORGED again"), std::string::npos)
      << log;
  std::istringstream lines(log);
  int records = 0;
  for (std::string line; std::getline(lines, line);) {
    ++records;
    EXPECT_EQ(line.rfind("lode: ", 0), 0u) << line;
    EXPECT_NE(line.rfind("lode: FORGED", 0), 0u) << line;
    EXPECT_EQ(line.find('\r'), std::string::npos) << line;
  }
  EXPECT_NE(log.find("\nlode: GET /loki/api/v1/labels -> 401: no org id\n"), std::string::npos)
      << log;
  EXPECT_GE(records, 4);
}

TEST(HardeningTest, AdminEndpointsNeedATenantWhenAuthIsEnabled) {
  AuthLode lode;
  ASSERT_TRUE(lode->Ready());
  for (const char* path : {"/flush", "/compactor/run"}) {
    auto r = lode->Post(path, "");
    EXPECT_EQ(r.status, 401) << path;
    EXPECT_EQ(r.body, "no org id\n") << path;
    auto bad = lode->Post(path, "", {{"X-Scope-OrgID", "a/b"}});
    EXPECT_EQ(bad.status, 400) << path;
    auto ok = lode->Post(path, "", {{"X-Scope-OrgID", "ops"}});
    EXPECT_LT(ok.status, 300) << path << ": " << ok.body;
  }
}

}  // namespace
}  // namespace lode::testing

namespace lode::testing {
namespace {

// Pushes `n` lines of stream {app="big"} for tenant "t", one second apart.
void PushLines(LodeProcess& lode, int n) {
  int64_t t0 = NowNs() - static_cast<int64_t>(n + 60) * 1000000000LL;
  for (int done = 0; done < n;) {
    std::vector<PushEntry> es;
    for (int i = 0; i < 5000 && done < n; ++i, ++done) {
      es.push_back({t0 + done * 1000000000LL,
                    "level=info msg=\"request served\" id=" + std::to_string(done),
                    {}});
    }
    auto r = lode.Post("/loki/api/v1/push", EncodePush({{R"({app="big"})", es}}),
                       {{"Content-Type", "application/x-protobuf"}, {"X-Scope-OrgID", "t"}});
    ASSERT_EQ(r.status, 204) << r.body;
  }
}

// A query that doubles label x `doublings` times on every line.
std::string Doubling(int doublings, const std::string& agg_range = "") {
  std::string q = "{app=\"big\"} | label_format x=\"{{.app}}\"";
  for (int i = 0; i < doublings; ++i) q += " | label_format x=\"{{.x}}{{.x}}\"";
  if (!agg_range.empty()) q = "count_over_time(" + q + " [" + agg_range + "])";
  return q;
}

std::string RangeQuery(const std::string& q) {
  int64_t now = NowNs();
  return "/loki/api/v1/query_range?query=" + Q(q) +
         "&start=" + std::to_string(now - 86400LL * 1000000000) + "&end=" + std::to_string(now) +
         "&step=60";
}

TEST(HardeningTest, QueryPastQueryTimeoutIsStoppedWithLokisTimeoutError) {
  AuthLode lode("limits_config:\n  query_timeout: 300ms\n");
  ASSERT_TRUE(lode->Ready());
  PushLines(*lode, 20000);
  auto t0 = std::chrono::steady_clock::now();
  auto r = lode->Get(RangeQuery(Doubling(18, "1h")), {{"X-Scope-OrgID", "t"}});
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_EQ(r.status, 504) << r.body.substr(0, 300);
  EXPECT_EQ(r.body,
            "request timed out, decrease the duration of the request or add more label matchers "
            "(prefer exact match "
            "over regex match) to reduce the amount of data processed\n");
  EXPECT_LT(secs, 3.0);
  // A cheap query still answers.
  EXPECT_EQ(
      lode->Get(RangeQuery("count_over_time({app=\"big\"}[1h])"), {{"X-Scope-OrgID", "t"}}).status,
      200);
}

TEST(HardeningTest, LabelFormatDoublingHitsTheQueryMemoryLimitNotRss) {
  AuthLode lode("limits_config:\n  max_query_memory: 4MB\n");
  ASSERT_TRUE(lode->Ready());
  PushLines(*lode, 10);
  // 40 doublings of a 3-byte label: 3 TB per line without a bound.
  for (const std::string& q : {Doubling(40), Doubling(40, "1h")}) {
    auto r = lode->Get(RangeQuery(q), {{"X-Scope-OrgID", "t"}});
    EXPECT_EQ(r.status, 400) << r.body.substr(0, 300);
    EXPECT_EQ(
        r.body.rfind(
            "the query needs more memory than the limit of 4.0 MB (limits_config.max_query_memory)",
            0),
        0u)
        << r.body.substr(0, 300);
  }
  // Within the budget the same shape works.
  auto ok = lode->Get(RangeQuery(Doubling(10)), {{"X-Scope-OrgID", "t"}});
  EXPECT_EQ(ok.status, 200) << ok.body.substr(0, 300);
}

// Sends a request on a raw connection and closes it after `hold_ms`
// without reading the answer.
void RequestThenHangUp(int port, const std::string& target, int hold_ms) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)), 0);
  std::string req = "GET " + target + " HTTP/1.1\r\nHost: x\r\nX-Scope-OrgID: t\r\n\r\n";
  ASSERT_EQ(write(fd, req.data(), req.size()), static_cast<ssize_t>(req.size()));
  std::this_thread::sleep_for(std::chrono::milliseconds(hold_ms));
  close(fd);
}

TEST(HardeningTest, ExcessQueriesGet429AndAHungUpClientFreesItsSlot) {
  AuthLode lode(
      "querier:\n  max_concurrent: 1\n  max_queue_wait: 200ms\nlimits_config:\n  query_timeout: "
      "60s\n");
  ASSERT_TRUE(lode->Ready());
  PushLines(*lode, 20000);
  const std::string slow = RangeQuery(Doubling(18, "1h"));
  // Hold the only slot with a slow query; a second query waits 200ms, then 429.
  std::thread holder([&] { lode->Get(slow, {{"X-Scope-OrgID", "t"}}); });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  auto r = lode->Get(RangeQuery("count_over_time({app=\"big\"}[1h])"), {{"X-Scope-OrgID", "t"}});
  EXPECT_EQ(r.status, 429) << r.body.substr(0, 200);
  EXPECT_EQ(r.body, "too many outstanding requests\n");
  holder.join();
  // A client that hangs up mid-query: its query is cancelled, and the slot
  // frees up long before the slow query could finish.
  auto t0 = std::chrono::steady_clock::now();
  auto full = lode->Get(slow, {{"X-Scope-OrgID", "t"}});
  double full_secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  ASSERT_EQ(full.status, 200);
  ASSERT_GT(full_secs, 1.0)
      << "the slow query is not slow enough on this machine to test cancellation";
  std::thread hangup([&] { RequestThenHangUp(lode->port(), slow, 200); });
  hangup.join();
  t0 = std::chrono::steady_clock::now();
  // Waits for the slot in 200ms steps (each 429 retries).
  int status = 0;
  while (std::chrono::steady_clock::now() - t0 < std::chrono::seconds(30)) {
    status = lode->Get(RangeQuery("count_over_time({app=\"big\"}[1h])"), {{"X-Scope-OrgID", "t"}})
                 .status;
    if (status == 200) break;
  }
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_EQ(status, 200);
  EXPECT_LT(secs, full_secs / 2) << "the hung-up query kept running";
}

}  // namespace
}  // namespace lode::testing

namespace lode::testing {
namespace {

int Connect(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

// Everything the server sends until it closes (or `max_secs` pass).
std::string ReadUntilClose(int fd, double max_secs) {
  timeval tv{static_cast<time_t>(max_secs),
             static_cast<suseconds_t>((max_secs - static_cast<int>(max_secs)) * 1e6)};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  std::string out;
  char b[4096];
  for (;;) {
    ssize_t n = read(fd, b, sizeof(b));
    if (n <= 0) break;
    out.append(b, static_cast<size_t>(n));
  }
  return out;
}

TEST(HardeningTest, SlowAndIdleClientsTimeOutAndOversizedRequestsAreRefused) {
  AuthLode lode(
      "server:\n  http_server_read_timeout: 500ms\n  http_server_idle_timeout: 700ms\n"
      "  http_server_max_connections: 4\n");
  ASSERT_TRUE(lode->Ready());
  // A body shorter than its Content-Length: 408 after the read timeout.
  int fd = Connect(lode->port());
  ASSERT_GE(fd, 0);
  std::string req =
      "POST /loki/api/v1/push HTTP/1.1\r\nHost: x\r\nX-Scope-OrgID: t\r\nContent-Length: "
      "100\r\n\r\nabc";
  ASSERT_EQ(write(fd, req.data(), req.size()), static_cast<ssize_t>(req.size()));
  auto t0 = std::chrono::steady_clock::now();
  std::string got = ReadUntilClose(fd, 5);
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  close(fd);
  EXPECT_EQ(got.rfind("HTTP/1.1 408", 0), 0u) << got;
  EXPECT_GT(secs, 0.4);
  EXPECT_LT(secs, 3);
  // An idle keep-alive connection is closed after the idle timeout.
  fd = Connect(lode->port());
  t0 = std::chrono::steady_clock::now();
  got = ReadUntilClose(fd, 5);
  secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  close(fd);
  EXPECT_EQ(got, "");
  EXPECT_GT(secs, 0.6);
  EXPECT_LT(secs, 3);
  // Headers over 64 KiB: 431; a body over 64 MiB: 413.
  fd = Connect(lode->port());
  std::string big =
      "GET /ready HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(70 * 1024, 'a') + "\r\n\r\n";
  ASSERT_EQ(write(fd, big.data(), big.size()), static_cast<ssize_t>(big.size()));
  got = ReadUntilClose(fd, 5);
  close(fd);
  EXPECT_EQ(got.rfind("HTTP/1.1 431", 0), 0u) << got;
  fd = Connect(lode->port());
  std::string huge =
      "POST /loki/api/v1/push HTTP/1.1\r\nHost: x\r\nContent-Length: 100000000\r\n\r\n";
  ASSERT_EQ(write(fd, huge.data(), huge.size()), static_cast<ssize_t>(huge.size()));
  got = ReadUntilClose(fd, 5);
  close(fd);
  EXPECT_EQ(got.rfind("HTTP/1.1 413", 0), 0u) << got;
  // Every slot held by idle connections: a new client still gets served
  // (idle connections are closed to make room), not 503.
  std::vector<int> idle;
  for (int i = 0; i < 4; ++i) idle.push_back(Connect(lode->port()));
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  auto r = lode->Get("/ready");
  EXPECT_EQ(r.status, 200) << r.body;
  for (int f : idle) close(f);
}

// Reads until the server has sent `until` (or closed, or `max_secs` passed).
std::string ReadUntil(int fd, const std::string& until, double max_secs) {
  timeval tv{static_cast<time_t>(max_secs),
             static_cast<suseconds_t>((max_secs - static_cast<int>(max_secs)) * 1e6)};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  std::string out;
  char b[4096];
  while (out.find(until) == std::string::npos) {
    ssize_t n = read(fd, b, sizeof(b));
    if (n <= 0) break;
    out.append(b, static_cast<size_t>(n));
  }
  return out;
}

// Sends `request` on a new connection; everything the server answers.
std::string Exchange(int port, const std::string& request) {
  int fd = Connect(port);
  if (fd < 0) return "connect failed";
  std::string got = "write failed";
  if (write(fd, request.data(), request.size()) == static_cast<ssize_t>(request.size()))
    got = ReadUntilClose(fd, 10);
  close(fd);
  return got;
}

// curl sends `Expect: 100-continue` on PUT uploads and POST bodies over 1 MiB
// (older versions: over 1 KiB) and waits a second for the answer before
// sending the body; Go's net/http (Loki) answers it at once.
TEST(HardeningTest, Expect100ContinueIsAnsweredBeforeTheBody) {
  AuthLode lode;
  ASSERT_TRUE(lode->Ready());
  const int64_t now = NowNs();
  const std::string body = "{\"streams\":[{\"stream\":{\"app\":\"expect\"},\"values\":[[\"" +
                           std::to_string(now - 1000000000) + "\",\"" + std::string(2000, 'x') +
                           " continued\"]]}]}";
  int fd = Connect(lode->port());
  ASSERT_GE(fd, 0);
  std::string head =
      "POST /loki/api/v1/push HTTP/1.1\r\nHost: x\r\nX-Scope-OrgID: t\r\nContent-Type: "
      "application/json\r\nExpect: 100-continue\r\nConnection: close\r\nContent-Length: " +
      std::to_string(body.size()) + "\r\n\r\n";
  ASSERT_EQ(write(fd, head.data(), head.size()), static_cast<ssize_t>(head.size()));
  // Without the answer a client waits for nothing: the body never comes.
  std::string got = ReadUntil(fd, "\r\n\r\n", 10);
  EXPECT_EQ(got, "HTTP/1.1 100 Continue\r\n\r\n");
  ASSERT_EQ(write(fd, body.data(), body.size()), static_cast<ssize_t>(body.size()));
  got = ReadUntilClose(fd, 10);
  close(fd);
  EXPECT_EQ(got.rfind("HTTP/1.1 204", 0), 0u) << got;
  auto r = lode->Get("/loki/api/v1/query_range?query=%7Bapp%3D%22expect%22%7D&start=" +
                         std::to_string(now - 60000000000LL) + "&end=" + std::to_string(now),
                     {{"X-Scope-OrgID", "t"}});
  EXPECT_NE(r.body.find("continued"), std::string::npos) << r.body;
  // A body over the limit is refused before it is sent; an unknown
  // expectation gets 417, as from Go.
  got = Exchange(lode->port(),
                 "POST /loki/api/v1/push HTTP/1.1\r\nHost: x\r\nX-Scope-OrgID: t\r\nExpect: "
                 "100-continue\r\nContent-Length: 100000000\r\n\r\n");
  EXPECT_EQ(got.rfind("HTTP/1.1 413", 0), 0u) << got;
  got = Exchange(lode->port(),
                 "POST /loki/api/v1/push HTTP/1.1\r\nHost: x\r\nX-Scope-OrgID: t\r\nExpect: "
                 "teapot\r\nContent-Length: 2\r\n\r\n{}");
  EXPECT_EQ(got.rfind("HTTP/1.1 417", 0), 0u) << got;
}

}  // namespace
}  // namespace lode::testing
