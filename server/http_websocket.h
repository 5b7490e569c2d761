// A connection after a WebSocket upgrade (private to the HTTP server;
// included by http_session.cc, which hands a connection over to it).
#pragma once

#include <atomic>
#include <boost/asio/post.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <mutex>

#include "server/http_server_impl.h"

namespace lode::server {

namespace websocket = beast::websocket;

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

}  // namespace lode::server
