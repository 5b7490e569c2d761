// IP matching for `|= ip("...")` line filters and `label = ip("...")` label
// filters (Loki's pkg/logql/log/ip.go).
//
// A pattern is a single address ("192.168.0.1", "::1"), a CIDR prefix
// ("10.0.0.0/8", "2001:db8::/32") or an inclusive range
// ("192.168.0.1-192.168.0.23"), parsed with Go's net/netip rules (no
// leading zeros in IPv4 octets, no zone in a prefix). An IPv4 address never
// matches an IPv6 pattern and vice versa.
//
// FindIn() scans arbitrary text for address-looking tokens exactly as Loki
// does (a digit followed by a '.' within 3 bytes for IPv4, hex digits and a
// ':' for IPv6) and reports whether any parsed token matches. It does not
// allocate. An IpMatcher is immutable and thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>

#include "base/status.h"

namespace lode::logql {

struct IpAddr {
  bool v6 = false;
  bool has_zone = false;
  uint8_t b[16] = {};  // v4: b[0..3]

  int BitLen() const { return v6 ? 128 : 32; }
};

// Go's netip.ParseAddr.
bool ParseIpAddr(std::string_view s, IpAddr* out);

// netip.Addr.Compare without zones: family first, then the bytes.
int CompareIp(const IpAddr& a, const IpAddr& b);

class IpMatcher {
 public:
  // Fails with `ip: invalid pattern: "<pattern>"`.
  static Status Create(std::string_view pattern, std::unique_ptr<IpMatcher>* out);

  bool Contains(const IpAddr& ip) const;

  // True when any IP address token in `text` is matched.
  bool FindIn(std::string_view text) const;

 private:
  enum class Kind { kSingle, kPrefix, kRange };
  Kind kind_ = Kind::kSingle;
  IpAddr a_, b_;  // single: a_; prefix: a_ (masked) and bits_; range: [a_, b_]
  int bits_ = 0;
};

}  // namespace lode::logql
