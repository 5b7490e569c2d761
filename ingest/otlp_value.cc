#include "ingest/otlp_value.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>

namespace lode::ingest {

namespace {

constexpr size_t kBlockSize = 64 * 1024;

bool IsAlnum(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

// Go's float64AsString / encoding/json float encoding (ES6 number format).
// Returns false for NaN and infinities.
bool AppendEs6(double f, std::string* out) {
  if (std::isnan(f) || std::isinf(f)) return false;
  double abs = std::fabs(f);
  auto fmt = std::chars_format::fixed;
  if (abs != 0 && (abs < 1e-6 || abs >= 1e21)) fmt = std::chars_format::scientific;
  char buf[400];
  auto r = std::to_chars(buf, buf + sizeof(buf), f, fmt);
  std::string s(buf, r.ptr);
  if (fmt == std::chars_format::scientific) {
    size_t n = s.size();
    if (n >= 4 && s[n - 4] == 'e' && s[n - 3] == '-' && s[n - 2] == '0') s.erase(n - 2, 1);
  }
  out->append(s);
  return true;
}

void AppendBase64(std::string_view raw, std::string* out) {
  static const char kAlpha[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  size_t i = 0;
  for (; i + 3 <= raw.size(); i += 3) {
    uint32_t v = static_cast<unsigned char>(raw[i]) << 16 |
                 static_cast<unsigned char>(raw[i + 1]) << 8 |
                 static_cast<unsigned char>(raw[i + 2]);
    out->push_back(kAlpha[v >> 18]);
    out->push_back(kAlpha[(v >> 12) & 63]);
    out->push_back(kAlpha[(v >> 6) & 63]);
    out->push_back(kAlpha[v & 63]);
  }
  if (i < raw.size()) {
    uint32_t v = static_cast<unsigned char>(raw[i]) << 16;
    if (i + 1 < raw.size()) v |= static_cast<unsigned char>(raw[i + 1]) << 8;
    out->push_back(kAlpha[v >> 18]);
    out->push_back(kAlpha[(v >> 12) & 63]);
    out->push_back(i + 1 < raw.size() ? kAlpha[(v >> 6) & 63] : '=');
    out->push_back('=');
  }
}

// Length of the valid UTF-8 sequence at s[i], 0 when invalid (Go's rules:
// no overlongs, no surrogates, at most U+10FFFF).
size_t Utf8Len(std::string_view s, size_t i) {
  unsigned char c = static_cast<unsigned char>(s[i]);
  size_t n;
  uint32_t cp;
  if (c < 0x80) return 1;
  if (c >= 0xc2 && c <= 0xdf) {
    n = 2;
    cp = c & 0x1f;
  } else if (c >= 0xe0 && c <= 0xef) {
    n = 3;
    cp = c & 0x0f;
  } else if (c >= 0xf0 && c <= 0xf4) {
    n = 4;
    cp = c & 0x07;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k) {
    unsigned char d = static_cast<unsigned char>(s[i + k]);
    if ((d & 0xc0) != 0x80) return 0;
    cp = cp << 6 | (d & 0x3f);
  }
  if ((n == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
      (n == 4 && (cp < 0x10000 || cp > 0x10ffff)))
    return 0;
  return n;
}

// Go encoding/json string encoding (HTML-safe, invalid UTF-8 as U+FFFD).
void AppendJsonString(std::string_view s, std::string* out) {
  static const char kHex[] = "0123456789abcdef";
  out->push_back('"');
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      switch (c) {
        case '"':
          out->append("\\\"");
          break;
        case '\\':
          out->append("\\\\");
          break;
        case '\n':
          out->append("\\n");
          break;
        case '\r':
          out->append("\\r");
          break;
        case '\t':
          out->append("\\t");
          break;
        case '\b':
          out->append("\\b");
          break;
        case '\f':
          out->append("\\f");
          break;
        default:
          if (c < 0x20 || c == '<' || c == '>' || c == '&') {
            out->append("\\u00");
            out->push_back(kHex[c >> 4]);
            out->push_back(kHex[c & 15]);
          } else {
            out->push_back(static_cast<char>(c));
          }
      }
      ++i;
      continue;
    }
    size_t n = Utf8Len(s, i);
    if (n == 0) {
      out->append("\\ufffd");
      ++i;
      continue;
    }
    if (n == 3 && c == 0xe2 && static_cast<unsigned char>(s[i + 1]) == 0x80 &&
        (static_cast<unsigned char>(s[i + 2]) == 0xa8 ||
         static_cast<unsigned char>(s[i + 2]) == 0xa9)) {
      out->append(static_cast<unsigned char>(s[i + 2]) == 0xa8 ? "\\u2028" : "\\u2029");
    } else {
      out->append(s.substr(i, n));
    }
    i += n;
  }
  out->push_back('"');
}

// Go json.Marshal of Value.AsRaw(); false when it would fail (NaN, Inf).
bool AppendJson(const OtlpLogs& logs, const OtlpValue& v, std::string* out) {
  switch (v.type) {
    case OtlpValue::kEmpty:
      out->append("null");
      return true;
    case OtlpValue::kString:
      AppendJsonString(v.s, out);
      return true;
    case OtlpValue::kBool:
      out->append(v.b ? "true" : "false");
      return true;
    case OtlpValue::kInt:
      out->append(std::to_string(v.i));
      return true;
    case OtlpValue::kDouble:
      return AppendEs6(v.d, out);
    case OtlpValue::kBytes:
      out->push_back('"');
      AppendBase64(v.s, out);
      out->push_back('"');
      return true;
    case OtlpValue::kArray: {
      out->push_back('[');
      for (uint32_t k = 0; k < v.children.count; ++k) {
        if (k) out->push_back(',');
        if (!AppendJson(logs, logs.values[v.children.first + k], out)) return false;
      }
      out->push_back(']');
      return true;
    }
    case OtlpValue::kKvList: {
      // A Go map: sorted keys, the last of duplicate keys wins.
      std::vector<const OtlpKeyValue*> kvs;
      kvs.reserve(v.children.count);
      for (uint32_t k = 0; k < v.children.count; ++k)
        kvs.push_back(&logs.kvs[v.children.first + k]);
      std::stable_sort(kvs.begin(), kvs.end(), [](const OtlpKeyValue* a, const OtlpKeyValue* b) {
        return a->key < b->key;
      });
      out->push_back('{');
      bool first = true;
      for (size_t k = 0; k < kvs.size(); ++k) {
        if (k + 1 < kvs.size() && kvs[k + 1]->key == kvs[k]->key) continue;
        if (!first) out->push_back(',');
        first = false;
        AppendJsonString(kvs[k]->key, out);
        out->push_back(':');
        if (!AppendJson(logs, kvs[k]->value, out)) return false;
      }
      out->push_back('}');
      return true;
    }
  }
  return false;
}

}  // namespace

char* OtlpArena::Alloc(size_t n) {
  if (n > left_) {
    size_t size = std::max(kBlockSize, n);
    blocks_.push_back(std::unique_ptr<char[]>(new char[size]));
    p_ = blocks_.back().get();
    left_ = size;
  }
  char* r = p_;
  p_ += n;
  left_ -= n;
  return r;
}

std::string_view OtlpArena::Copy(std::string_view s) {
  if (s.empty()) return {};
  char* p = Alloc(s.size());
  std::memcpy(p, s.data(), s.size());
  return std::string_view(p, s.size());
}

bool SanitizeLabelName(std::string_view name, OtlpArena* arena, std::string_view* out,
                       std::string* error) {
  if (name.empty()) {
    *error = "label name is empty";
    return false;
  }
  // Fast path: already a valid name that sanitising keeps (no '_' runs, no
  // leading digit, not all underscores).
  bool clean = !(name[0] >= '0' && name[0] <= '9');
  bool any_alnum = false;
  for (size_t i = 0; i < name.size() && clean; ++i) {
    unsigned char c = static_cast<unsigned char>(name[i]);
    if (IsAlnum(c)) {
      any_alnum = true;
    } else if (c != '_' || (i > 0 && name[i - 1] == '_')) {
      clean = false;
    }
  }
  if (clean && any_alnum) {
    *out = name;
    return true;
  }
  std::string_view inner = name;
  bool reserved =
      name.size() >= 4 && name.substr(0, 2) == "__" && name.substr(name.size() - 2) == "__";
  if (reserved) inner = name.substr(2, name.size() - 4);
  std::string s;
  s.reserve(name.size() + 4);
  if (reserved) s += "__";
  bool prev_us = false;
  for (char ch : inner) {
    if (IsAlnum(static_cast<unsigned char>(ch))) {
      s.push_back(ch);
      prev_us = false;
    } else if (!prev_us) {
      s.push_back('_');
      prev_us = true;
    }
  }
  if (reserved) s += "__";
  if (s[0] >= '0' && s[0] <= '9') s.insert(0, "key_");
  if (std::all_of(s.begin(), s.end(), [](char c) { return c == '_'; })) {
    *error = "normalization for label name \"" + std::string(name) +
             "\" resulted in invalid name \"" + s + "\"";
    return false;
  }
  *out = s == name ? name : arena->Copy(s);
  return true;
}

std::string_view IntString(int64_t v, OtlpArena* arena) {
  static const std::vector<std::string> kSmall = [] {
    std::vector<std::string> t;
    for (int i = 0; i < 256; ++i) t.push_back(std::to_string(i));
    return t;
  }();
  if (v >= 0 && v < 256) return kSmall[static_cast<size_t>(v)];
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof(buf), v);
  return arena->Copy(std::string_view(buf, static_cast<size_t>(r.ptr - buf)));
}

std::string_view HexString(std::string_view raw, OtlpArena* arena) {
  static const char kHex[] = "0123456789abcdef";
  char* p = arena->Alloc(raw.size() * 2);
  for (size_t i = 0; i < raw.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(raw[i]);
    p[2 * i] = kHex[c >> 4];
    p[2 * i + 1] = kHex[c & 15];
  }
  return std::string_view(p, raw.size() * 2);
}

std::string_view ValueAsString(const OtlpLogs& logs, const OtlpValue& v, OtlpArena* arena) {
  std::string s;
  switch (v.type) {
    case OtlpValue::kEmpty:
      return {};
    case OtlpValue::kString:
      return v.s;
    case OtlpValue::kBool:
      return v.b ? "true" : "false";
    case OtlpValue::kInt:
      return IntString(v.i, arena);
    case OtlpValue::kDouble:
      if (std::isnan(v.d)) return "json: unsupported value: NaN";
      if (std::isinf(v.d))
        return v.d > 0 ? "json: unsupported value: +Inf" : "json: unsupported value: -Inf";
      AppendEs6(v.d, &s);
      break;
    case OtlpValue::kBytes:
      AppendBase64(v.s, &s);
      break;
    case OtlpValue::kArray:
    case OtlpValue::kKvList:
      if (!AppendJson(logs, v, &s)) return {};  // json.Marshal failed: Go yields ""
      break;
  }
  return arena->Copy(s);
}

}  // namespace lode::ingest
