#include "base/log.h"

#include <unistd.h>

#include <cstdarg>
#include <cstdio>

#include "base/utf8.h"

namespace lode {

std::string EscapeLogText(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  static const char kHex[] = "0123456789abcdef";
  for (size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c < 0x7f && c != '\\') {
      out.push_back(static_cast<char>(c));
      ++i;
      continue;
    }
    switch (c) {
      case '\n':
        out += "\\n";
        ++i;
        continue;
      case '\r':
        out += "\\r";
        ++i;
        continue;
      case '\t':
        out += "\\t";
        ++i;
        continue;
      case '\\':
        out += "\\\\";
        ++i;
        continue;
      default:
        break;
    }
    if (c < 0x80) {  // other C0 controls and DEL
      out += "\\x";
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
      ++i;
      continue;
    }
    size_t width = 1;
    uint32_t r = DecodeRune(s, i, &width);
    if (r == kRuneError && width == 1) {
      out += "\\x";
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    } else if (r == 0x85 || r == 0x2028 || r == 0x2029) {
      char buf[8];
      snprintf(buf, sizeof(buf), "\\u%04x", r);
      out += buf;
    } else {
      out.append(s.substr(i, width));
    }
    i += width;
  }
  return out;
}

void Logf(const char* fmt, ...) {
  char stack[1024];
  va_list ap;
  va_start(ap, fmt);
  va_list ap2;
  va_copy(ap2, ap);
  int n = vsnprintf(stack, sizeof(stack), fmt, ap);
  va_end(ap);
  std::string msg;
  if (n < 0) {
    msg = "(unformattable log record)";
  } else if (static_cast<size_t>(n) < sizeof(stack)) {
    msg.assign(stack, static_cast<size_t>(n));
  } else {
    msg.resize(static_cast<size_t>(n) + 1);
    vsnprintf(msg.data(), msg.size(), fmt, ap2);
    msg.resize(static_cast<size_t>(n));
  }
  va_end(ap2);
  if (!msg.empty() && msg.back() == '\n') msg.pop_back();
  std::string rec = "lode: " + EscapeLogText(msg) + "\n";
  size_t off = 0;
  while (off < rec.size()) {
    ssize_t w = ::write(STDERR_FILENO, rec.data() + off, rec.size() - off);
    if (w <= 0) break;
    off += static_cast<size_t>(w);
  }
}

}  // namespace lode
