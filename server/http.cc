#include "server/http.h"

#include <poll.h>
#include <sys/resource.h>
#include <zlib.h>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <set>
#include <unordered_map>

#include "server/http_auth.h"
#include "server/worker_pool.h"

namespace lode::server {

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

std::string Request::Param(const std::string& name, const std::string& def) const {
  auto it = params.find(name);
  return it == params.end() ? def : it->second;
}

std::vector<std::string> Request::Params(const std::string& name) const {
  std::vector<std::string> out;
  auto [b, e] = params.equal_range(name);
  for (auto it = b; it != e; ++it) out.push_back(it->second);
  return out;
}

std::string Request::Header(const std::string& lower_name) const {
  auto it = headers.find(lower_name);
  return it == headers.end() ? std::string() : it->second;
}

bool Request::ClientGone() const {
  if (socket_fd < 0) return false;
  pollfd p{};
  p.fd = socket_fd;
  p.events = POLLRDHUP;
  if (::poll(&p, 1, 0) <= 0) return false;
  return (p.revents & (POLLRDHUP | POLLHUP | POLLERR | POLLNVAL)) != 0;
}

Response Response::Text(int status, std::string body) {
  Response r;
  r.status = status;
  r.content_type = "text/plain; charset=utf-8";
  r.body = std::move(body);
  if (r.body.empty() || r.body.back() != '\n') r.body.push_back('\n');
  return r;
}

std::string UrlDecode(std::string_view s, bool plus_is_space) {
  std::string out;
  out.reserve(s.size());
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && hex(s[i + 1]) >= 0 && hex(s[i + 2]) >= 0) {
      out.push_back(static_cast<char>(hex(s[i + 1]) * 16 + hex(s[i + 2])));
      i += 2;
    } else if (s[i] == '+' && plus_is_space) {
      out.push_back(' ');
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

void ParseQueryString(std::string_view qs, std::multimap<std::string, std::string>* out) {
  size_t i = 0;
  while (i <= qs.size()) {
    size_t amp = qs.find('&', i);
    if (amp == std::string_view::npos) amp = qs.size();
    std::string_view kv = qs.substr(i, amp - i);
    if (!kv.empty()) {
      size_t eq = kv.find('=');
      std::string k = UrlDecode(kv.substr(0, eq), true);
      std::string v = eq == std::string_view::npos ? "" : UrlDecode(kv.substr(eq + 1), true);
      out->emplace(std::move(k), std::move(v));
    }
    i = amp + 1;
  }
}

namespace {

bool GzipCompress(const std::string& in, std::string* out) {
  z_stream zs{};
  if (deflateInit2(&zs, 1, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) return false;
  out->resize(deflateBound(&zs, in.size()) + 32);
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  zs.next_out = reinterpret_cast<Bytef*>(out->data());
  zs.avail_out = static_cast<uInt>(out->size());
  int r = deflate(&zs, Z_FINISH);
  out->resize(zs.total_out);
  deflateEnd(&zs);
  return r == Z_STREAM_END;
}

using SteadyClock = std::chrono::steady_clock;
using Millis = std::chrono::milliseconds;
using TlsStream = beast::ssl_stream<tcp::socket>;

constexpr const char* kTlsRefusal =
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

}  // namespace

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
  http::response<http::string_body> Handle(const Request& req, unsigned version, bool keep_alive) {
    auto t0 = SteadyClock::now();
    Response res;
    if (!Authorized(req)) {
      res = Unauthorized();
    } else {
      try {
        res = Dispatch(req);
      } catch (const std::exception& e) {
        res = Response::Text(500, std::string("internal error: ") + e.what());
      }
    }
    double secs = std::chrono::duration<double>(SteadyClock::now() - t0).count();
    if (on_request) on_request(req, res, secs);
    return ToBeast(std::move(res), version, keep_alive && !stopping, req.Header("accept-encoding"));
  }

  static http::response<http::string_body> ToBeast(Response res, unsigned version, bool keep_alive,
                                                   const std::string& ae) {
    http::response<http::string_body> out{static_cast<http::status>(res.status), version};
    out.set(http::field::server, "lode");
    out.set(http::field::content_type, res.content_type);
    for (const auto& [k, v] : res.headers) out.set(k, v);
    bool encoded = false;  // the handler sent a precompressed body
    for (const auto& [k, v] : res.headers) encoded |= k == "Content-Encoding";
    if (!encoded && res.body.size() > 1024 && ae.find("gzip") != std::string::npos) {
      std::string gz;
      if (GzipCompress(res.body, &gz)) {
        out.set(http::field::content_encoding, "gzip");
        out.set(http::field::vary, "Accept-Encoding");
        res.body = std::move(gz);
      }
    }
    out.body() = std::move(res.body);
    out.keep_alive(keep_alive);
    out.prepare_payload();
    return out;
  }

  void DoAccept();
  void OnAccept(beast::error_code ec, tcp::socket sock);
  void StartConnection(tcp::socket sock);
  void Release();
  void ArmPressureLocked();
  void OnPressureTick();
};

HttpSlot::~HttpSlot() { srv->Release(); }

namespace {

Request BuildRequest(http::request<http::string_body>& msg, int fd) {
  Request req;
  req.method = std::string(msg.method_string());
  req.socket_fd = fd;
  std::string_view target(msg.target().data(), msg.target().size());
  size_t q = target.find('?');
  req.path = UrlDecode(target.substr(0, q), false);
  if (q != std::string_view::npos) ParseQueryString(target.substr(q + 1), &req.params);
  for (const auto& f : msg) {
    std::string name(f.name_string());
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    req.headers[name] = std::string(f.value());
  }
  return req;
}

template <class T>
std::shared_ptr<T> SelfOf(T* t) {
  return std::static_pointer_cast<T>(t->shared_from_this());
}

// A WebSocket after upgrade: every operation runs on the connection's strand;
// the blocking WebSocket interface waits for them from the handler's thread.
template <class Stream>
class WsSession : public HttpConnection, public WebSocket {
 public:
  WsSession(HttpServer::Impl* srv, std::shared_ptr<HttpSlot> slot, Stream&& stream)
      : srv_(srv), slot_(std::move(slot)), ws_(std::move(stream)) {}
  ~WsSession() override { srv_->Unregister(this); }

  // Answers the upgrade; false on error or timeout.
  bool Accept(std::shared_ptr<http::request<http::string_body>> msg) {
    srv_->Register(this, weak_from_this());
    auto w = std::make_shared<Waiter>();
    auto self = SelfOf(this);
    asio::post(ws_.get_executor(), [self, w, msg] {
      // No idle timeout: a tail client only listens.
      self->ws_.set_option(websocket::stream_base::timeout{std::chrono::seconds(30),
                                                           websocket::stream_base::none(), false});
      self->ws_.async_accept(*msg, [w, msg](beast::error_code ec) { w->Set(ec); });
    });
    beast::error_code ec;
    if (!w->Wait(srv_->opts.read_timeout_ms + 1000, &ec) || ec) {
      open_ = false;
      ForceClose();
      return false;
    }
    asio::post(ws_.get_executor(), [self] { self->DoRead(); });
    return true;
  }

  bool SendText(const std::string& msg) override {
    std::lock_guard<std::mutex> l(send_mu_);
    if (!open_) return false;
    auto w = std::make_shared<Waiter>();
    auto data = std::make_shared<std::string>(msg);
    auto self = SelfOf(this);
    asio::post(ws_.get_executor(), [self, w, data] {
      self->ws_.text(true);
      self->ws_.async_write(asio::buffer(*data),
                            [w, data](beast::error_code ec, size_t) { w->Set(ec); });
    });
    beast::error_code ec;
    if (!w->Wait(srv_->opts.write_timeout_ms, &ec) || ec) {
      open_ = false;
      ForceClose();
      return false;
    }
    return true;
  }
  bool IsOpen() const override { return open_ && !srv_->stopping; }
  void Close() override {
    std::lock_guard<std::mutex> l(send_mu_);
    // At Stop the connection is simply dropped: no close handshake to wait for.
    if (!open_.exchange(false) || srv_->stopping) return;
    auto w = std::make_shared<Waiter>();
    auto self = SelfOf(this);
    asio::post(ws_.get_executor(), [self, w] {
      self->ws_.async_close(websocket::close_code::normal,
                            [w](beast::error_code ec) { w->Set(ec); });
    });
    beast::error_code ec;
    w->Wait(1000, &ec);
  }

  // Gives the connection slot back once the handler is done. A read that
  // Beast suspended behind a close handshake the peer never answered may keep
  // this object alive a while; it must not keep the slot.
  void ReleaseSlot() {
    auto self = SelfOf(this);
    asio::post(ws_.get_executor(), [self] { self->slot_.reset(); });
  }

  void CloseIfIdleSince(SteadyClock::time_point) override {}
  void ForceClose() override {
    open_ = false;
    auto self = SelfOf(this);
    asio::post(ws_.get_executor(), [self] {
      beast::error_code ec;
      beast::get_lowest_layer(self->ws_).close(ec);
    });
  }

 private:
  void DoRead() {
    auto self = SelfOf(this);
    ws_.async_read(rbuf_, [self](beast::error_code ec, size_t) {
      if (ec) {
        self->open_ = false;
        return;
      }
      self->rbuf_.consume(self->rbuf_.size());
      self->DoRead();
    });
  }

  HttpServer::Impl* srv_;
  std::shared_ptr<HttpSlot> slot_;
  websocket::stream<Stream> ws_;
  beast::flat_buffer rbuf_;
  std::mutex send_mu_;
  std::atomic<bool> open_{true};
};

// One HTTP/1.1 connection (plain or TLS): idle wait, request read, handler on
// a worker, response write, again. All of it on the connection's strand, with
// one timer for whichever deadline applies.
template <class Stream>
class HttpSession : public HttpConnection {
 public:
  static constexpr bool kTls = !std::is_same_v<Stream, tcp::socket>;

  HttpSession(HttpServer::Impl* srv, std::shared_ptr<HttpSlot> slot, Stream&& stream,
              beast::flat_buffer&& buf)
      : srv_(srv),
        slot_(std::move(slot)),
        ex_(stream.get_executor()),
        stream_(std::move(stream)),
        buf_(std::move(buf)),
        timer_(ex_) {}
  ~HttpSession() override { srv_->Unregister(this); }

  void Start() {
    srv_->Register(this, weak_from_this());
    if constexpr (kTls) {
      Arm(srv_->opts.read_timeout_ms, Deadline::kClose);
      auto self = SelfOf(this);
      stream_.async_handshake(asio::ssl::stream_base::server, buf_.data(),
                              [self](beast::error_code ec, size_t used) {
                                self->Disarm();
                                if (ec) return self->Close();
                                self->buf_.consume(used);
                                self->DoIdle();
                              });
    } else {
      DoIdle();
    }
  }

  void CloseIfIdleSince(SteadyClock::time_point cutoff) override {
    auto self = SelfOf(this);
    asio::post(ex_, [self, cutoff] {
      if (self->idle_ && self->idle_since_ <= cutoff) self->Close();
    });
  }
  void ForceClose() override {
    auto self = SelfOf(this);
    asio::post(ex_, [self] {
      if (!self->busy_) self->Close();
    });
  }

 private:
  enum class Deadline { kClose, kRead };

  tcp::socket& Sock() { return beast::get_lowest_layer(stream_); }

  void Arm(int64_t ms, Deadline d) {
    ++gen_;
    timer_.expires_after(Millis(ms));
    auto self = SelfOf(this);
    timer_.async_wait([self, d, gen = gen_](beast::error_code ec) {
      if (ec || gen != self->gen_) return;
      if (d == Deadline::kRead) {
        self->timed_out_ = true;
        beast::error_code e;
        self->Sock().cancel(e);
      } else {
        self->Close();
      }
    });
  }
  void Disarm() {
    ++gen_;
    timer_.cancel();
  }

  void Close() {
    if (closed_) return;
    closed_ = true;
    Disarm();
    beast::error_code ec;
    Sock().shutdown(tcp::socket::shutdown_send, ec);
    Sock().close(ec);
  }

  // Waits for the next request's first byte. A plain connection waits on the
  // socket without a buffer; TLS reads (records may hold buffered data).
  void DoIdle() {
    if (srv_->stopping) return Close();
    if (buf_.size() > 0) return DoRead();
    buf_.shrink_to_fit();
    idle_ = true;
    idle_since_ = SteadyClock::now();
    Arm(srv_->opts.idle_timeout_ms, Deadline::kClose);
    auto self = SelfOf(this);
    if constexpr (kTls) {
      stream_.async_read_some(buf_.prepare(4096), [self](beast::error_code ec, size_t n) {
        self->buf_.commit(n);
        self->OnIdle(ec);
      });
    } else {
      Sock().async_wait(tcp::socket::wait_read, [self](beast::error_code ec) { self->OnIdle(ec); });
    }
  }
  void OnIdle(beast::error_code ec) {
    idle_ = false;
    Disarm();
    if (ec || closed_) return Close();
    DoRead();
  }

  void DoRead() {
    parser_.emplace();
    parser_->body_limit(srv_->opts.max_body_bytes);
    parser_->header_limit(static_cast<uint32_t>(srv_->opts.max_header_bytes));
    // Beast reads max(512, free capacity) bytes per recv: without room, a
    // 1 MB push body takes ~2,000 system calls.
    buf_.reserve(64 * 1024);
    timed_out_ = false;
    Arm(srv_->opts.read_timeout_ms, Deadline::kRead);
    auto self = SelfOf(this);
    http::async_read(stream_, buf_, *parser_,
                     [self](beast::error_code ec, size_t) { self->OnRead(ec); });
  }

  void OnRead(beast::error_code ec) {
    Disarm();
    if (closed_) return;
    if (timed_out_) {
      return SendError(408,
                       "request timed out: not received within server.http_server_read_timeout\n");
    }
    if (ec == http::error::end_of_stream || ec == asio::error::eof ||
        ec == asio::error::connection_reset || ec == asio::error::operation_aborted ||
        ec == asio::ssl::error::stream_truncated) {
      return Close();
    }
    if (ec) {
      int status = ec == http::error::body_limit     ? 413
                   : ec == http::error::header_limit ? 431
                                                     : 400;
      return SendError(status, status == 413   ? "request body too large\n"
                               : status == 431 ? "request header fields too large\n"
                                               : "bad request: " + ec.message() + "\n");
    }
    auto msg = std::make_shared<http::request<http::string_body>>(parser_->release());
    parser_.reset();
    if (websocket::is_upgrade(*msg)) return Upgrade(std::move(msg));
    auto req = std::make_shared<Request>(BuildRequest(*msg, Sock().native_handle()));
    req->body = std::move(msg->body());
    std::string ctype = req->Header("content-type");
    if (req->method == "POST" && ctype.rfind("application/x-www-form-urlencoded", 0) == 0) {
      ParseQueryString(req->body, &req->params);
    }
    unsigned version = msg->version();
    bool keep_alive = msg->keep_alive();
    busy_ = true;
    auto self = SelfOf(this);
    srv_->PoolFor(*req).Submit([self, req, version, keep_alive] {
      auto res = std::make_shared<http::response<http::string_body>>(
          self->srv_->Handle(*req, version, keep_alive));
      asio::post(self->ex_, [self, res] { self->DoWrite(res, false); });
    });
  }

  void SendError(int status, std::string body) {
    auto res =
        std::make_shared<http::response<http::string_body>>(static_cast<http::status>(status), 11);
    res->set(http::field::content_type, "text/plain; charset=utf-8");
    res->body() = std::move(body);
    res->keep_alive(false);
    res->prepare_payload();
    DoWrite(std::move(res), true);
  }

  // `linger`: the request was not read to its end; see Linger.
  void DoWrite(std::shared_ptr<http::response<http::string_body>> res, bool linger) {
    busy_ = false;
    if (closed_) return;
    Arm(srv_->opts.write_timeout_ms, Deadline::kClose);
    auto self = SelfOf(this);
    http::async_write(stream_, *res, [self, res, linger](beast::error_code ec, size_t) {
      self->Disarm();
      if (ec || self->closed_) return self->Close();
      if (linger) return self->Linger();
      if (!res->keep_alive()) return self->Close();
      self->DoIdle();
    });
  }

  // After an error answer to a request not read to its end: stops sending
  // and discards what the client still sends (at most 1 MiB or 1 s), so the
  // close does not reset the connection before the client reads the answer.
  void Linger() {
    beast::error_code ec;
    Sock().shutdown(tcp::socket::shutdown_send, ec);
    Arm(1000, Deadline::kClose);
    buf_.clear();
    DrainSome(0);
  }
  void DrainSome(size_t total) {
    if (closed_) return;
    if (total >= (1u << 20)) return Close();
    auto self = SelfOf(this);
    Sock().async_read_some(buf_.prepare(16384), [self, total](beast::error_code ec, size_t n) {
      if (ec) return self->Close();
      self->buf_.clear();
      self->DrainSome(total + n);
    });
  }

  // A WebSocket upgrade: its handler (and the check) block, so they run on
  // a thread of their own that drives the socket through the strand.
  void Upgrade(std::shared_ptr<http::request<http::string_body>> msg) {
    auto req = std::make_shared<Request>(BuildRequest(*msg, Sock().native_handle()));
    // Browsers cannot set headers on a WebSocket: they may name the tenant
    // in the query string instead (a header still wins).
    if (!req->headers.count("x-scope-orgid") && req->HasParam("X-Scope-OrgID")) {
      req->headers["x-scope-orgid"] = req->Param("X-Scope-OrgID");
    }
    auto wit = srv_->ws_routes.find(req->path);
    if (wit == srv_->ws_routes.end()) return Close();
    const WsHandler* handler = &wit->second;
    auto cit = srv_->ws_checks.find(req->path);
    const Handler* check = cit == srv_->ws_checks.end() ? nullptr : &cit->second;
    busy_ = true;
    auto self = SelfOf(this);
    ++srv_->ws_threads;
    std::thread([self, msg, req, handler, check] {
      self->RunWebSocket(msg, *req, *handler, check);
      --self->srv_->ws_threads;
    }).detach();
  }

  void RunWebSocket(std::shared_ptr<http::request<http::string_body>> msg, const Request& req,
                    const WsHandler& handler, const Handler* check) {
    Response bad;
    bad.status = 0;
    if (!srv_->Authorized(req)) {
      bad = HttpServer::Impl::Unauthorized();
    } else if (check != nullptr) {
      bad = (*check)(req);
    }
    auto self = SelfOf(this);
    if (bad.status >= 400) {
      auto res = std::make_shared<http::response<http::string_body>>(
          HttpServer::Impl::ToBeast(std::move(bad), msg->version(), false, ""));
      asio::post(ex_, [self, res] { self->DoWrite(res, false); });
      return;
    }
    // Hand the stream over to a WebSocket session, on the strand.
    auto holder = std::make_shared<std::shared_ptr<WsSession<Stream>>>();
    auto w = std::make_shared<Waiter>();
    asio::post(ex_, [self, holder, w] {
      self->busy_ = false;
      self->closed_ = true;
      self->Disarm();
      *holder =
          std::make_shared<WsSession<Stream>>(self->srv_, self->slot_, std::move(self->stream_));
      w->Set({});
    });
    beast::error_code ec;
    if (!w->Wait(5000, &ec)) return;  // only when the server stops
    auto ws = *holder;
    if (!ws->Accept(msg)) return;
    handler(req, *ws);
    ws->Close();
    ws->ForceClose();
    ws->ReleaseSlot();
  }

  HttpServer::Impl* srv_;
  std::shared_ptr<HttpSlot> slot_;
  // The strand; kept apart from stream_, which a WebSocket upgrade moves out.
  asio::any_io_executor ex_;
  Stream stream_;
  beast::flat_buffer buf_;
  asio::steady_timer timer_;
  uint64_t gen_ = 0;
  std::optional<http::request_parser<http::string_body>> parser_;
  bool timed_out_ = false;
  bool closed_ = false;
  bool busy_ = false;  // a handler runs: ForceClose waits for its answer
  bool idle_ = false;
  SteadyClock::time_point idle_since_;
};

// Reads the first bytes of a connection to a TLS port: a TLS handshake goes
// on to an HttpSession over TLS; plain HTTP gets Go's 400 and a close.
class TlsDetector : public std::enable_shared_from_this<TlsDetector> {
 public:
  TlsDetector(HttpServer::Impl* srv, std::shared_ptr<HttpSlot> slot, tcp::socket sock)
      : srv_(srv), slot_(std::move(slot)), sock_(std::move(sock)), timer_(sock_.get_executor()) {}

  void Run() {
    auto self = shared_from_this();
    timer_.expires_after(Millis(srv_->opts.idle_timeout_ms));
    timer_.async_wait([self](beast::error_code ec) {
      if (ec) return;
      beast::error_code e;
      self->sock_.close(e);
    });
    beast::async_detect_ssl(sock_, buf_, [self](beast::error_code ec, bool tls) {
      self->timer_.cancel();
      if (ec) return;
      if (!tls) {
        beast::error_code e;
        self->sock_.non_blocking(true, e);
        asio::write(self->sock_, asio::buffer(std::string_view(kTlsRefusal)), e);
        self->sock_.shutdown(tcp::socket::shutdown_send, e);
        return;
      }
      auto s = std::make_shared<HttpSession<TlsStream>>(
          self->srv_, self->slot_, TlsStream(std::move(self->sock_), *self->srv_->tls),
          std::move(self->buf_));
      s->Start();
    });
  }

 private:
  HttpServer::Impl* srv_;
  std::shared_ptr<HttpSlot> slot_;
  tcp::socket sock_;
  asio::steady_timer timer_;
  beast::flat_buffer buf_;
};

}  // namespace

void HttpServer::Impl::DoAccept() {
  acceptor->async_accept(asio::make_strand(ioc), [this](beast::error_code ec, tcp::socket sock) {
    OnAccept(ec, std::move(sock));
  });
}

void HttpServer::Impl::OnAccept(beast::error_code ec, tcp::socket sock) {
  if (stopping) return;
  if (ec) {
    // EMFILE and friends: try again shortly rather than spin.
    accept_retry->expires_after(Millis(10));
    accept_retry->async_wait([this](beast::error_code e) {
      if (!e && !stopping) DoAccept();
    });
    return;
  }
  {
    std::unique_lock<std::mutex> l(conn_mu);
    if (active >= opts.max_connections) {
      waiting.push_back({std::make_shared<tcp::socket>(std::move(sock)),
                         SteadyClock::now() + Millis(opts.accept_wait_ms)});
      ArmPressureLocked();
    } else {
      ++active;
      l.unlock();
      StartConnection(std::move(sock));
    }
  }
  DoAccept();
}

void HttpServer::Impl::StartConnection(tcp::socket sock) {
  beast::error_code ec;
  sock.set_option(tcp::no_delay(true), ec);
  auto slot = std::make_shared<HttpSlot>(this);
  auto ex = sock.get_executor();
  if (tls) {
    auto d = std::make_shared<TlsDetector>(this, std::move(slot), std::move(sock));
    asio::dispatch(ex, [d] { d->Run(); });
  } else {
    auto s = std::make_shared<HttpSession<tcp::socket>>(this, std::move(slot), std::move(sock),
                                                        beast::flat_buffer());
    asio::dispatch(ex, [s] { s->Start(); });
  }
}

void HttpServer::Impl::Release() {
  std::vector<std::shared_ptr<tcp::socket>> admit;
  {
    std::lock_guard<std::mutex> l(conn_mu);
    --active;
    while (!stopping && active < opts.max_connections && !waiting.empty()) {
      admit.push_back(std::move(waiting.front().sock));
      waiting.pop_front();
      ++active;
    }
    conn_cv.notify_all();
  }
  for (auto& s : admit) {
    asio::post(ioc, [this, s] { StartConnection(std::move(*s)); });
  }
}

void HttpServer::Impl::ArmPressureLocked() {
  if (pressure_armed) return;
  pressure_armed = true;
  pressure_timer->expires_after(Millis(20));
  pressure_timer->async_wait([this](beast::error_code ec) {
    if (!ec) OnPressureTick();
  });
}

// While clients wait for a slot: keep-alive connections idle for longer than
// idle_under_pressure_ms are closed to make room; a client that waited
// accept_wait_ms gets 503.
void HttpServer::Impl::OnPressureTick() {
  std::vector<std::shared_ptr<tcp::socket>> expired;
  std::vector<std::shared_ptr<HttpConnection>> all;
  auto now = SteadyClock::now();
  {
    std::lock_guard<std::mutex> l(conn_mu);
    pressure_armed = false;
    while (!waiting.empty() && (waiting.front().deadline <= now || stopping)) {
      expired.push_back(std::move(waiting.front().sock));
      waiting.pop_front();
    }
    if (!waiting.empty() && !stopping) {
      for (auto& [p, w] : conns)
        if (auto s = w.lock()) all.push_back(std::move(s));
      pressure_armed = true;
      pressure_timer->expires_after(Millis(50));
      pressure_timer->async_wait([this](beast::error_code ec) {
        if (!ec) OnPressureTick();
      });
    }
  }
  for (auto& c : all) c->CloseIfIdleSince(now - Millis(opts.idle_under_pressure_ms));
  for (auto& s : expired) {
    beast::error_code ec;
    if (!tls) {
      static const std::string k503 =
          "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; "
          "charset=utf-8\r\nContent-Length: 21\r\nConnection: close\r\n\r\ntoo many connections\n";
      s->non_blocking(true, ec);
      asio::write(*s, asio::buffer(k503), ec);
    }
    s->shutdown(tcp::socket::shutdown_send, ec);
    s->close(ec);
  }
}

HttpServer::HttpServer(HttpOptions opts) : impl_(std::make_unique<Impl>()) {
  impl_->opts = std::move(opts);
}

HttpServer::~HttpServer() { Stop(); }

void HttpServer::Route(const std::string& path, Handler h) {
  if (!path.empty() && path.back() == '*') {
    impl_->prefix_routes.push_back({path.substr(0, path.size() - 1), std::move(h)});
  } else {
    impl_->routes[path] = std::move(h);
  }
}

void HttpServer::RouteWebSocket(const std::string& path, WsHandler h) {
  impl_->ws_routes[path] = std::move(h);
}

void HttpServer::RouteWebSocket(const std::string& path, WsHandler h, Handler check) {
  impl_->ws_routes[path] = std::move(h);
  impl_->ws_checks[path] = std::move(check);
}

void HttpServer::OnRequest(std::function<void(const Request&, const Response&, double)> cb) {
  impl_->on_request = std::move(cb);
}

Status HttpServer::Start() {
  Impl& m = *impl_;
  if (m.opts.basic_auth.enabled()) {
    LODE_RETURN_IF_ERROR(BasicAuth::Make(m.opts.basic_auth, &m.basic_auth));
  }
  if (m.opts.tls.enabled()) LODE_RETURN_IF_ERROR(MakeTlsContext(m.opts.tls, &m.tls));
  beast::error_code ec;
  auto addr = asio::ip::make_address(m.opts.address, ec);
  if (ec) return Status::InvalidArgument("invalid listen address: " + m.opts.address);
  tcp::endpoint ep(addr, m.opts.port);
  m.acceptor = std::make_unique<tcp::acceptor>(asio::make_strand(m.ioc));
  m.acceptor->open(ep.protocol(), ec);
  if (!ec) m.acceptor->set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) m.acceptor->bind(ep, ec);
  if (!ec) m.acceptor->listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return Status::IOError("cannot listen on " + m.opts.address + ":" +
                           std::to_string(m.opts.port) + ": " + ec.message());
  }
  bound_port_ = m.acceptor->local_endpoint().port();
  m.pressure_timer = std::make_unique<asio::steady_timer>(m.ioc);
  m.accept_retry = std::make_unique<asio::steady_timer>(m.acceptor->get_executor());
  int workers = m.opts.worker_threads;
  if (workers <= 0)
    workers = 2 * static_cast<int>(std::max(1u, std::thread::hardware_concurrency())) + 8;
  const int cpus = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  m.pool = std::make_unique<WorkerPool>(workers, m.opts.query_nice);
  m.urgent_pool = std::make_unique<WorkerPool>(2 * cpus + 4);
  m.urgent.insert(m.opts.urgent_paths.begin(), m.opts.urgent_paths.end());
  asio::dispatch(m.acceptor->get_executor(), [&m] { m.DoAccept(); });
  m.work = std::make_unique<asio::executor_work_guard<asio::io_context::executor_type>>(
      m.ioc.get_executor());
  int io = std::max(1, std::min(m.opts.io_threads, 2));
  for (int i = 0; i < io; ++i) m.io_threads.emplace_back([&m] { m.ioc.run(); });
  return Status::OK();
}

void HttpServer::Stop() {
  if (!impl_ || impl_->stopping.exchange(true)) return;
  Impl& m = *impl_;
  if (m.io_threads.empty()) return;
  {
    auto w = std::make_shared<Waiter>();
    asio::post(m.acceptor->get_executor(), [&m, w] {
      beast::error_code ec;
      m.acceptor->close(ec);
      w->Set({});
    });
    beast::error_code ec;
    w->Wait(2000, &ec);
  }
  // Idle connections close now; busy ones after their answer (sent with
  // Connection: close); WebSockets see IsOpen() false.
  auto deadline = SteadyClock::now() + std::chrono::seconds(5);
  for (auto& c : m.AllConnections()) c->ForceClose();
  {
    std::unique_lock<std::mutex> l(m.conn_mu);
    for (auto& p : m.waiting) {
      beast::error_code ec;
      p.sock->close(ec);
    }
    m.waiting.clear();
    m.conn_cv.wait_until(l, deadline, [&m] { return m.active == 0; });
  }
  while (m.ws_threads > 0 && SteadyClock::now() < deadline) std::this_thread::sleep_for(Millis(10));
  m.ioc.stop();
  for (auto& t : m.io_threads) t.join();
  m.io_threads.clear();
  m.pool->Stop();
  m.urgent_pool->Stop();
}

uint64_t RaiseFileLimit() {
  rlimit r{};
  if (getrlimit(RLIMIT_NOFILE, &r) != 0) return 0;
  if (r.rlim_cur < r.rlim_max) {
    r.rlim_cur = r.rlim_max;
    setrlimit(RLIMIT_NOFILE, &r);
    getrlimit(RLIMIT_NOFILE, &r);
  }
  return r.rlim_cur;
}

}  // namespace lode::server
