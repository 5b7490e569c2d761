// Encoding functions of Loki's templates: Sprig's b64enc/b64dec, Go's
// url.QueryEscape/QueryUnescape (urlencode/urldecode), Sprig's fromJson
// (JSON into maps, lists and float64 numbers, as encoding/json decodes into
// interface{}) and Sprig's default.

#include <cstring>
#include <nlohmann/json.hpp>
#include <string>

#include "logql/template/internal.h"

namespace lode::logql::tmpl {

std::string QueryEscape(std::string_view s) {
  static const char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char ch : s) {
    unsigned char u = static_cast<unsigned char>(ch);
    if ((u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9') || u == '-' ||
        u == '_' || u == '.' || u == '~') {
      out.push_back(ch);
    } else if (u == ' ') {
      out.push_back('+');
    } else {
      out.push_back('%');
      out.push_back(kHex[u >> 4]);
      out.push_back(kHex[u & 15]);
    }
  }
  return out;
}

namespace {

// ---- base64 and URLs ----

constexpr char kB64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

bool FnB64Enc(Call& c) {
  std::string_view s = c.StrArg(0);
  std::string out;
  size_t i = 0;
  for (; i + 2 < s.size(); i += 3) {
    uint32_t v = (uint32_t{static_cast<unsigned char>(s[i])} << 16) |
                 (uint32_t{static_cast<unsigned char>(s[i + 1])} << 8) |
                 static_cast<unsigned char>(s[i + 2]);
    out.push_back(kB64[v >> 18]);
    out.push_back(kB64[(v >> 12) & 63]);
    out.push_back(kB64[(v >> 6) & 63]);
    out.push_back(kB64[v & 63]);
  }
  if (i < s.size()) {
    uint32_t v = uint32_t{static_cast<unsigned char>(s[i])} << 16;
    if (i + 1 < s.size()) v |= uint32_t{static_cast<unsigned char>(s[i + 1])} << 8;
    out.push_back(kB64[v >> 18]);
    out.push_back(kB64[(v >> 12) & 63]);
    out.push_back(i + 1 < s.size() ? kB64[(v >> 6) & 63] : '=');
    out.push_back('=');
  }
  return c.ReturnString(std::move(out));
}

int B64Val(char ch) {
  const char* p = std::strchr(kB64, ch);
  return (ch != '\0' && p != nullptr) ? static_cast<int>(p - kB64) : -1;
}

// base64.StdEncoding.DecodeString (decodeQuantum); on error sets the byte
// offset Go reports ("illegal base64 data at input byte N").
bool B64Decode(std::string_view src, std::string* out, size_t* err_at) {
  size_t si = 0;
  auto skip_newlines = [&] {
    while (si < src.size() && (src[si] == '\n' || src[si] == '\r')) si++;
  };
  while (si < src.size()) {
    uint32_t dbuf[4] = {0, 0, 0, 0};
    int dlen = 4;
    bool trailing = false;
    for (int j = 0; j < 4; j++) {
      if (si == src.size()) {
        if (j == 0) return true;
        *err_at = si - static_cast<size_t>(j);
        return false;
      }
      char in = src[si++];
      int v = B64Val(in);
      if (v >= 0) {
        dbuf[j] = static_cast<uint32_t>(v);
        continue;
      }
      if (in == '\n' || in == '\r') {
        j--;
        continue;
      }
      if (in != '=' || j < 2) {
        *err_at = si - 1;
        return false;
      }
      if (j == 2) {
        skip_newlines();
        if (si == src.size()) {
          *err_at = src.size();
          return false;
        }
        if (src[si] != '=') {
          *err_at = si - 1;
          return false;
        }
        si++;
      }
      skip_newlines();
      if (si < src.size()) {
        *err_at = si;
        trailing = true;
      }
      dlen = j;
      break;
    }
    uint32_t val = (dbuf[0] << 18) | (dbuf[1] << 12) | (dbuf[2] << 6) | dbuf[3];
    if (dlen >= 2) out->push_back(static_cast<char>(val >> 16));
    if (dlen >= 3) out->push_back(static_cast<char>(val >> 8));
    if (dlen >= 4) out->push_back(static_cast<char>(val));
    if (trailing) return false;
  }
  return true;
}

bool FnB64Dec(Call& c) {
  std::string out;
  size_t err_at;
  if (!B64Decode(c.StrArg(0), &out, &err_at)) {
    return c.ReturnString("illegal base64 data at input byte " + std::to_string(err_at));
  }
  return c.ReturnString(std::move(out));
}

bool IsHex(char ch) {
  return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f') || (ch >= 'A' && ch <= 'F');
}

int HexVal(char ch) { return ch <= '9' ? ch - '0' : (ch | 0x20) - 'a' + 10; }

bool FnUrlDecode(Call& c) {
  std::string_view s = c.StrArg(0);
  std::string out;
  for (size_t i = 0; i < s.size();) {
    if (s[i] == '%') {
      if (i + 2 >= s.size() || !IsHex(s[i + 1]) || !IsHex(s[i + 2])) {
        std::string q;
        AppendQuote(&q, s.substr(i, 3), false);
        return c.Fail("invalid URL escape " + q);
      }
      out.push_back(static_cast<char>(HexVal(s[i + 1]) * 16 + HexVal(s[i + 2])));
      i += 3;
    } else {
      out.push_back(s[i] == '+' ? ' ' : s[i]);
      i++;
    }
  }
  return c.ReturnString(std::move(out));
}

bool FnUrlEncode(Call& c) { return c.ReturnString(QueryEscape(c.StrArg(0))); }

// ---- fromJson and default ----

// Go's decoder stops at 10000 levels; values are printed and compared
// recursively here, so deeply nested documents are refused earlier.
constexpr int kMaxJsonDepth = 1000;

bool JsonTooDeep(const nlohmann::json& j, int depth) {
  if (!j.is_structured()) return false;
  if (depth >= kMaxJsonDepth) return true;
  for (const auto& e : j) {
    if (JsonTooDeep(e, depth + 1)) return true;
  }
  return false;
}

Value FromJson(Arena* arena, const nlohmann::json& j) {
  switch (j.type()) {
    case nlohmann::json::value_t::object: {
      MapV* m = arena->NewMap();
      for (auto it = j.begin(); it != j.end(); ++it) {
        m->items.emplace_back(arena->Keep(it.key()), FromJson(arena, it.value()));
      }
      return Value::Map(m);
    }
    case nlohmann::json::value_t::array: {
      ListV* l = arena->NewList();
      for (const auto& e : j) l->items.push_back(FromJson(arena, e));
      return Value::List(l);
    }
    case nlohmann::json::value_t::string:
      return Value::Str(arena->Keep(j.get<std::string>()));
    case nlohmann::json::value_t::boolean:
      return Value::Bool(j.get<bool>());
    case nlohmann::json::value_t::number_integer:
      return Value::Float(static_cast<double>(j.get<int64_t>()));
    case nlohmann::json::value_t::number_unsigned:
      return Value::Float(static_cast<double>(j.get<uint64_t>()));
    case nlohmann::json::value_t::number_float:
      return Value::Float(j.get<double>());
    default:
      return Value::Nil();
  }
}

bool FnFromJson(Call& c) {
  nlohmann::json j = nlohmann::json::parse(c.StrArg(0), nullptr, false);
  if (j.is_discarded() || JsonTooDeep(j, 0)) return c.Return(Value::Nil());
  return c.Return(FromJson(c.env->arena, j));
}

bool FnDefault(Call& c) {
  if (c.n < 2 || !Truth(c.args[1])) return c.Return(c.args[0]);
  return c.Return(c.args[1]);
}

constexpr PT A = PT::kAny;
constexpr PT Str = PT::kString;

}  // namespace

const FuncDef kEncodingFuncs[] = {
    {"urldecode", 1, false, {Str}, FnUrlDecode, 0}, {"urlencode", 1, false, {Str}, FnUrlEncode, 0},
    {"b64enc", 1, false, {Str}, FnB64Enc, 0},       {"b64dec", 1, false, {Str}, FnB64Dec, 0},
    {"fromJson", 1, false, {Str}, FnFromJson, 0},   {"default", 2, true, {A, A}, FnDefault, 0},
};
const size_t kNumEncodingFuncs = sizeof(kEncodingFuncs) / sizeof(kEncodingFuncs[0]);

}  // namespace lode::logql::tmpl
