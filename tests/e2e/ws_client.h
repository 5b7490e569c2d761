// A blocking WebSocket client with read timeouts, for end-to-end tests of the
// tail endpoints.
#pragma once

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <chrono>
#include <map>
#include <string>

namespace lode::testing {

class WsClient {
 public:
  // `headers` go on the upgrade request (e.g. X-Scope-OrgID).
  bool Connect(int port, const std::string& target, std::string* err,
               const std::map<std::string, std::string>& headers = {}) {
    try {
      boost::beast::get_lowest_layer(ws_).connect(
          boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), port));
      ws_.set_option(boost::beast::websocket::stream_base::decorator(
          [headers](boost::beast::websocket::request_type& req) {
            for (const auto& [k, v] : headers) req.set(k, v);
          }));
      ws_.handshake("127.0.0.1", target);
      return true;
    } catch (const std::exception& e) {
      *err = e.what();
      return false;
    }
  }

  // One text message within timeout_ms; false on timeout or close.
  bool Read(std::string* msg, int timeout_ms) {
    boost::beast::flat_buffer buf;
    bool done = false;
    boost::beast::error_code ec;
    ws_.async_read(buf, [&](boost::beast::error_code e, size_t) {
      ec = e;
      done = true;
    });
    ioc_.restart();
    ioc_.run_for(std::chrono::milliseconds(timeout_ms));
    if (!done) {
      boost::beast::get_lowest_layer(ws_).cancel();
      ioc_.restart();
      ioc_.run();
      return false;
    }
    if (ec) return false;
    *msg = boost::beast::buffers_to_string(buf.data());
    return true;
  }

  void Close() {
    boost::beast::error_code ec;
    ws_.close(boost::beast::websocket::close_code::normal, ec);
  }

 private:
  boost::asio::io_context ioc_;
  boost::beast::websocket::stream<boost::beast::tcp_stream> ws_{ioc_};
};

}  // namespace lode::testing
