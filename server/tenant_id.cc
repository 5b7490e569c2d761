#include "server/tenant_id.h"

#include <string>

namespace lode::server {

namespace {

bool Supported(unsigned char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  switch (c) {
    case '!':
    case '-':
    case '_':
    case '.':
    case '*':
    case '\'':
    case '(':
    case ')':
      return true;
    default:
      return false;
  }
}

}  // namespace

Status ValidateTenantId(std::string_view id) {
  for (size_t i = 0; i < id.size(); ++i) {
    const auto c = static_cast<unsigned char>(id[i]);
    if (Supported(c)) continue;
    // Go's fmt %c of the byte id[pos]: the code point of that byte value.
    std::string ch;
    if (c < 0x80) {
      ch.push_back(static_cast<char>(c));
    } else {
      ch.push_back(static_cast<char>(0xC0 | (c >> 6)));
      ch.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    }
    return Status::InvalidArgument("tenant ID '" + std::string(id) +
                                   "' contains unsupported character '" + ch + "'");
  }
  if (id.size() > kMaxTenantIdLength) {
    return Status::InvalidArgument("tenant ID is too long: max " +
                                   std::to_string(kMaxTenantIdLength) + " characters");
  }
  if (id == "." || id == "..") return Status::InvalidArgument("tenant ID is '.' or '..'");
  return Status::OK();
}

}  // namespace lode::server
