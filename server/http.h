// A small HTTP/1.1 server on Boost.Beast, event-driven: one or two I/O
// threads run every connection's reads, writes and deadlines asynchronously
// (Boost.Asio), so an idle keep-alive connection or a slow client costs a few
// KB, not a thread. A request whose headers and body are fully read runs its
// handler on a bounded worker pool (handlers block: a query takes seconds);
// a WebSocket upgrade gets a dedicated thread for its handler. Also: a
// connection cap, request size limits (413/431), read/write/idle deadlines
// (408), gzip responses when the client accepts them, optional TLS (Loki's
// server.http_tls_config) and optional HTTP basic auth. Handlers are plain
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
  // The server does not read from a connection while its handler runs.
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

// TLS with Loki's keys (server.http_tls_config). Enabled when cert_file is
// set; then the port speaks only TLS (a plain HTTP request gets Go's 400
// "Client sent an HTTP request to an HTTPS server."). client_auth_type takes
// Go's names: NoClientCert (default), RequestClientCert, RequireAnyClientCert,
// VerifyClientCertIfGiven, RequireAndVerifyClientCert; the two Verify modes
// check client certificates against client_ca_file.
struct TlsOptions {
  std::string cert_file;  // PEM certificate chain
  std::string key_file;   // PEM private key
  std::string client_auth_type;
  std::string client_ca_file;
  bool enabled() const { return !cert_file.empty(); }
};

// Optional HTTP basic auth (server.basic_auth). Enabled when username is
// set: every request but GET /ready needs `Authorization: Basic` with this
// user and a password matching the bcrypt hash ($2a$, $2b$ or $2y$), else
// 401 with `WWW-Authenticate: Basic realm="lode"`.
struct BasicAuthOptions {
  std::string username;
  std::string password_hash;
  bool enabled() const { return !username.empty(); }
};

struct HttpOptions {
  std::string address = "0.0.0.0";
  uint16_t port = 3100;
  size_t max_body_bytes = 64 << 20;    // larger: 413
  size_t max_header_bytes = 64 << 10;  // larger: 431
  // Open connections (idle ones included); each costs a few KB and a file
  // descriptor. At the cap new clients wait (see accept_wait_ms), then 503.
  int max_connections = 10000;
  // Threads that run handlers; 0: 2 x CPUs + 8. I/O threads: 1 or 2.
  int worker_threads = 0;
  int io_threads = 2;
  // Requests to these exact paths (pushes, health, metrics) run on their own
  // pool (2 x CPUs + 4 threads) at normal CPU priority; all others (queries)
  // run on the worker_threads pool at nice +query_nice, as do the threads a
  // query starts, so queries on a busy machine cannot starve acknowledging
  // pushes (as Loki keeps queriers apart from distributors and ingesters).
  std::vector<std::string> urgent_paths = {"/loki/api/v1/push", "/api/prom/push", "/otlp/v1/logs",
                                           "/ready", "/metrics"};
  int query_nice = 10;
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
  TlsOptions tls;
  BasicAuthOptions basic_auth;
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

  // Binds and starts serving in background threads. Errors: a bad address,
  // a port in use, unreadable TLS files, a bad client_auth_type or
  // basic_auth hash.
  Status Start();
  // Stops accepting, waits for in-flight requests (bounded).
  void Stop();
  uint16_t port() const { return bound_port_; }

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
  uint16_t bound_port_ = 0;
};

// Raises the soft RLIMIT_NOFILE to the hard limit (each connection is a file
// descriptor); returns the new soft limit.
uint64_t RaiseFileLimit();

// Percent-decoding of URL components ('+' is a space in query strings).
std::string UrlDecode(std::string_view s, bool plus_is_space);
void ParseQueryString(std::string_view qs, std::multimap<std::string, std::string>* out);

}  // namespace lode::server
