// HttpClient: a blocking HTTP/1.1 keep-alive client with hard deadlines.
//
// Built on Boost.Beast, but every operation (resolve, connect, write, read)
// runs as an asynchronous operation bounded by the client's timeout, so a
// call never blocks longer than about 2x the timeout, whatever the server
// does. Only plain http:// URLs are supported (no TLS).
//
// A connection is opened lazily and kept alive between requests. If a reused
// connection turns out to be closed by the server before any response byte
// arrives, the request is retried once on a fresh connection.
//
// Errors never throw: transport failures (refused, reset, timeout, ...) are
// reported in HttpResponse::error with status 0; any received HTTP status is
// reported as-is. Not thread-safe: use one client per thread.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace lode::bench {

struct Url {
  std::string host;
  std::string port;  // "80" when absent
  std::string base;  // path prefix without trailing '/', usually empty

  // Accepts "http://host[:port][/prefix]" (also host:port without scheme).
  static bool Parse(std::string_view text, Url* out, std::string* error);
  std::string ToString() const;
};

using Headers = std::vector<std::pair<std::string, std::string>>;

struct HttpResponse {
  int status = 0;  // 0 when no response was received
  std::string body;
  std::string error;   // transport error; empty when a response arrived
  double seconds = 0;  // wall time of the whole exchange

  bool ok() const { return error.empty() && status >= 200 && status < 300; }
  // One-line description for error reports, e.g. "HTTP 500: <body prefix>".
  std::string Describe() const;
};

class HttpClient {
 public:
  HttpClient(Url url, std::chrono::milliseconds timeout);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // `target` is the path and query (e.g. "/loki/api/v1/labels?start=1"); the
  // URL's base prefix is prepended.
  HttpResponse Get(std::string_view target, const Headers& headers = {});
  HttpResponse Post(std::string_view target, std::string body, const Headers& headers = {});

  const Url& url() const { return url_; }

 private:
  struct Impl;
  HttpResponse Send(bool post, std::string_view target, std::string body, const Headers& headers);

  Url url_;
  std::unique_ptr<Impl> impl_;
};

// Percent-encodes a query parameter value (RFC 3986 unreserved kept).
std::string UrlEncode(std::string_view value);

}  // namespace lode::bench
