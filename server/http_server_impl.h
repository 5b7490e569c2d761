// The HTTP server's inside, shared by its files and by nothing else:
// http.cc (accepting, the connection cap, start and stop, the handler run),
// http_session.cc (one connection: reads, deadlines, responses, TLS),
// http_websocket.h (a connection after a WebSocket upgrade). See http.h for
// the contract.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

#include "server/http.h"
#include "server/http_auth.h"
#include "server/worker_pool.h"

namespace lode::server {

namespace beast = boost::beast;
namespace http = beast::http;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

using SteadyClock = std::chrono::steady_clock;
using Millis = std::chrono::milliseconds;
using TlsStream = beast::ssl_stream<tcp::socket>;

inline constexpr std::string_view kTooManyConnections =
    "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; "
    "charset=utf-8\r\nContent-Length: 21\r\nConnection: close\r\n\r\ntoo many connections\n";

inline constexpr std::string_view kTlsRefusal =
    "HTTP/1.0 400 Bad Request\r\n\r\nClient sent an HTTP request to an HTTPS server.\n";

// A blocking wait for one asynchronous operation run on an I/O thread.
struct Waiter {
  std::mutex mu;
  std::condition_variable cv;
  bool done = false;
  beast::error_code ec;

  void Set(beast::error_code e) {
    std::lock_guard<std::mutex> l(mu);
    ec = e;
    done = true;
    cv.notify_all();
  }
  // False on timeout.
  bool Wait(int64_t ms, beast::error_code* e) {
    std::unique_lock<std::mutex> l(mu);
    if (!cv.wait_for(l, Millis(ms), [this] { return done; })) return false;
    *e = ec;
    return true;
  }
};

// Every connection (HTTP or WebSocket) registers here so that the server can
// close idle ones under pressure and all of them at Stop. Its methods post to
// the connection's strand and are safe from any thread.
class HttpConnection : public std::enable_shared_from_this<HttpConnection> {
 public:
  virtual ~HttpConnection() = default;
  // Closes the connection if it waits for a request since before `cutoff`.
  virtual void CloseIfIdleSince(SteadyClock::time_point cutoff) = 0;
  virtual void ForceClose() = 0;
};

// Holds one of max_connections; released when the last owner (the accepted
// socket's HTTP session, its TLS detector or WebSocket session) is gone.
struct HttpSlot {
  explicit HttpSlot(HttpServer::Impl* s) : srv(s) {}
  ~HttpSlot();
  HttpServer::Impl* srv;
};

struct HttpServer::Impl {
  HttpOptions opts;
  std::map<std::string, Handler> routes;
  std::vector<std::pair<std::string, Handler>> prefix_routes;
  std::map<std::string, WsHandler> ws_routes;
  std::map<std::string, Handler> ws_checks;
  std::function<void(const Request&, const Response&, double)> on_request;
  std::unique_ptr<BasicAuth> basic_auth;
  std::unique_ptr<asio::ssl::context> tls;  // outlives the streams (declared before ioc)
  std::atomic<bool> stopping{false};

  // Connection accounting and the clients waiting for a slot.
  struct Pending {
    std::shared_ptr<tcp::socket> sock;
    SteadyClock::time_point deadline;
  };
  std::mutex conn_mu;
  std::condition_variable conn_cv;
  int active = 0;
  std::deque<Pending> waiting;
  bool pressure_armed = false;
  std::unordered_map<HttpConnection*, std::weak_ptr<HttpConnection>> conns;
  std::atomic<int> ws_threads{0};

  asio::io_context ioc;
  std::unique_ptr<tcp::acceptor> acceptor;
  std::unique_ptr<asio::steady_timer> pressure_timer;
  std::unique_ptr<asio::steady_timer> accept_retry;
  std::vector<std::thread> io_threads;
  // Keeps run() going when no operation is pending (e.g. at Stop, once the
  // acceptor is closed, WebSocket threads still post their last steps).
  std::unique_ptr<asio::executor_work_guard<asio::io_context::executor_type>> work;
  std::unique_ptr<WorkerPool> pool;         // queries and the rest; stopped before ioc goes
  std::unique_ptr<WorkerPool> urgent_pool;  // opts.urgent_paths
  std::set<std::string> urgent;

  ~Impl() {
    if (pool) pool->Stop();
    if (urgent_pool) urgent_pool->Stop();
    waiting.clear();
  }

  WorkerPool& PoolFor(const Request& req) { return urgent.count(req.path) ? *urgent_pool : *pool; }

  void Register(HttpConnection* c, std::weak_ptr<HttpConnection> w) {
    std::lock_guard<std::mutex> l(conn_mu);
    conns[c] = std::move(w);
  }
  void Unregister(HttpConnection* c) {
    std::lock_guard<std::mutex> l(conn_mu);
    conns.erase(c);
  }
  std::vector<std::shared_ptr<HttpConnection>> AllConnections() {
    std::vector<std::shared_ptr<HttpConnection>> out;
    std::lock_guard<std::mutex> l(conn_mu);
    for (auto& [p, w] : conns)
      if (auto s = w.lock()) out.push_back(std::move(s));
    return out;
  }

  Response Dispatch(const Request& req) {
    auto it = routes.find(req.path);
    if (it != routes.end()) return it->second(req);
    for (const auto& [p, h] : prefix_routes)
      if (req.path.compare(0, p.size(), p) == 0) return h(req);
    return Response::Text(404, "404 page not found");
  }

  // Basic auth, when configured: /ready stays open for health checks.
  bool Authorized(const Request& req) {
    if (!basic_auth || req.path == "/ready") return true;
    return basic_auth->Check(req.Header("authorization"));
  }
  static Response Unauthorized() {
    Response r = Response::Text(401, "Unauthorized");
    r.headers.push_back({"WWW-Authenticate", "Basic realm=\"lode\""});
    return r;
  }
  // Runs on a worker: auth, the handler, the OnRequest callback, gzip.
  http::response<http::string_body> Handle(const Request& req, unsigned version, bool keep_alive);
  static http::response<http::string_body> ToBeast(Response res, unsigned version, bool keep_alive,
                                                   const std::string& ae);

  void DoAccept();
  void OnAccept(beast::error_code ec, tcp::socket sock);
  void StartConnection(tcp::socket sock);
  void Release();
  void ArmPressureLocked();
  void OnPressureTick();
  // Answers a client that waited too long for a slot with 503 and closes it
  // (over TLS on a TLS port; http_session.cc).
  void RefuseOverCap(std::shared_ptr<tcp::socket> sock);
};

template <class T>
std::shared_ptr<T> SelfOf(T* t) {
  return std::static_pointer_cast<T>(t->shared_from_this());
}

}  // namespace lode::server
