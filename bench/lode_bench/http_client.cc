#include "bench/lode_bench/http_client.h"

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <optional>

namespace lode::bench {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

constexpr uint64_t kMaxResponseBytes = 1ULL << 30;

std::string Seconds(std::chrono::milliseconds d) {
  char buf[32];
  snprintf(buf, sizeof(buf), "%.1fs", static_cast<double>(d.count()) / 1000.0);
  return buf;
}

bool IsStaleConnectionError(const beast::error_code& ec) {
  return ec == http::error::end_of_stream || ec == asio::error::eof ||
         ec == asio::error::connection_reset || ec == asio::error::broken_pipe ||
         ec == http::error::partial_message;
}

}  // namespace

bool Url::Parse(std::string_view text, Url* out, std::string* error) {
  Url url;
  if (text.starts_with("https://")) {
    *error = "https is not supported (use a plain http:// URL): " + std::string(text);
    return false;
  }
  if (text.starts_with("http://")) text.remove_prefix(7);
  size_t slash = text.find('/');
  std::string_view authority = text.substr(0, slash);
  if (slash != std::string_view::npos) {
    std::string_view base = text.substr(slash);
    while (!base.empty() && base.back() == '/') base.remove_suffix(1);
    url.base = std::string(base);
  }
  size_t colon = authority.rfind(':');
  if (colon != std::string_view::npos && authority.find(']', colon) == std::string_view::npos) {
    url.host = std::string(authority.substr(0, colon));
    url.port = std::string(authority.substr(colon + 1));
  } else {
    url.host = std::string(authority);
    url.port = "80";
  }
  if (url.host.size() > 2 && url.host.front() == '[' && url.host.back() == ']') {
    url.host = url.host.substr(1, url.host.size() - 2);
  }
  if (url.host.empty() || url.port.empty() ||
      url.port.find_first_not_of("0123456789") != std::string::npos) {
    *error = "invalid URL (want http://host:port): " + std::string(text);
    return false;
  }
  *out = std::move(url);
  return true;
}

std::string Url::ToString() const {
  bool v6 = host.find(':') != std::string::npos;
  return "http://" + (v6 ? "[" + host + "]" : host) + ":" + port + base;
}

std::string HttpResponse::Describe() const {
  if (!error.empty()) return error;
  std::string text = "HTTP " + std::to_string(status);
  if (!body.empty()) {
    std::string snippet = body.substr(0, 300);
    for (char& c : snippet) {
      if (c == '\n' || c == '\r') c = ' ';
    }
    text += ": " + snippet;
    if (body.size() > 300) text += "...";
  }
  return text;
}

struct HttpClient::Impl {
  explicit Impl(std::chrono::milliseconds t) : timeout(t) {}

  // Runs queued operations to completion. The stream's own timers bound
  // connect/read/write; this outer deadline also covers name resolution and
  // guarantees we never wait forever.
  void Run(tcp::resolver* resolver = nullptr) {
    ioc.restart();
    ioc.run_for(timeout * 2 + std::chrono::seconds(1));
    if (!ioc.stopped()) {
      if (resolver != nullptr) resolver->cancel();
      beast::error_code ignored;
      stream.socket().close(ignored);
      ioc.run();
    }
  }

  void Close() {
    beast::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream.socket().close(ignored);
    buffer.clear();
    connected = false;
  }

  bool Connect(const Url& url, std::string* error) {
    tcp::resolver resolver(ioc);
    beast::error_code ec = asio::error::timed_out;
    tcp::resolver::results_type results;
    resolver.async_resolve(url.host, url.port,
                           [&](const beast::error_code& e, tcp::resolver::results_type r) {
                             ec = e;
                             results = std::move(r);
                           });
    Run(&resolver);
    if (ec) {
      *error = "resolve " + url.host + ": " + ec.message();
      return false;
    }
    ec = asio::error::timed_out;
    stream.expires_after(timeout);
    stream.async_connect(results,
                         [&](const beast::error_code& e, const tcp::endpoint&) { ec = e; });
    Run();
    if (ec) {
      *error = "connect to " + url.host + ":" + url.port + ": " +
               (ec == beast::error::timeout ? "timed out after " + Seconds(timeout) : ec.message());
      Close();
      return false;
    }
    stream.socket().set_option(tcp::no_delay(true));
    connected = true;
    return true;
  }

  asio::io_context ioc;
  beast::tcp_stream stream{ioc};
  beast::flat_buffer buffer;
  bool connected = false;
  std::chrono::milliseconds timeout;
};

HttpClient::HttpClient(Url url, std::chrono::milliseconds timeout)
    : url_(std::move(url)), impl_(std::make_unique<Impl>(timeout)) {}

HttpClient::~HttpClient() { impl_->Close(); }

HttpResponse HttpClient::Get(std::string_view target, const Headers& headers) {
  return Send(false, target, std::string(), headers);
}

HttpResponse HttpClient::Post(std::string_view target, std::string body, const Headers& headers) {
  return Send(true, target, std::move(body), headers);
}

HttpResponse HttpClient::Send(bool post, std::string_view target, std::string body,
                              const Headers& headers) {
  const http::verb verb = post ? http::verb::post : http::verb::get;
  HttpResponse result;
  auto start = std::chrono::steady_clock::now();
  http::request<http::string_body> req{verb, url_.base + std::string(target), 11};
  req.set(http::field::host, url_.host + ":" + url_.port);
  req.set(http::field::user_agent, "lode-bench");
  for (const auto& [name, value] : headers) req.set(name, value);
  req.body() = std::move(body);
  req.prepare_payload();

  for (int attempt = 0; attempt < 2; ++attempt) {
    bool reused = impl_->connected;
    if (!impl_->connected && !impl_->Connect(url_, &result.error)) break;
    result.error.clear();

    std::optional<http::response_parser<http::string_body>> parser;
    parser.emplace();
    parser->body_limit(kMaxResponseBytes);
    beast::error_code ec = asio::error::timed_out;
    bool wrote = false;
    impl_->stream.expires_after(impl_->timeout);
    http::async_write(impl_->stream, req, [&](const beast::error_code& e, size_t) {
      ec = e;
      if (e) return;
      wrote = true;
      ec = asio::error::timed_out;
      impl_->stream.expires_after(impl_->timeout);
      http::async_read(impl_->stream, impl_->buffer, *parser,
                       [&](const beast::error_code& e2, size_t) { ec = e2; });
    });
    impl_->Run();

    if (!ec) {
      auto response = parser->release();
      result.status = static_cast<int>(response.result_int());
      result.body = std::move(response.body());
      if (!response.keep_alive()) impl_->Close();
      break;
    }
    bool got_header = parser->is_header_done();
    impl_->Close();
    if (reused && !got_header && IsStaleConnectionError(ec)) continue;
    std::string stage = wrote ? "reading response" : "sending request";
    result.error =
        stage + " from " + url_.host + ":" + url_.port + ": " +
        (ec == beast::error::timeout ? "timed out after " + Seconds(impl_->timeout) : ec.message());
    break;
  }
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

std::string UrlEncode(std::string_view value) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(value.size() * 3);
  for (unsigned char c : value) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

}  // namespace lode::bench
