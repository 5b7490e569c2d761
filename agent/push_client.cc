#include "agent/push_client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cstdlib>
#include <ctime>

namespace lode::agent {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

Status ParsePushUrl(const std::string& url, PushUrl* out) {
  const std::string scheme = "http://";
  if (url.rfind(scheme, 0) != 0)
    return Status::InvalidArgument("push URL must start with http://: \"" + url + "\"");
  std::string rest = url.substr(scheme.size());
  size_t slash = rest.find('/');
  std::string hostport = rest.substr(0, slash);
  out->target = slash == std::string::npos ? "/loki/api/v1/push" : rest.substr(slash);
  size_t colon = hostport.rfind(':');
  if (colon != std::string::npos && hostport.find(']', colon) == std::string::npos) {
    out->host = hostport.substr(0, colon);
    out->port = hostport.substr(colon + 1);
  } else {
    out->host = hostport;
    out->port = "80";
  }
  if (out->host.size() > 2 && out->host.front() == '[' && out->host.back() == ']')
    out->host = out->host.substr(1, out->host.size() - 2);
  if (out->host.empty() || out->port.empty())
    return Status::InvalidArgument("push URL needs a host: \"" + url + "\"");
  return Status::OK();
}

struct PushClient::Conn {
  net::io_context ioc;
  beast::tcp_stream stream{ioc};
  beast::flat_buffer buf;
  bool open = false;
};

PushClient::PushClient(PushUrl url, std::string tenant, int64_t timeout_ns)
    : url_(std::move(url)), tenant_(std::move(tenant)), timeout_ns_(timeout_ns) {}
PushClient::~PushClient() = default;

namespace {

// Retry-After: delay-seconds or an HTTP-date (RFC 9110 10.2.3).
int64_t ParseRetryAfter(const std::string& v) {
  if (v.empty()) return -1;
  char* end = nullptr;
  long secs = std::strtol(v.c_str(), &end, 10);
  if (end && *end == '\0' && secs >= 0) return secs * 1000000000LL;
  struct tm tm = {};
  if (strptime(v.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm)) {
    int64_t at = static_cast<int64_t>(timegm(&tm));
    int64_t now = static_cast<int64_t>(time(nullptr));
    return at > now ? (at - now) * 1000000000LL : 0;
  }
  return -1;
}

}  // namespace

PushResult PushClient::Post(std::string_view body) {
  PushResult res;
  auto timeout = std::chrono::nanoseconds(timeout_ns_);
  for (int attempt = 0; attempt < 2; ++attempt) {
    bool reused = conn_ && conn_->open;
    if (!reused) {
      conn_ = std::make_unique<Conn>();
    }
    Conn& c = *conn_;
    c.ioc.restart();
    beast::error_code ec;
    // The body is referenced, not copied.
    http::request<http::span_body<const char>> req{http::verb::post, url_.target, 11};
    req.set(http::field::host, url_.host + ":" + url_.port);
    req.set(http::field::content_type, "application/x-protobuf");
    req.set(http::field::user_agent, "lode-agent");
    if (!tenant_.empty()) req.set("X-Scope-OrgID", tenant_);
    req.body() = beast::span<const char>(body.data(), body.size());
    req.prepare_payload();
    http::response<http::string_body> resp;
    tcp::resolver resolver(c.ioc);
    bool done = false;
    c.stream.expires_after(timeout);
    auto on_read = [&](beast::error_code e, size_t) {
      ec = e;
      done = true;
    };
    auto on_write = [&](beast::error_code e, size_t) {
      if (e) {
        ec = e;
        done = true;
        return;
      }
      http::async_read(c.stream, c.buf, resp, on_read);
    };
    auto send = [&] { http::async_write(c.stream, req, on_write); };
    if (reused) {
      send();
    } else {
      resolver.async_resolve(
          url_.host, url_.port, [&](beast::error_code e, tcp::resolver::results_type results) {
            if (e) {
              ec = e;
              done = true;
              return;
            }
            c.stream.async_connect(results, [&](beast::error_code e2, tcp::endpoint) {
              if (e2) {
                ec = e2;
                done = true;
                return;
              }
              send();
            });
          });
    }
    c.ioc.run_for(timeout + std::chrono::seconds(1));
    if (!done) ec = beast::error::timeout;
    if (ec) {
      c.open = false;
      beast::error_code ignored;
      c.stream.socket().close(ignored);
      // A kept-alive connection the server closed meanwhile: one fresh try.
      if (reused && ec != beast::error::timeout) continue;
      res.error = ec.message();
      return res;
    }
    res.connected = true;
    res.status = static_cast<int>(resp.result_int());
    res.body = std::move(resp.body());
    res.retry_after_ns = ParseRetryAfter(std::string(resp[http::field::retry_after]));
    c.open = resp.keep_alive();
    if (!c.open) {
      beast::error_code ignored;
      c.stream.socket().close(ignored);
    }
    return res;
  }
  res.error = "connection closed";
  return res;
}

}  // namespace lode::agent
