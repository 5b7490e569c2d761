// The built-in log explorer's routes: GET / and /ui/ serve the page
// (ui/index.html), /ui/<path> the embedded assets (ui/assets.h), /ui
// redirects to /ui/. Registered only when ui.enabled is true, so with
// `ui.enabled: false` these paths answer 404 like any unknown path.
//
// Responses carry the asset's content type, a strong ETag (its gzip
// representation has its own, suffixed -gzip) and
// `Cache-Control: no-cache` (browsers revalidate and get 304 Not Modified
// when If-None-Match matches); the precompressed gzip body is sent when the
// client accepts gzip. The page needs no permission of its own: it calls the
// public Loki API like any client (tenant in X-Scope-OrgID).
#pragma once

#include "server/config.h"
#include "server/http.h"

namespace lode::server {

void RegisterUiRoutes(HttpServer* http, const Config& cfg);

// The response for GET `asset_path` (below /ui/, "" meaning index.html).
// Exposed for tests.
Response ServeUiAsset(const Request& req, std::string_view asset_path);

}  // namespace lode::server
