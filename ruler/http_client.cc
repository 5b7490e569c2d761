// Blocking HTTP client (http_client.h) on Boost.Beast.

#include "ruler/http_client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>

namespace lode::ruler {

namespace beast = boost::beast;
namespace http = beast::http;
using tcp = boost::asio::ip::tcp;

Status ParseHttpUrl(const std::string& url, HttpUrl* out) {
  std::string rest;
  if (url.rfind("http://", 0) == 0) {
    rest = url.substr(7);
  } else if (url.rfind("https://", 0) == 0) {
    return Status::Unsupported("https is not supported (use plain http or a local proxy): " + url);
  } else {
    return Status::InvalidArgument("invalid URL (want http://host:port/path): " + url);
  }
  size_t slash = rest.find('/');
  std::string hostport = rest.substr(0, slash);
  out->path = slash == std::string::npos ? "/" : rest.substr(slash);
  size_t colon = hostport.rfind(':');
  if (colon != std::string::npos && hostport.find(']') == std::string::npos) {
    out->host = hostport.substr(0, colon);
    out->port = hostport.substr(colon + 1);
  } else {
    out->host = hostport;
  }
  if (out->host.empty() || out->port.empty())
    return Status::InvalidArgument("invalid URL (no host): " + url);
  return Status::OK();
}

Status HttpPost(const HttpUrl& url, const std::map<std::string, std::string>& headers,
                const std::string& body, int timeout_ms, HttpReply* reply) {
  try {
    boost::asio::io_context ioc;
    tcp::resolver resolver(ioc);
    beast::tcp_stream stream(ioc);
    stream.expires_after(std::chrono::milliseconds(timeout_ms));
    auto results = resolver.resolve(url.host, url.port);
    stream.connect(results);
    http::request<http::string_body> req{http::verb::post, url.path, 11};
    req.set(http::field::host, url.host + ":" + url.port);
    req.set(http::field::user_agent, "lode-ruler");
    for (const auto& [k, v] : headers) req.set(k, v);
    req.body() = body;
    req.prepare_payload();
    http::write(stream, req);
    beast::flat_buffer buf;
    http::response_parser<http::string_body> parser;
    parser.body_limit(1 << 20);
    http::read(stream, buf, parser);
    reply->status = static_cast<int>(parser.get().result_int());
    reply->body = parser.get().body();
    beast::error_code ec;
    stream.socket().shutdown(tcp::socket::shutdown_both, ec);
    return Status::OK();
  } catch (const std::exception& e) {
    return Status::IOError(url.host + ":" + url.port + url.path + ": " + e.what());
  }
}

}  // namespace lode::ruler
