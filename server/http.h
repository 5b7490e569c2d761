// A small HTTP/1.1 server on Boost.Beast: one thread per connection with
// keep-alive, a connection cap, request size limits, gzip responses when the
// client accepts them, and WebSocket upgrade hand-off. Handlers are plain
// functions of (Request) -> Response; they must not throw.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "base/status.h"

namespace lode::server {

struct Request {
  std::string method;                              // "GET", "POST", ...
  std::string path;                                // without the query string, percent-decoded
  std::multimap<std::string, std::string> params;  // query string + form body
  std::map<std::string, std::string> headers;      // lower-case names
  std::string body;

  // First value of a parameter, or def.
  std::string Param(const std::string& name, const std::string& def = "") const;
  bool HasParam(const std::string& name) const { return params.count(name) > 0; }
  std::vector<std::string> Params(const std::string& name) const;
  std::string Header(const std::string& lower_name) const;

  // True once the client has closed or reset its connection (a poll(2) on
  // the socket, no read): long handlers use it to stop work nobody awaits.
  bool ClientGone() const;
  int socket_fd = -1;  // set by the server; -1 for requests built in code
};

struct Response {
  int status = 200;
  std::string content_type = "application/json; charset=utf-8";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;

  static Response Text(int status, std::string body);
  static Response Json(std::string body) {
    Response r;
    r.body = std::move(body);
    return r;
  }
};

// A WebSocket session handed to a handler after upgrade. Send/Receive are
// blocking; Send is safe from one thread at a time.
class WebSocket {
 public:
  virtual ~WebSocket() = default;
  virtual bool SendText(const std::string& msg) = 0;
  // Returns false when the peer closed or on error; waits at most timeout_ms.
  virtual bool IsOpen() const = 0;
  virtual void Close() = 0;
};

using Handler = std::function<Response(const Request&)>;
using WsHandler = std::function<void(const Request&, WebSocket&)>;

struct HttpOptions {
  std::string address = "0.0.0.0";
  uint16_t port = 3100;
  size_t max_body_bytes = 64 << 20;    // larger: 413
  size_t max_header_bytes = 64 << 10;  // larger: 431
  int max_connections = 512;
  // Deadlines (Loki's server.http_server_*_timeout and defaults): reading one
  // request (headers and body) from its first byte; writing one response;
  // waiting for the next request on a keep-alive connection. Past a read
  // deadline the client gets 408 and the connection is closed; past the
  // others it is closed.
  int64_t read_timeout_ms = 30000;
  int64_t write_timeout_ms = 30000;
  int64_t idle_timeout_ms = 120000;
  // When every connection slot is taken, a new client waits this long for
  // one; meanwhile keep-alive connections idle for longer than
  // idle_under_pressure_ms are closed to make room. Then 503.
  int64_t accept_wait_ms = 2000;
  int64_t idle_under_pressure_ms = 500;
};

class HttpServer {
 public:
  explicit HttpServer(HttpOptions opts);
  ~HttpServer();

  // Exact path routes; a route ending in '*' matches that prefix.
  void Route(const std::string& path, Handler h);
  // On an upgrade request without an X-Scope-OrgID header, the query
  // parameter of that name stands in for it (browsers cannot set headers on
  // a WebSocket).
  void RouteWebSocket(const std::string& path, WsHandler h);
  // Same, with `check` run on the upgrade request first: when it answers a
  // status >= 400 that response is sent instead of upgrading (bad parameters
  // are reported as plain HTTP errors, as Loki does before its upgrade).
  void RouteWebSocket(const std::string& path, WsHandler h, Handler check);
  // Called after every request (for metrics and logs).
  void OnRequest(std::function<void(const Request&, const Response&, double seconds)> cb);

  // Binds and starts serving in background threads.
  Status Start();
  // Stops accepting, waits for in-flight requests (bounded).
  void Stop();
  uint16_t port() const { return bound_port_; }

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
  uint16_t bound_port_ = 0;
};

// Percent-decoding of URL components ('+' is a space in query strings).
std::string UrlDecode(std::string_view s, bool plus_is_space);
void ParseQueryString(std::string_view qs, std::multimap<std::string, std::string>* out);

}  // namespace lode::server
