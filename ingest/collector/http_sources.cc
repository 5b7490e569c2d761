#include "ingest/collector/http_sources.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>

namespace lode::collector {

namespace beast = boost::beast;
namespace bhttp = beast::http;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

Status HttpGet(const std::string& url, int timeout_ms, size_t max_bytes, int* status,
               std::string* body) {
  const std::string scheme = "http://";
  if (url.compare(0, scheme.size(), scheme) != 0)
    return Status::InvalidArgument("only http:// URLs: " + url);
  std::string rest = url.substr(scheme.size());
  size_t slash = rest.find('/');
  std::string hostport = rest.substr(0, slash);
  std::string target = slash == std::string::npos ? "/" : rest.substr(slash);
  std::string host = hostport, port = "80";
  size_t colon = hostport.rfind(':');
  if (colon != std::string::npos && hostport.find(']') == std::string::npos) {
    host = hostport.substr(0, colon);
    port = hostport.substr(colon + 1);
  }
  if (host.empty()) return Status::InvalidArgument("no host in " + url);
  try {
    asio::io_context ioc;
    tcp::resolver resolver(ioc);
    beast::tcp_stream stream(ioc);
    stream.expires_after(std::chrono::milliseconds(timeout_ms));
    auto results = resolver.resolve(host, port);
    stream.connect(results);
    bhttp::request<bhttp::empty_body> req{bhttp::verb::get, target, 11};
    req.set(bhttp::field::host, hostport);
    req.set(bhttp::field::user_agent, "lode-collector");
    req.set(bhttp::field::accept, "application/json");
    bhttp::write(stream, req);
    beast::flat_buffer buf;
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(max_bytes);
    bhttp::read(stream, buf, parser);
    *status = parser.get().result_int();
    *body = std::move(parser.get().body());
    beast::error_code ec;
    stream.socket().shutdown(tcp::socket::shutdown_both, ec);
  } catch (const std::exception& e) {
    return Status::IOError(std::string("GET ") + url + ": " + e.what());
  }
  return Status::OK();
}

HttpSourcePoller::HttpSourcePoller(std::vector<std::string> urls, int64_t refresh_ns,
                                   std::function<void(const std::string&)> log,
                                   std::function<void()> on_change)
    : urls_(std::move(urls)),
      refresh_ns_(refresh_ns),
      log_(std::move(log)),
      on_change_(std::move(on_change)) {}

HttpSourcePoller::~HttpSourcePoller() { Stop(); }

void HttpSourcePoller::Start() {
  thread_ = std::thread([this] {
    std::unique_lock<std::mutex> l(mu_);
    while (!stop_) {
      l.unlock();
      PollOnce();
      l.lock();
      cv_.wait_for(l, std::chrono::nanoseconds(refresh_ns_), [this] { return stop_; });
    }
  });
}

void HttpSourcePoller::Stop() {
  {
    std::lock_guard<std::mutex> l(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void HttpSourcePoller::PollOnce() {
  bool changed = false;
  for (const auto& url : urls_) {
    int status = 0;
    std::string body, err;
    std::vector<LogSource> parsed;
    Status s = HttpGet(url, 5000, 4 << 20, &status, &body);
    if (!s.ok()) {
      err = s.message();
    } else if (status != 200) {
      err = "GET " + url + ": HTTP " + std::to_string(status);
    } else {
      Status p = ParseLogSourcesJson(body, url, &parsed);
      if (!p.ok()) err = p.message();
    }
    std::lock_guard<std::mutex> l(mu_);
    UrlState& st = state_[url];
    if (err != st.error && log_)
      log_(err.empty() ? "collector: " + url + " answers again" : "collector: " + err);
    st.error = err;
    if (err.empty() && body != st.body) {
      st.body = body;
      st.sources = std::move(parsed);
      changed = true;
    }
  }
  if (changed) {
    generation_.fetch_add(1);
    if (on_change_) on_change_();
  }
}

std::vector<LogSource> HttpSourcePoller::Sources() {
  std::lock_guard<std::mutex> l(mu_);
  std::vector<LogSource> out;
  for (const auto& [_, st] : state_) out.insert(out.end(), st.sources.begin(), st.sources.end());
  return out;
}

std::map<std::string, std::string> HttpSourcePoller::Errors() {
  std::lock_guard<std::mutex> l(mu_);
  std::map<std::string, std::string> out;
  for (const auto& url : urls_) out[url] = state_.count(url) ? state_[url].error : "not polled yet";
  return out;
}

}  // namespace lode::collector
