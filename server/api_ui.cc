#include "server/api_ui.h"

#include <cstdlib>

#include "ui/assets.h"

namespace lode::server {

namespace {

// True when the Accept-Encoding header lists gzip with a non-zero q.
bool AcceptsGzip(const Request& req) {
  std::string ae = req.Header("accept-encoding");
  size_t i = ae.find("gzip");
  if (i == std::string::npos) return false;
  size_t end = ae.find(',', i);
  std::string item = ae.substr(i, end == std::string::npos ? std::string::npos : end - i);
  size_t q = item.find("q=");
  return q == std::string::npos || std::strtod(item.c_str() + q + 2, nullptr) > 0;
}

}  // namespace

Response ServeUiAsset(const Request& req, std::string_view asset_path) {
  if (req.method != "GET") {
    Response r = Response::Text(405, "method not allowed");
    r.headers.emplace_back("Allow", "GET");
    return r;
  }
  if (asset_path.empty()) asset_path = "index.html";
  const ui::Asset* a = ui::FindAsset(asset_path);
  if (a == nullptr) return Response::Text(404, "404 page not found");
  // A strong ETag names one representation, so the gzip one has its own.
  bool gz = !a->gzip.empty() && AcceptsGzip(req);
  std::string etag(a->etag);
  if (gz) etag.insert(etag.size() - 1, "-gzip");
  Response r;
  r.content_type = std::string(a->content_type);
  r.headers.emplace_back("ETag", etag);
  r.headers.emplace_back("Cache-Control", "no-cache");
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  if (asset_path == "index.html") {
    // Everything the page loads comes from this origin; it only fetches lode's API.
    r.headers.emplace_back("Content-Security-Policy",
                           "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:; "
                           "style-src 'self' 'unsafe-inline'; frame-ancestors 'none'");
  }
  if (!a->gzip.empty()) r.headers.emplace_back("Vary", "Accept-Encoding");
  std::string inm = req.Header("if-none-match");
  if (!inm.empty() && (inm == "*" || inm.find(etag) != std::string::npos)) {
    r.status = 304;
    return r;
  }
  if (gz) r.headers.emplace_back("Content-Encoding", "gzip");
  r.body = std::string(gz ? a->gzip : a->body);
  return r;
}

void RegisterUiRoutes(HttpServer* http, const Config& cfg) {
  if (!cfg.ui_enabled) return;
  http->Route("/", [](const Request& req) { return ServeUiAsset(req, ""); });
  http->Route("/ui", [](const Request&) {
    Response r = Response::Text(308, "/ui/");
    r.headers.emplace_back("Location", "/ui/");
    return r;
  });
  http->Route("/ui/*", [](const Request& req) {
    return ServeUiAsset(req, std::string_view(req.path).substr(4));
  });
}

}  // namespace lode::server
