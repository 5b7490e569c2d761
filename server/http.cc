// The HTTP server (server/http.h): accepting, the connection cap and the
// clients waiting for a slot, running handlers, start and stop. One
// connection's life is in http_session.cc, WebSockets in http_websocket.h,
// the shared declarations in http_server_impl.h.
#include <sys/resource.h>
#include <zlib.h>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>

#include "server/http_server_impl.h"

namespace lode::server {

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

}  // namespace

// Runs on a worker: auth, the handler, the OnRequest callback, gzip.
http::response<http::string_body> HttpServer::Impl::Handle(const Request& req, unsigned version,
                                                           bool keep_alive) {
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

http::response<http::string_body> HttpServer::Impl::ToBeast(Response res, unsigned version,
                                                            bool keep_alive,
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

HttpSlot::~HttpSlot() { srv->Release(); }

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
  for (auto& s : expired) RefuseOverCap(std::move(s));
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
