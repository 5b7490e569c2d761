// PushClient: POSTs push bodies to one http:// URL over a kept-alive
// connection, with a deadline for the whole request (connect, send,
// answer). Not thread-safe: one shipper thread uses it.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "base/status.h"

namespace lode::agent {

struct PushUrl {
  std::string host, port = "80", target = "/";
};
// Accepts http://HOST[:PORT][/PATH]; https is not supported.
Status ParsePushUrl(const std::string& url, PushUrl* out);

struct PushResult {
  bool connected = false;  // false: no HTTP answer (connection error, timeout)
  int status = 0;
  std::string body;
  std::string error;            // when !connected
  int64_t retry_after_ns = -1;  // the Retry-After header, when given
};

class PushClient {
 public:
  PushClient(PushUrl url, std::string tenant, int64_t timeout_ns);
  ~PushClient();
  // Sends `body` (snappy protobuf) with Content-Type application/x-protobuf.
  PushResult Post(std::string_view body);

 private:
  struct Conn;
  PushUrl url_;
  std::string tenant_;
  int64_t timeout_ns_;
  std::unique_ptr<Conn> conn_;
};

}  // namespace lode::agent
