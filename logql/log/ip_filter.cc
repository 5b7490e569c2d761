#include "logql/log/ip_filter.h"

#include <cstring>

#include "base/labels.h"

namespace lode::logql {

namespace {

bool ParseIPv4(std::string_view s, uint8_t out[4]) {
  int val = 0, pos = 0, dig_len = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c >= '0' && c <= '9') {
      if (dig_len == 1 && val == 0) return false;  // leading zero
      val = val * 10 + (c - '0');
      ++dig_len;
      if (val > 255) return false;
    } else if (c == '.') {
      if (i == 0 || i == s.size() - 1 || s[i - 1] == '.') return false;
      if (pos == 3) return false;
      out[pos++] = static_cast<uint8_t>(val);
      val = 0;
      dig_len = 0;
    } else {
      return false;
    }
  }
  if (pos < 3) return false;
  out[3] = static_cast<uint8_t>(val);
  return true;
}

int HexVal(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool ParseIPv6(std::string_view in, IpAddr* out) {
  std::string_view s = in;
  out->has_zone = false;
  size_t pct = s.find('%');
  if (pct != std::string_view::npos) {
    if (pct + 1 == s.size()) return false;  // empty zone
    out->has_zone = true;
    s = s.substr(0, pct);
  }
  uint8_t ip[16] = {};
  int ellipsis = -1;
  if (s.size() >= 2 && s[0] == ':' && s[1] == ':') {
    ellipsis = 0;
    s.remove_prefix(2);
    if (s.empty()) {
      out->v6 = true;
      std::memset(out->b, 0, 16);
      return true;
    }
  }
  int i = 0;
  while (i < 16) {
    size_t off = 0;
    uint32_t acc = 0;
    for (; off < s.size(); ++off) {
      int h = HexVal(s[off]);
      if (h < 0) break;
      acc = (acc << 4) + static_cast<uint32_t>(h);
      if (off > 3) return false;
      if (acc > 0xffff) return false;
    }
    if (off == 0) return false;
    if (off < s.size() && s[off] == '.') {
      if (ellipsis < 0 && i != 12) return false;
      if (i + 4 > 16) return false;
      uint8_t v4[4];
      if (!ParseIPv4(s, v4)) return false;
      std::memcpy(ip + i, v4, 4);
      s = {};
      i += 4;
      break;
    }
    ip[i] = static_cast<uint8_t>(acc >> 8);
    ip[i + 1] = static_cast<uint8_t>(acc);
    i += 2;
    s.remove_prefix(off);
    if (s.empty()) break;
    if (s[0] != ':') return false;
    if (s.size() == 1) return false;
    s.remove_prefix(1);
    if (s[0] == ':') {
      if (ellipsis >= 0) return false;
      ellipsis = i;
      s.remove_prefix(1);
      if (s.empty()) break;
    }
  }
  if (!s.empty()) return false;
  if (i < 16) {
    if (ellipsis < 0) return false;
    int n = 16 - i;
    for (int j = i - 1; j >= ellipsis; --j) ip[j + n] = ip[j];
    std::memset(ip + ellipsis, 0, static_cast<size_t>(n));
  } else if (ellipsis >= 0) {
    return false;
  }
  out->v6 = true;
  std::memcpy(out->b, ip, 16);
  return true;
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsHex(char c) { return HexVal(c) >= 0; }

bool Ipv4Hint(const char* p) {
  return IsDigit(p[0]) && (p[1] == '.' || p[2] == '.' || p[3] == '.');
}

bool Ipv6Hint(const char* p) {
  bool h1 = p[0] == ':' && p[1] == ':' && IsHex(p[2]);
  bool h2 = IsHex(p[0]) && p[1] == ':';
  bool h3 = IsHex(p[0]) && IsHex(p[1]) && p[2] == ':';
  bool h4 = IsHex(p[0]) && IsHex(p[1]) && IsHex(p[2]) && p[3] == ':';
  bool h5 = IsHex(p[0]) && IsHex(p[1]) && IsHex(p[2]) && IsHex(p[3]) && p[4] == ':';
  return h1 || h2 || h3 || h4 || h5;
}

bool InV4Charset(char c) { return IsDigit(c) || c == '.'; }
bool InV6Charset(char c) { return IsHex(c) || c == ':' || c == '.'; }

}  // namespace

bool ParseIpAddr(std::string_view s, IpAddr* out) {
  for (char c : s) {
    switch (c) {
      case '.':
        out->v6 = false;
        out->has_zone = false;
        std::memset(out->b, 0, 16);
        return ParseIPv4(s, out->b);
      case ':':
        return ParseIPv6(s, out);
      case '%':
        return false;
      default:
        break;
    }
  }
  return false;
}

int CompareIp(const IpAddr& a, const IpAddr& b) {
  if (a.BitLen() != b.BitLen()) return a.BitLen() < b.BitLen() ? -1 : 1;
  return std::memcmp(a.b, b.b, a.v6 ? 16 : 4);
}

Status IpMatcher::Create(std::string_view pattern, std::unique_ptr<IpMatcher>* out) {
  auto m = std::make_unique<IpMatcher>();
  IpAddr a;
  bool ok = false;
  if (ParseIpAddr(pattern, &a)) {
    m->kind_ = Kind::kSingle;
    m->a_ = a;
    ok = true;
  } else if (size_t slash = pattern.rfind('/'); slash != std::string_view::npos) {
    std::string_view bits = pattern.substr(slash + 1);
    if (ParseIpAddr(pattern.substr(0, slash), &a) && !(a.v6 && a.has_zone) && !bits.empty() &&
        bits.size() <= 3 && (bits.size() == 1 || (bits[0] >= '1' && bits[0] <= '9'))) {
      int n = 0;
      bool digits = true;
      for (char c : bits) {
        if (!IsDigit(c)) digits = false;
        n = n * 10 + (c - '0');
      }
      if (digits && n <= a.BitLen()) {
        m->kind_ = Kind::kPrefix;
        m->bits_ = n;
        m->a_ = a;
        ok = true;
      }
    }
  }
  if (!ok) {
    if (size_t h = pattern.find('-'); h != std::string_view::npos) {
      IpAddr from, to;
      if (ParseIpAddr(pattern.substr(0, h), &from) && ParseIpAddr(pattern.substr(h + 1), &to)) {
        from.has_zone = to.has_zone = false;
        if (from.BitLen() == to.BitLen() && CompareIp(to, from) >= 0) {
          m->kind_ = Kind::kRange;
          m->a_ = from;
          m->b_ = to;
          ok = true;
        }
      }
    }
  }
  if (!ok) return Status::InvalidArgument("ip: invalid pattern: " + GoQuote(pattern));
  *out = std::move(m);
  return Status::OK();
}

bool IpMatcher::Contains(const IpAddr& ip) const {
  switch (kind_) {
    case Kind::kSingle:
      return a_.has_zone == ip.has_zone && CompareIp(a_, ip) == 0;
    case Kind::kRange:
      return !ip.has_zone && CompareIp(a_, ip) <= 0 && CompareIp(b_, ip) >= 0;
    case Kind::kPrefix: {
      if (ip.has_zone || ip.BitLen() != a_.BitLen()) return false;
      int full = bits_ / 8, rem = bits_ % 8;
      if (std::memcmp(a_.b, ip.b, static_cast<size_t>(full)) != 0) return false;
      if (rem == 0) return true;
      uint8_t mask = static_cast<uint8_t>(0xff << (8 - rem));
      return (a_.b[full] & mask) == (ip.b[full] & mask);
    }
  }
  return false;
}

bool IpMatcher::FindIn(std::string_view text) const {
  const size_t n = text.size();
  const char* p = text.data();
  for (size_t i = 0; i < n; ++i) {
    bool v4 = i + 3 < n && Ipv4Hint(p + i);
    bool v6 = !v4 && i + 4 < n && Ipv6Hint(p + i);
    if (!v4 && !v6) continue;
    size_t len = 0;
    while (i + len < n && (v4 ? InV4Charset(p[i + len]) : InV6Charset(p[i + len]))) ++len;
    IpAddr ip;
    if (ParseIpAddr(text.substr(i, len), &ip) && Contains(ip)) return true;
    i += len;
  }
  return false;
}

}  // namespace lode::logql
