#include "server/http.h"

#include <poll.h>
#include <zlib.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <mutex>

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

// Waits until `fd` is readable (or writable) or `deadline` passes; false on
// timeout. `give_up` is polled every 100ms and ends the wait early.
bool WaitFd(int fd, short events, SteadyClock::time_point deadline,
            const std::function<bool()>& give_up = {}) {
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - SteadyClock::now())
                    .count();
    if (left <= 0) return false;
    pollfd p{};
    p.fd = fd;
    p.events = events;
    int r = ::poll(&p, 1, static_cast<int>(std::min<int64_t>(left, 100)));
    if (r > 0) return true;
    if (r < 0 && errno != EINTR) return true;  // let the next I/O report the error
    if (give_up && give_up()) return false;
  }
}

class BeastWebSocket : public WebSocket {
 public:
  explicit BeastWebSocket(websocket::stream<tcp::socket>* ws) : ws_(ws) {}
  bool SendText(const std::string& msg) override {
    std::lock_guard<std::mutex> l(mu_);
    if (!open_) return false;
    beast::error_code ec;
    ws_->text(true);
    ws_->write(asio::buffer(msg), ec);
    if (ec) open_ = false;
    return !ec;
  }
  bool IsOpen() const override { return open_; }
  void Close() override {
    std::lock_guard<std::mutex> l(mu_);
    if (!open_) return;
    beast::error_code ec;
    ws_->close(websocket::close_code::normal, ec);
    open_ = false;
  }
  void MarkClosed() { open_ = false; }

 private:
  websocket::stream<tcp::socket>* ws_;
  std::mutex mu_;
  std::atomic<bool> open_{true};
};

}  // namespace

struct HttpServer::Impl {
  HttpOptions opts;
  asio::io_context ioc;
  std::unique_ptr<tcp::acceptor> acceptor;
  std::map<std::string, Handler> routes;
  std::vector<std::pair<std::string, Handler>> prefix_routes;
  std::map<std::string, WsHandler> ws_routes;
  std::map<std::string, Handler> ws_checks;
  std::function<void(const Request&, const Response&, double)> on_request;
  std::thread accept_thread;
  std::atomic<bool> stopping{false};
  std::mutex conn_mu;
  std::condition_variable conn_cv;
  int active = 0;
  std::atomic<int> waiting_for_slot{0};  // new clients waiting for a free slot

  Response Dispatch(const Request& req) {
    auto it = routes.find(req.path);
    if (it != routes.end()) return it->second(req);
    for (const auto& [p, h] : prefix_routes)
      if (req.path.compare(0, p.size(), p) == 0) return h(req);
    return Response::Text(404, "404 page not found");
  }

  // Writes `res` on the non-blocking `sock` within write_timeout; false on
  // error or timeout.
  bool WriteWithDeadline(tcp::socket& sock, http::response<http::string_body>& res) {
    const auto deadline = SteadyClock::now() + std::chrono::milliseconds(opts.write_timeout_ms);
    http::response_serializer<http::string_body> sr{res};
    beast::error_code ec;
    while (!sr.is_done()) {
      http::write_some(sock, sr, ec);
      if (ec == asio::error::would_block || ec == asio::error::try_again) {
        if (!WaitFd(sock.native_handle(), POLLOUT, deadline)) return false;
        ec = {};
        continue;
      }
      if (ec) return false;
    }
    return true;
  }

  // After an error answer to a request not read to its end: stops sending
  // and discards what the client still sends (at most 1 MiB or 1 s), so the
  // close does not reset the connection before the client reads the answer.
  void LingeringClose(tcp::socket& sock) {
    beast::error_code ec;
    sock.shutdown(tcp::socket::shutdown_send, ec);
    const auto deadline = SteadyClock::now() + std::chrono::seconds(1);
    char b[16384];
    size_t total = 0;
    while (total < (1u << 20) && WaitFd(sock.native_handle(), POLLIN, deadline)) {
      size_t n = sock.read_some(asio::buffer(b), ec);
      if (ec == asio::error::would_block || ec == asio::error::try_again) continue;
      if (ec || n == 0) break;
      total += n;
    }
  }

  void Serve(tcp::socket sock) {
    beast::error_code ec;
    beast::flat_buffer buf;
    // Beast reads max(512, free capacity) bytes per recv: without room, a
    // 1 MB push body takes ~2,000 system calls.
    buf.reserve(64 * 1024);
    sock.set_option(tcp::no_delay(true), ec);
    // Non-blocking: every read and write below waits with poll(2) against a
    // deadline, so no client holds this thread longer than the timeouts.
    sock.non_blocking(true, ec);
    const int fd = sock.native_handle();
    while (!stopping) {
      http::request_parser<http::string_body> parser;
      parser.body_limit(opts.max_body_bytes);
      parser.header_limit(static_cast<uint32_t>(opts.max_header_bytes));
      // Idle: wait for the next request's first byte.
      if (buf.size() == 0) {
        auto idle_since = SteadyClock::now();
        bool ready =
            WaitFd(fd, POLLIN, idle_since + std::chrono::milliseconds(opts.idle_timeout_ms), [&] {
              return stopping || (waiting_for_slot.load() > 0 &&
                                  SteadyClock::now() - idle_since >
                                      std::chrono::milliseconds(opts.idle_under_pressure_ms));
            });
        if (!ready) break;
      }
      const auto read_deadline =
          SteadyClock::now() + std::chrono::milliseconds(opts.read_timeout_ms);
      bool timed_out = false;
      for (;;) {
        http::read_some(sock, buf, parser, ec);
        if (ec == asio::error::would_block || ec == asio::error::try_again) {
          if (!WaitFd(fd, POLLIN, read_deadline)) {
            timed_out = true;
            break;
          }
          continue;
        }
        if (ec || parser.is_done()) break;
      }
      if (!timed_out && (ec == http::error::end_of_stream || ec == asio::error::eof ||
                         ec == asio::error::connection_reset)) {
        break;
      }
      if (timed_out || ec) {
        int status = timed_out                         ? 408
                     : ec == http::error::body_limit   ? 413
                     : ec == http::error::header_limit ? 431
                                                       : 400;
        http::response<http::string_body> res{static_cast<http::status>(status), 11};
        res.set(http::field::content_type, "text/plain; charset=utf-8");
        res.body() =
            timed_out ? "request timed out: not received within server.http_server_read_timeout\n"
            : status == 413 ? "request body too large\n"
            : status == 431 ? "request header fields too large\n"
                            : "bad request: " + ec.message() + "\n";
        res.keep_alive(false);
        res.prepare_payload();
        if (WriteWithDeadline(sock, res)) LingeringClose(sock);
        break;
      }
      auto& msg = parser.get();
      auto t0 = std::chrono::steady_clock::now();
      Request req;
      req.method = std::string(msg.method_string());
      req.socket_fd = sock.native_handle();
      std::string_view target(msg.target().data(), msg.target().size());
      size_t q = target.find('?');
      req.path = UrlDecode(target.substr(0, q), false);
      if (q != std::string_view::npos) ParseQueryString(target.substr(q + 1), &req.params);
      for (const auto& f : msg) {
        std::string name(f.name_string());
        for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        req.headers[name] = std::string(f.value());
      }
      if (websocket::is_upgrade(msg)) {
        // Browsers cannot set headers on a WebSocket: they may name the
        // tenant in the query string instead (a header still wins).
        if (!req.headers.count("x-scope-orgid") && req.HasParam("X-Scope-OrgID")) {
          req.headers["x-scope-orgid"] = req.Param("X-Scope-OrgID");
        }
        auto wit = ws_routes.find(req.path);
        if (wit == ws_routes.end()) break;
        auto cit = ws_checks.find(req.path);
        if (cit != ws_checks.end()) {
          Response bad = cit->second(req);
          if (bad.status >= 400) {
            http::response<http::string_body> out{static_cast<http::status>(bad.status),
                                                  msg.version()};
            out.set(http::field::content_type, bad.content_type);
            out.body() = std::move(bad.body);
            out.keep_alive(false);
            out.prepare_payload();
            WriteWithDeadline(sock, out);
            break;
          }
        }
        sock.non_blocking(false, ec);
        websocket::stream<tcp::socket> ws(std::move(sock));
        ws.accept(msg, ec);
        if (ec) return;
        BeastWebSocket bw(&ws);
        // Reader thread notices the peer closing.
        std::thread reader([&ws, &bw] {
          beast::flat_buffer b;
          beast::error_code e;
          while (true) {
            ws.read(b, e);
            if (e) break;
            b.consume(b.size());
          }
          bw.MarkClosed();
        });
        wit->second(req, bw);
        bw.Close();
        beast::error_code e2;
        ws.next_layer().shutdown(tcp::socket::shutdown_both, e2);
        reader.join();
        return;
      }
      req.body = std::move(msg.body());
      std::string ctype = req.Header("content-type");
      if (req.method == "POST" && ctype.rfind("application/x-www-form-urlencoded", 0) == 0) {
        ParseQueryString(req.body, &req.params);
      }
      Response res;
      try {
        res = Dispatch(req);
      } catch (const std::exception& e) {
        res = Response::Text(500, std::string("internal error: ") + e.what());
      }
      double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      if (on_request) on_request(req, res, secs);
      http::response<http::string_body> out{static_cast<http::status>(res.status), msg.version()};
      out.set(http::field::server, "lode");
      out.set(http::field::content_type, res.content_type);
      for (const auto& [k, v] : res.headers) out.set(k, v);
      std::string ae = req.Header("accept-encoding");
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
      out.keep_alive(msg.keep_alive());
      out.prepare_payload();
      if (!WriteWithDeadline(sock, out) || !out.keep_alive()) break;
    }
    sock.shutdown(tcp::socket::shutdown_send, ec);
  }

  void AcceptLoop() {
    while (!stopping) {
      beast::error_code ec;
      tcp::socket sock(ioc);
      acceptor->accept(sock, ec);
      if (stopping) break;
      if (ec) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
        continue;
      }
      {
        std::unique_lock<std::mutex> l(conn_mu);
        if (active >= opts.max_connections) {
          // Idle keep-alive connections notice and close; wait for a slot.
          ++waiting_for_slot;
          conn_cv.wait_for(l, std::chrono::milliseconds(opts.accept_wait_ms),
                           [this] { return active < opts.max_connections || stopping; });
          --waiting_for_slot;
        }
        if (active >= opts.max_connections) {
          l.unlock();
          http::response<http::string_body> res{http::status::service_unavailable, 11};
          res.body() = "too many connections\n";
          res.keep_alive(false);
          res.prepare_payload();
          http::write(sock, res, ec);
          continue;
        }
        ++active;
      }
      std::thread([this, s = std::move(sock)]() mutable {
        Serve(std::move(s));
        std::lock_guard<std::mutex> l(conn_mu);
        --active;
        conn_cv.notify_all();
      }).detach();
    }
  }
};

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
  beast::error_code ec;
  auto addr = asio::ip::make_address(impl_->opts.address, ec);
  if (ec) return Status::InvalidArgument("invalid listen address: " + impl_->opts.address);
  tcp::endpoint ep(addr, impl_->opts.port);
  impl_->acceptor = std::make_unique<tcp::acceptor>(impl_->ioc);
  impl_->acceptor->open(ep.protocol(), ec);
  if (!ec) impl_->acceptor->set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) impl_->acceptor->bind(ep, ec);
  if (!ec) impl_->acceptor->listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return Status::IOError("cannot listen on " + impl_->opts.address + ":" +
                           std::to_string(impl_->opts.port) + ": " + ec.message());
  }
  bound_port_ = impl_->acceptor->local_endpoint().port();
  impl_->accept_thread = std::thread([this] { impl_->AcceptLoop(); });
  return Status::OK();
}

void HttpServer::Stop() {
  if (!impl_ || impl_->stopping.exchange(true)) return;
  if (impl_->acceptor) {
    beast::error_code ec;
    // Unblock accept() by connecting to ourselves, then close.
    tcp::socket s(impl_->ioc);
    auto ep = impl_->acceptor->local_endpoint(ec);
    if (!ec) {
      if (ep.address().is_unspecified()) ep.address(asio::ip::make_address("127.0.0.1"));
      s.connect(ep, ec);
    }
    impl_->acceptor->close(ec);
  }
  if (impl_->accept_thread.joinable()) impl_->accept_thread.join();
  std::unique_lock<std::mutex> l(impl_->conn_mu);
  impl_->conn_cv.wait_for(l, std::chrono::seconds(5), [this] { return impl_->active == 0; });
}

}  // namespace lode::server
