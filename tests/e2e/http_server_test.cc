// The HTTP server on the real binary: 2,000 concurrent connections (idle
// keep-alive, pushing, querying), TLS with Loki's keys (https, wss, client
// certificates) and basic auth.
#include <crypt.h>
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include <atomic>
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <thread>

#include "tests/e2e/lode_process.h"

namespace lode::testing {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using json = nlohmann::json;

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// A temporary directory with lode.yaml = `config`; lode runs with it.
class ConfiguredLode {
 public:
  explicit ConfiguredLode(const std::string& config) {
    char tmpl[] = "/tmp/lode-http-XXXXXX";
    dir_ = mkdtemp(tmpl);
    std::ofstream(dir_ + "/lode.yaml") << config;
  }
  ~ConfiguredLode() {
    lode_.reset();
    std::filesystem::remove_all(dir_);
  }
  void Start() {
    lode_ = std::make_unique<LodeProcess>(std::vector<std::string>{"--config", dir_ + "/lode.yaml"},
                                          dir_);
  }
  const std::string& dir() const { return dir_; }
  LodeProcess* operator->() { return lode_.get(); }

 private:
  std::string dir_;
  std::unique_ptr<LodeProcess> lode_;
};

// A blocking keep-alive HTTP/1.1 connection.
class KeepAlive {
 public:
  bool Connect(int port) {
    beast::error_code ec;
    sock_.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), static_cast<uint16_t>(port)),
                  ec);
    return !ec;
  }
  // The status, or 0 on a transport error (then *body is the error).
  int Send(const std::string& method, const std::string& target, const std::string& body,
           const std::map<std::string, std::string>& headers, std::string* out) {
    http::request<http::string_body> req{http::string_to_verb(method), target, 11};
    req.set(http::field::host, "127.0.0.1");
    for (const auto& [k, v] : headers) req.set(k, v);
    req.body() = body;
    req.keep_alive(true);
    req.prepare_payload();
    beast::error_code ec;
    http::write(sock_, req, ec);
    http::response<http::string_body> res;
    if (!ec) http::read(sock_, buf_, res, ec);
    if (ec) {
      *out = ec.message();
      return 0;
    }
    *out = std::move(res.body());
    return res.result_int();
  }

 private:
  asio::io_context ioc_;
  tcp::socket sock_{ioc_};
  beast::flat_buffer buf_;
};

TEST(HttpServerTest, HoldsTwoThousandConnectionsWhilePushingAndQuerying) {
  rlimit r{};
  getrlimit(RLIMIT_NOFILE, &r);
  r.rlim_cur = r.rlim_max;
  setrlimit(RLIMIT_NOFILE, &r);
  ASSERT_GE(r.rlim_cur, 4200u) << "the test needs 2,000 connections (x2 ends)";
  ConfiguredLode lode("auth_enabled: true\n");
  lode.Start();
  ASSERT_TRUE(lode->Ready());
  const int kConnections = 2000, kPushers = 40, kQueriers = 4;
  const int kIdle = kConnections - kPushers - kQueriers;
  const std::map<std::string, std::string> tenant = {{"X-Scope-OrgID", "t"}};
  // Idle keep-alive connections: one request each, then silence.
  std::vector<std::unique_ptr<KeepAlive>> idle;
  for (int i = 0; i < kIdle; ++i) {
    idle.push_back(std::make_unique<KeepAlive>());
    ASSERT_TRUE(idle.back()->Connect(lode->port())) << "connection " << i;
    std::string body;
    ASSERT_EQ(idle.back()->Send("GET", "/ready", "", {}, &body), 200) << i << ": " << body;
  }
  // Pushers and queriers on their own keep-alive connections, for 8 s.
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(8);
  const int64_t t0 = NowNs();
  const int kLines = 10;
  std::atomic<int> pushes{0}, push_errors{0}, queries{0}, query_errors{0};
  std::string first_error;
  std::mutex mu;
  auto note = [&](const std::string& e) {
    std::lock_guard<std::mutex> l(mu);
    if (first_error.empty()) first_error = e;
  };
  std::vector<std::thread> threads;
  for (int p = 0; p < kPushers; ++p) {
    threads.emplace_back([&, p] {
      KeepAlive c;
      if (!c.Connect(lode->port())) return note("pusher cannot connect"), void(++push_errors);
      auto h = tenant;
      h["Content-Type"] = "application/x-protobuf";
      for (int n = 0; std::chrono::steady_clock::now() < until; ++n) {
        std::vector<PushEntry> es;
        for (int i = 0; i < kLines; ++i) {
          es.push_back({t0 + (static_cast<int64_t>(p) * 100000 + n * kLines + i) * 1000,
                        "pusher=" + std::to_string(p) + " n=" + std::to_string(n) +
                            " i=" + std::to_string(i),
                        {}});
        }
        std::string body;
        int status = c.Send(
            "POST", "/loki/api/v1/push",
            EncodePush({{"{app=\"conns\",pusher=\"" + std::to_string(p) + "\"}", es}}), h, &body);
        if (status != 204) {
          ++push_errors;
          note("push: " + std::to_string(status) + " " + body);
          return;
        }
        ++pushes;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
    });
  }
  for (int q = 0; q < kQueriers; ++q) {
    threads.emplace_back([&] {
      KeepAlive c;
      if (!c.Connect(lode->port())) return note("querier cannot connect"), void(++query_errors);
      while (std::chrono::steady_clock::now() < until) {
        std::string body;
        int status = c.Send("GET",
                            "/loki/api/v1/query_range?query=" +
                                Q("sum by (pusher) (count_over_time({app=\"conns\"}[1m]))") +
                                "&start=" + std::to_string(t0 - 60000000000LL) +
                                "&end=" + std::to_string(NowNs()) + "&step=5",
                            "", tenant, &body);
        if (status != 200) {
          ++query_errors;
          note("query: " + std::to_string(status) + " " + body.substr(0, 200));
          return;
        }
        ++queries;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(push_errors.load(), 0) << first_error;
  EXPECT_EQ(query_errors.load(), 0) << first_error;
  EXPECT_GT(pushes.load(), kPushers * 10);
  EXPECT_GT(queries.load(), kQueriers * 5);
  // Every idle connection is still open and served.
  int still_open = 0;
  for (auto& c : idle) {
    std::string body;
    still_open += c->Send("GET", "/ready", "", {}, &body) == 200;
  }
  EXPECT_EQ(still_open, kIdle);
  // Every acknowledged entry is stored.
  auto res =
      lode->Get("/loki/api/v1/query?query=" + Q("sum(count_over_time({app=\"conns\"}[10m]))") +
                    "&time=" + std::to_string(NowNs()),
                tenant);
  ASSERT_EQ(res.status, 200) << res.body;
  json j = json::parse(res.body);
  ASSERT_EQ(j["data"]["result"].size(), 1u) << res.body;
  EXPECT_EQ(j["data"]["result"][0]["value"][1], std::to_string(pushes.load() * kLines));
}

// --- TLS ---------------------------------------------------------------------

struct TlsFiles {
  std::string ca;    // the CA that signed the server's and the client's certificates
  std::string cert;  // client certificate ("" for none)
  std::string key;
};

// Generates, with the openssl CLI: a CA, a server certificate for 127.0.0.1,
// a client certificate from the CA, and a client certificate from another CA.
bool MakeCertificates(const std::string& dir) {
  std::ofstream(dir + "/san.ext") << "subjectAltName=IP:127.0.0.1\n";
  std::string key = "-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes";
  std::string script = "set -e; cd " + dir +
                       "\n"
                       "openssl req -x509 " +
                       key +
                       " -keyout ca.key -out ca.pem -days 2 -subj /CN=lode-test-ca\n"
                       "openssl req -x509 " +
                       key +
                       " -keyout rogue-ca.key -out rogue-ca.pem -days 2 -subj /CN=rogue-ca\n"
                       "openssl req " +
                       key +
                       " -keyout server.key -out server.csr -subj /CN=127.0.0.1\n"
                       "openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial "
                       "-out server.pem -days 2 -extfile san.ext\n"
                       "openssl req " +
                       key +
                       " -keyout client.key -out client.csr -subj /CN=client\n"
                       "openssl x509 -req -in client.csr -CA ca.pem -CAkey ca.key -CAcreateserial "
                       "-out client.pem -days 2\n"
                       "openssl req " +
                       key +
                       " -keyout rogue.key -out rogue.csr -subj /CN=rogue\n"
                       "openssl x509 -req -in rogue.csr -CA rogue-ca.pem -CAkey rogue-ca.key "
                       "-CAcreateserial -out rogue.pem -days 2\n";
  std::ofstream(dir + "/certs.sh") << script;
  return std::system(("sh " + dir + "/certs.sh >" + dir + "/certs.log 2>&1").c_str()) == 0;
}

std::shared_ptr<ssl::context> ClientContext(const TlsFiles& f) {
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_client);
  ctx->load_verify_file(f.ca);
  ctx->set_verify_mode(ssl::verify_peer);
  if (!f.cert.empty()) {
    ctx->use_certificate_file(f.cert, ssl::context::pem);
    ctx->use_private_key_file(f.key, ssl::context::pem);
  }
  return ctx;
}

// One HTTPS request on a fresh connection; status 0 and the error in body
// when the handshake or the exchange fails. Bounded by 10 s.
HttpResult HttpsRequest(int port, const TlsFiles& f, const std::string& method,
                        const std::string& target, const std::string& body = "",
                        const std::map<std::string, std::string>& headers = {}) {
  HttpResult out;
  asio::io_context ioc;
  auto ctx = ClientContext(f);
  beast::ssl_stream<beast::tcp_stream> s(ioc, *ctx);
  http::request<http::string_body> req{http::string_to_verb(method), target, 11};
  req.set(http::field::host, "127.0.0.1");
  for (const auto& [k, v] : headers) req.set(k, v);
  req.body() = body;
  req.prepare_payload();
  beast::flat_buffer buf;
  http::response<http::string_body> res;
  beast::error_code err;
  auto fail = [&](beast::error_code ec) { err = ec; };
  beast::get_lowest_layer(s).expires_after(std::chrono::seconds(10));
  beast::get_lowest_layer(s).async_connect(
      tcp::endpoint(asio::ip::make_address("127.0.0.1"), static_cast<uint16_t>(port)),
      [&](beast::error_code ec) {
        if (ec) return fail(ec);
        s.async_handshake(ssl::stream_base::client, [&](beast::error_code ec) {
          if (ec) return fail(ec);
          http::async_write(s, req, [&](beast::error_code ec, size_t) {
            if (ec) return fail(ec);
            http::async_read(s, buf, res, [&](beast::error_code ec, size_t) {
              if (ec) return fail(ec);
              out.status = res.result_int();
              out.body = res.body();
            });
          });
        });
      });
  ioc.run();
  if (err) {
    out.status = 0;
    out.body = err.message();
  }
  return out;
}

// A WebSocket over TLS; each call bounded by its timeout.
class WssClient {
 public:
  explicit WssClient(const TlsFiles& f) : ctx_(ClientContext(f)), ws_(ioc_, *ctx_) {}

  bool Connect(int port, const std::string& target, std::string* err) {
    beast::error_code result;
    beast::get_lowest_layer(ws_).expires_after(std::chrono::seconds(10));
    beast::get_lowest_layer(ws_).async_connect(
        tcp::endpoint(asio::ip::make_address("127.0.0.1"), static_cast<uint16_t>(port)),
        [&](beast::error_code ec) {
          if (ec) return void(result = ec);
          ws_.next_layer().async_handshake(ssl::stream_base::client, [&](beast::error_code ec) {
            if (ec) return void(result = ec);
            ws_.async_handshake("127.0.0.1", target, [&](beast::error_code ec) { result = ec; });
          });
        });
    ioc_.run();
    *err = result.message();
    return !result;
  }

  bool Read(std::string* msg, int timeout_ms) {
    beast::flat_buffer buf;
    beast::error_code result;
    beast::get_lowest_layer(ws_).expires_after(std::chrono::milliseconds(timeout_ms));
    ws_.async_read(buf, [&](beast::error_code ec, size_t) { result = ec; });
    ioc_.restart();
    ioc_.run();
    if (result) return false;
    *msg = beast::buffers_to_string(buf.data());
    return true;
  }

 private:
  asio::io_context ioc_;
  std::shared_ptr<ssl::context> ctx_;
  websocket::stream<beast::ssl_stream<beast::tcp_stream>> ws_;
};

std::string PushBody(const std::string& labels, int64_t ts, const std::string& line) {
  return EncodePush({{labels, {{ts, line, {}}}}});
}

TEST(HttpServerTest, TlsServesHttpsAndWssRefusesPlainHttpAndVerifiesClientCerts) {
  ConfiguredLode lode("");
  const std::string d = lode.dir();
  ASSERT_TRUE(MakeCertificates(d)) << "openssl failed, see " << d << "/certs.log";
  std::ofstream(d + "/lode.yaml")
      << "server:\n  http_tls_config:\n    cert_file: " << d << "/server.pem\n    key_file: " << d
      << "/server.key\n    client_auth_type: RequireAndVerifyClientCert\n"
      << "    client_ca_file: " << d << "/ca.pem\n";
  lode.Start();
  ASSERT_TRUE(lode->Ready());
  const TlsFiles client{d + "/ca.pem", d + "/client.pem", d + "/client.key"};
  // Push and query over HTTPS with a client certificate from the CA.
  const int64_t now = NowNs();
  auto r = HttpsRequest(lode->port(), client, "POST", "/loki/api/v1/push",
                        PushBody("{app=\"tls\"}", now - 1000000000, "over tls"),
                        {{"Content-Type", "application/x-protobuf"}});
  ASSERT_EQ(r.status, 204) << r.body;
  r = HttpsRequest(lode->port(), client, "GET",
                   "/loki/api/v1/query_range?query=" + Q("{app=\"tls\"}") +
                       "&start=" + std::to_string(now - 60000000000LL) +
                       "&end=" + std::to_string(now + 1000000000));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find("over tls"), std::string::npos) << r.body;
  // Plain HTTP on the TLS port: Go's refusal, nothing served.
  auto plain = lode->Get("/ready");
  EXPECT_EQ(plain.status, 400) << plain.body;
  EXPECT_EQ(plain.body, "Client sent an HTTP request to an HTTPS server.\n");
  // RequireAndVerifyClientCert: no client certificate, or one from another
  // CA, gets no answer.
  r = HttpsRequest(lode->port(), {d + "/ca.pem", "", ""}, "GET", "/ready");
  EXPECT_EQ(r.status, 0) << r.body;
  r = HttpsRequest(lode->port(), {d + "/ca.pem", d + "/rogue.pem", d + "/rogue.key"}, "GET",
                   "/ready");
  EXPECT_EQ(r.status, 0) << r.body;
  // Live tail over wss.
  WssClient ws(client);
  std::string err;
  ASSERT_TRUE(ws.Connect(lode->port(),
                         "/loki/api/v1/tail?query=" + Q("{app=\"tls\"}") +
                             "&start=" + std::to_string(now - 60000000000LL),
                         &err))
      << err;
  std::string msg;
  ASSERT_TRUE(ws.Read(&msg, 5000)) << "no initial frame";
  EXPECT_NE(msg.find("over tls"), std::string::npos) << msg;
  r = HttpsRequest(lode->port(), client, "POST", "/loki/api/v1/push",
                   PushBody("{app=\"tls\"}", NowNs(), "live over wss"),
                   {{"Content-Type", "application/x-protobuf"}});
  ASSERT_EQ(r.status, 204) << r.body;
  ASSERT_TRUE(ws.Read(&msg, 5000)) << "no live frame";
  EXPECT_NE(msg.find("live over wss"), std::string::npos) << msg;
  // SIGTERM with the tail still open: lode closes it and exits cleanly.
  int st = lode->Stop();
  EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0) << "wait status " << st;
}

TEST(HttpServerTest, TlsWithoutClientCertificatesAndBadConfigs) {
  ConfiguredLode lode("");
  const std::string d = lode.dir();
  ASSERT_TRUE(MakeCertificates(d)) << "openssl failed, see " << d << "/certs.log";
  // A bad client_auth_type stops lode at start with the key's name.
  std::ofstream(d + "/lode.yaml") << "server:\n  http_tls_config:\n    cert_file: " << d
                                  << "/server.pem\n    key_file: " << d
                                  << "/server.key\n    client_auth_type: Sometimes\n";
  lode.Start();
  EXPECT_FALSE(lode->Ready());
  std::ifstream logf(d + "/lode.log");
  std::string log((std::istreambuf_iterator<char>(logf)), std::istreambuf_iterator<char>());
  EXPECT_NE(log.find("client_auth_type"), std::string::npos) << log;
  // NoClientCert (the default): any client with the CA is served.
  std::ofstream(d + "/lode.yaml") << "server:\n  http_tls_config:\n    cert_file: " << d
                                  << "/server.pem\n    key_file: " << d << "/server.key\n";
  lode.Start();
  ASSERT_TRUE(lode->Ready());
  auto r = HttpsRequest(lode->port(), {d + "/ca.pem", "", ""}, "GET", "/ready");
  EXPECT_EQ(r.status, 200) << r.body;
  // A client that does not trust the server's CA fails its handshake.
  r = HttpsRequest(lode->port(), {d + "/rogue-ca.pem", "", ""}, "GET", "/ready");
  EXPECT_EQ(r.status, 0) << r.body;
}

// At the connection cap a TLS client gets the same 503 as a plain one (over
// TLS), not a silent close.
TEST(HttpServerTest, TlsClientAtTheConnectionCapGets503) {
  ConfiguredLode lode("");
  const std::string d = lode.dir();
  ASSERT_TRUE(MakeCertificates(d)) << "openssl failed, see " << d << "/certs.log";
  std::ofstream(d + "/lode.yaml") << "server:\n  http_server_max_connections: 1\n"
                                  << "  http_tls_config:\n    cert_file: " << d
                                  << "/server.pem\n    key_file: " << d << "/server.key\n";
  lode.Start();
  ASSERT_TRUE(lode->Ready());
  const TlsFiles client{d + "/ca.pem", "", ""};
  // The one slot is taken by a client in the middle of its request (busy,
  // so not closed to make room).
  asio::io_context ioc;
  auto ctx = ClientContext(client);
  ssl::stream<tcp::socket> holder(ioc, *ctx);
  holder.next_layer().connect(
      tcp::endpoint(asio::ip::make_address("127.0.0.1"), static_cast<uint16_t>(lode->port())));
  holder.handshake(ssl::stream_base::client);
  asio::write(holder, asio::buffer(std::string("GET /ready HTTP/1.1\r\n")));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  auto r = HttpsRequest(lode->port(), client, "GET", "/ready");
  EXPECT_EQ(r.status, 503) << r.body;
  EXPECT_EQ(r.body, "too many connections\n");
  // The slot back: served again.
  beast::error_code ec;
  holder.next_layer().close(ec);
  r = HttpsRequest(lode->port(), client, "GET", "/ready");
  EXPECT_EQ(r.status, 200) << r.body;
}

// --- basic auth ----------------------------------------------------------------

std::string BasicHeader(const std::string& user, const std::string& pass) {
  static const char* a = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string in = user + ":" + pass, out;
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    uint32_t v = (static_cast<uint8_t>(in[i]) << 16) | (static_cast<uint8_t>(in[i + 1]) << 8) |
                 static_cast<uint8_t>(in[i + 2]);
    out += {a[v >> 18], a[(v >> 12) & 63], a[(v >> 6) & 63], a[v & 63]};
  }
  if (i + 1 == in.size()) {
    uint32_t v = static_cast<uint8_t>(in[i]) << 16;
    out += {a[v >> 18], a[(v >> 12) & 63], '=', '='};
  } else if (i + 2 == in.size()) {
    uint32_t v = (static_cast<uint8_t>(in[i]) << 16) | (static_cast<uint8_t>(in[i + 1]) << 8);
    out += {a[v >> 18], a[(v >> 12) & 63], a[(v >> 6) & 63], '='};
  }
  return "Basic " + out;
}

TEST(HttpServerTest, BasicAuthProtectsEverythingButReady) {
  char salt[CRYPT_GENSALT_OUTPUT_SIZE];
  ASSERT_NE(crypt_gensalt_rn("$2b$", 5, nullptr, 0, salt, sizeof(salt)), nullptr);
  crypt_data data{};
  const char* hash = crypt_r("s3cret pass", salt, &data);
  ASSERT_NE(hash, nullptr);
  ASSERT_EQ(std::string(hash).rfind("$2b$05$", 0), 0u) << hash;
  ConfiguredLode lode(
      std::string("server:\n  basic_auth:\n    username: ops\n    password_hash: '") + hash +
      "'\n");
  lode.Start();
  ASSERT_TRUE(lode->Ready());
  // /ready is open for health checks.
  EXPECT_EQ(lode->Get("/ready").status, 200);
  const std::string good = BasicHeader("ops", "s3cret pass");
  const int64_t now = NowNs();
  const std::string push = PushBody("{app=\"auth\"}", now - 1000000000, "authorized line");
  const std::string query = "/loki/api/v1/query_range?query=" + Q("{app=\"auth\"}") +
                            "&start=" + std::to_string(now - 60000000000LL) +
                            "&end=" + std::to_string(now + 1000000000);
  for (const std::string& bad :
       {std::string(), BasicHeader("ops", "wrong"), BasicHeader("root", "s3cret pass"),
        std::string("Basic !!!"), std::string("Bearer abc")}) {
    std::map<std::string, std::string> h = {{"Content-Type", "application/x-protobuf"}};
    if (!bad.empty()) h["Authorization"] = bad;
    auto r = lode->Post("/loki/api/v1/push", push, h);
    EXPECT_EQ(r.status, 401) << bad;
    EXPECT_EQ(r.headers["www-authenticate"], "Basic realm=\"lode\"") << bad;
    EXPECT_EQ(lode->Get(query, h).status, 401) << bad;
    EXPECT_EQ(lode->Get("/metrics", h).status, 401) << bad;
    EXPECT_EQ(lode->Get("/loki/api/v1/tail?query=" + Q("{app=\"auth\"}"), h).status, 401);
  }
  // Nothing was stored by the refused pushes; the right credentials work.
  auto r = lode->Get(query, {{"Authorization", good}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.body.find("authorized line"), std::string::npos);
  for (int i = 0; i < 3; ++i) {  // the second and third hit the cache
    r = lode->Post("/loki/api/v1/push", push,
                   {{"Content-Type", "application/x-protobuf"}, {"Authorization", good}});
    EXPECT_EQ(r.status, 204) << r.body;
  }
  r = lode->Get(query, {{"Authorization", good}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find("authorized line"), std::string::npos) << r.body;
  EXPECT_EQ(lode->Get("/metrics", {{"Authorization", good}}).status, 200);
}

TEST(HttpServerTest, BasicAuthRejectsAHashThatIsNotBcrypt) {
  ConfiguredLode lode("server:\n  basic_auth:\n    username: ops\n    password_hash: plain\n");
  lode.Start();
  EXPECT_FALSE(lode->Ready());
  std::ifstream logf(lode.dir() + "/lode.log");
  std::string log((std::istreambuf_iterator<char>(logf)), std::istreambuf_iterator<char>());
  EXPECT_NE(log.find("server.basic_auth.password_hash"), std::string::npos) << log;
}

}  // namespace
}  // namespace lode::testing
