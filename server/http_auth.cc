#include "server/http_auth.h"

#include <crypt.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>

#include <cstring>
#include <vector>

namespace lode::server {

namespace ssl = boost::asio::ssl;

bool Base64Decode(std::string_view in, std::string* out) {
  out->clear();
  uint32_t acc = 0;
  int bits = 0;
  for (char c : in) {
    int v;
    if (c >= 'A' && c <= 'Z')
      v = c - 'A';
    else if (c >= 'a' && c <= 'z')
      v = c - 'a' + 26;
    else if (c >= '0' && c <= '9')
      v = c - '0' + 52;
    else if (c == '+')
      v = 62;
    else if (c == '/')
      v = 63;
    else if (c == '=')
      break;
    else
      return false;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out->push_back(static_cast<char>((acc >> bits) & 0xff));
    }
  }
  return true;
}

namespace {

bool IsBcrypt(const std::string& h) {
  return h.size() == 60 &&
         (h.rfind("$2a$", 0) == 0 || h.rfind("$2b$", 0) == 0 || h.rfind("$2y$", 0) == 0);
}

// crypt_r of `password` with `hash` as setting; empty on failure.
std::string Bcrypt(const std::string& password, const std::string& hash) {
  auto data = std::make_unique<crypt_data>();
  memset(data.get(), 0, sizeof(crypt_data));
  const char* r = crypt_r(password.c_str(), hash.c_str(), data.get());
  if (r == nullptr || r[0] == '*') return "";
  return r;
}

bool ConstantTimeEqual(const std::string& a, const std::string& b) {
  if (a.size() != b.size()) return false;
  unsigned char d = 0;
  for (size_t i = 0; i < a.size(); ++i) d |= static_cast<unsigned char>(a[i] ^ b[i]);
  return d == 0;
}

std::string Sha256(std::string_view s) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_Digest(s.data(), s.size(), md, &n, EVP_sha256(), nullptr);
  return std::string(reinterpret_cast<char*>(md), n);
}

}  // namespace

Status BasicAuth::Make(const BasicAuthOptions& opts, std::unique_ptr<BasicAuth>* out) {
  if (opts.username.find(':') != std::string::npos)
    return Status::InvalidArgument("config: server.basic_auth.username: must not contain ':'");
  if (!IsBcrypt(opts.password_hash) || Bcrypt("", opts.password_hash).empty()) {
    return Status::InvalidArgument(
        "config: server.basic_auth.password_hash: expected a bcrypt hash ($2a$, $2b$ or $2y$, "
        "60 characters), e.g. from `htpasswd -nbBC 10 USER PASSWORD`");
  }
  auto a = std::make_unique<BasicAuth>();
  a->opts_ = opts;
  *out = std::move(a);
  return Status::OK();
}

bool BasicAuth::Check(std::string_view header) {
  if (header.size() < 6 || header.size() > 4096) return false;
  std::string scheme(header.substr(0, 6));
  for (auto& c : scheme) c = static_cast<char>(tolower(static_cast<unsigned char>(c)));
  if (scheme != "basic ") return false;
  std::string key = Sha256(header);
  {
    std::lock_guard<std::mutex> l(mu_);
    if (passed_.count(key)) return true;
  }
  std::string_view b64 = header.substr(6);
  while (!b64.empty() && b64.front() == ' ') b64.remove_prefix(1);
  std::string cred;
  if (!Base64Decode(b64, &cred)) return false;
  size_t colon = cred.find(':');
  if (colon == std::string::npos) return false;
  bool user_ok = ConstantTimeEqual(cred.substr(0, colon), opts_.username);
  std::string got = Bcrypt(cred.substr(colon + 1), opts_.password_hash);
  if (!ConstantTimeEqual(got, opts_.password_hash) || !user_ok) return false;
  std::lock_guard<std::mutex> l(mu_);
  if (passed_.size() >= 1024) passed_.clear();
  passed_.insert(std::move(key));
  return true;
}

Status MakeTlsContext(const TlsOptions& opts, std::unique_ptr<ssl::context>* out) {
  const std::string k = "config: server.http_tls_config.";
  auto ctx = std::make_unique<ssl::context>(ssl::context::tls_server);
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                   ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 |
                   ssl::context::single_dh_use);
  boost::system::error_code ec;
  if (opts.key_file.empty())
    return Status::InvalidArgument(k + "key_file: required with cert_file");
  ctx->use_certificate_chain_file(opts.cert_file, ec);
  if (ec) return Status::InvalidArgument(k + "cert_file: " + opts.cert_file + ": " + ec.message());
  ctx->use_private_key_file(opts.key_file, ssl::context::pem, ec);
  if (ec) return Status::InvalidArgument(k + "key_file: " + opts.key_file + ": " + ec.message());
  SSL_CTX* native = ctx->native_handle();
  if (SSL_CTX_check_private_key(native) != 1)
    return Status::InvalidArgument(k + "key_file: does not match cert_file");
  static const unsigned char kSessionContext[] = "lode";
  SSL_CTX_set_session_id_context(native, kSessionContext, sizeof(kSessionContext) - 1);
  const std::string& t = opts.client_auth_type;
  bool verify = t == "VerifyClientCertIfGiven" || t == "RequireAndVerifyClientCert";
  bool require = t == "RequireAnyClientCert" || t == "RequireAndVerifyClientCert";
  bool request = t == "RequestClientCert" || require || verify;
  if (!t.empty() && t != "NoClientCert" && !request) {
    return Status::InvalidArgument(
        k + "client_auth_type: unknown \"" + t +
        "\" (NoClientCert, RequestClientCert, RequireAnyClientCert, VerifyClientCertIfGiven, "
        "RequireAndVerifyClientCert)");
  }
  if (!opts.client_ca_file.empty()) {
    ctx->load_verify_file(opts.client_ca_file, ec);
    if (ec)
      return Status::InvalidArgument(k + "client_ca_file: " + opts.client_ca_file + ": " +
                                     ec.message());
    // Tells clients which CAs the server accepts.
    STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(opts.client_ca_file.c_str());
    if (names != nullptr) SSL_CTX_set_client_CA_list(native, names);
  } else if (verify) {
    return Status::InvalidArgument(k + "client_ca_file: required with client_auth_type " + t);
  }
  if (!request) {
    ctx->set_verify_mode(ssl::verify_none);
  } else {
    ctx->set_verify_mode(ssl::verify_peer | (require ? ssl::verify_fail_if_no_peer_cert : 0));
    // Request/RequireAny: any certificate is accepted, as in Go.
    if (!verify) ctx->set_verify_callback([](bool, ssl::verify_context&) { return true; });
  }
  *out = std::move(ctx);
  return Status::OK();
}

}  // namespace lode::server
