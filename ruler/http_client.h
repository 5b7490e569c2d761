// A minimal blocking HTTP/1.1 client for the ruler's outbound calls
// (Alertmanager, remote write): plain http:// URLs only, one request per
// connection, a deadline for connect + write + read. Thread-safe (no state).
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "base/status.h"

namespace lode::ruler {

struct HttpUrl {
  std::string host;
  std::string port = "80";
  std::string path = "/";
};

// Parses "http://host[:port][/path]"; https is rejected (kUnsupported).
Status ParseHttpUrl(const std::string& url, HttpUrl* out);

struct HttpReply {
  int status = 0;
  std::string body;
};

// POSTs `body` to `url` (whose path is used as is). A connection or timeout
// failure is a non-OK status; any HTTP answer is OK with reply->status.
Status HttpPost(const HttpUrl& url, const std::map<std::string, std::string>& headers,
                const std::string& body, int timeout_ms, HttpReply* reply);

}  // namespace lode::ruler
