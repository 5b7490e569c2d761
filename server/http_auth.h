// Access control for the HTTP server: HTTP basic auth against a bcrypt hash,
// and the OpenSSL context for TLS with Go's client_auth_type modes.
#pragma once

#include <boost/asio/ssl/context.hpp>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_set>

#include "base/status.h"
#include "server/http.h"

namespace lode::server {

// Checks `Authorization: Basic ...` headers against one user and a bcrypt
// hash (libxcrypt's crypt_r). bcrypt costs milliseconds on purpose, so a
// header that passed once is remembered (its SHA-256, at most 1,024 of them):
// a client pushing every second pays the cost once. Thread-safe.
class BasicAuth {
 public:
  // InvalidArgument when the hash is not bcrypt or crypt_r cannot use it.
  static Status Make(const BasicAuthOptions& opts, std::unique_ptr<BasicAuth>* out);
  // `header` is the Authorization header's value (may be empty).
  bool Check(std::string_view header);

 private:
  BasicAuthOptions opts_;
  std::mutex mu_;
  std::unordered_set<std::string> passed_;  // SHA-256 of headers that passed
};

// The server-side TLS context for `opts` (certificate, key, client
// verification). InvalidArgument with the file or key name on error.
Status MakeTlsContext(const TlsOptions& opts, std::unique_ptr<boost::asio::ssl::context>* out);

// Standard base64 (RFC 4648, padding optional); false on a bad character.
bool Base64Decode(std::string_view in, std::string* out);

}  // namespace lode::server
