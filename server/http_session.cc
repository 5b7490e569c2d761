// One HTTP connection of the server (server/http.h): the idle wait, reading
// a request with its deadline, the handler on a worker, the response;
// TLS detection on a TLS port; the 503 for clients over the connection cap.
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <optional>

#include "server/http_server_impl.h"
#include "server/http_websocket.h"

namespace lode::server {

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
    http::async_read_header(stream_, buf_, *parser_, [self](beast::error_code ec, size_t) {
      if (ec || self->closed_) return self->OnRead(ec);
      self->OnHeader();
    });
  }

  // Headers read, body not yet. As Go's net/http: `Expect: 100-continue` on
  // an HTTP/1.1 request with a body gets `100 Continue` before its body is
  // read (curl waits a second for it before sending bodies over 1 KiB; a
  // body over the limit gets its 413 before any of it is sent), any other
  // expectation gets 417.
  void OnHeader() {
    const auto& h = parser_->get();
    auto expect = h.find(http::field::expect);
    if (expect == h.end()) return ReadBody();
    if (!beast::iequals(expect->value(), "100-continue")) {
      return SendError(417, "expectation failed\n");
    }
    if (h.version() < 11 || parser_->is_done()) return ReadBody();
    static const std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
    auto self = SelfOf(this);
    asio::async_write(stream_, asio::buffer(kContinue), [self](beast::error_code ec, size_t) {
      if (ec || self->closed_) return self->Close();
      self->ReadBody();
    });
  }
  void ReadBody() {
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

// The 503 for a client that waited too long for a connection slot, over
// TLS: the handshake, the answer and the close together are bounded by one
// second. It holds no slot (the answer is all it gets).
class TlsRefusal : public std::enable_shared_from_this<TlsRefusal> {
 public:
  TlsRefusal(tcp::socket sock, asio::ssl::context& ctx)
      : stream_(std::move(sock), ctx), timer_(stream_.get_executor()) {}
  asio::any_io_executor executor() { return stream_.get_executor(); }

  void Run() {
    auto self = shared_from_this();
    timer_.expires_after(Millis(1000));
    timer_.async_wait([self](beast::error_code ec) {
      if (!ec) self->Close();
    });
    stream_.async_handshake(asio::ssl::stream_base::server, [self](beast::error_code ec) {
      if (ec) return self->Close();
      asio::async_write(self->stream_, asio::buffer(kTooManyConnections),
                        [self](beast::error_code, size_t) { self->Close(); });
    });
  }

 private:
  void Close() {
    timer_.cancel();
    beast::error_code ec;
    beast::get_lowest_layer(stream_).shutdown(tcp::socket::shutdown_send, ec);
    beast::get_lowest_layer(stream_).close(ec);
  }

  TlsStream stream_;
  asio::steady_timer timer_;
};

}  // namespace

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

void HttpServer::Impl::RefuseOverCap(std::shared_ptr<tcp::socket> sock) {
  if (tls) {
    auto r = std::make_shared<TlsRefusal>(std::move(*sock), *tls);
    asio::dispatch(r->executor(), [r] { r->Run(); });
    return;
  }
  beast::error_code ec;
  sock->non_blocking(true, ec);
  asio::write(*sock, asio::buffer(kTooManyConnections), ec);
  sock->shutdown(tcp::socket::shutdown_send, ec);
  sock->close(ec);
}

}  // namespace lode::server
