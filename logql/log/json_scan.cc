#include "logql/log/json_scan.h"

#include <cstdint>
#include <cstring>

#include "base/utf8.h"

namespace lode::logql::json {

const char* const kMalformedObject = "Value looks like object, but can't find closing '}' symbol";
const char* const kMalformedJson = "Malformed JSON error";
const char* const kMalformedArray = "Value is array, but can't find closing ']' symbol";
const char* const kMalformedString = "Value is string, but can't find closing '\"' symbol";
const char* const kMalformedValue =
    "Value looks like Number/Boolean/None, but can't find its end: ',' or '}' symbol";
const char* const kUnknownValueType = "Unknown value type";
const char* const kMalformedStringEscape = "Encountered an invalid escape sequence in a string";

namespace {

constexpr size_t npos = std::string_view::npos;
constexpr int kMaxDepth = 1000;

// stringEnd: `off` is just past the opening quote. Returns the offset just
// past the closing quote, or npos.
size_t StringEnd(std::string_view d, size_t off, bool* escaped) {
  *escaped = false;
  const char* base = d.data();
  size_t i = off;
  while (i < d.size()) {
    const void* q = std::memchr(base + i, '"', d.size() - i);
    if (q == nullptr) return npos;
    const size_t qi = static_cast<size_t>(static_cast<const char*>(q) - base);
    if (!*escaped && std::memchr(base + i, '\\', qi - i) != nullptr) *escaped = true;
    if (!*escaped) return qi + 1;
    // Count the backslashes right before the quote.
    size_t n = 0;
    for (size_t j = qi; j > off && base[j - 1] == '\\'; --j) ++n;
    if (n % 2 == 0) return qi + 1;
    i = qi + 1;
  }
  return npos;
}

// blockEnd: d[off] is the opening symbol; returns the offset just past the
// matching close, or npos.
size_t BlockEnd(std::string_view d, size_t off, char open, char close) {
  int level = 0;
  for (size_t i = off; i < d.size(); ++i) {
    char c = d[i];
    if (c == '"') {
      bool esc;
      size_t se = StringEnd(d, i + 1, &esc);
      if (se == npos) return npos;
      i = se - 1;
    } else if (c == open) {
      ++level;
    } else if (c == close) {
      if (--level == 0) return i + 1;
    }
  }
  return npos;
}

size_t TokenEnd(std::string_view d, size_t off) {
  for (size_t i = off; i < d.size(); ++i) {
    switch (d[i]) {
      case ' ':
      case '\n':
      case '\r':
      case '\t':
      case ',':
      case '}':
      case ']':
        return i;
      default:
        break;
    }
  }
  return d.size();
}

int H2I(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

// decodeSingleUnicodeEscape on in[0..6): the 4 hex digits at in[2..6).
bool DecodeSingle(std::string_view in, uint32_t* r) {
  if (in.size() < 6) return false;
  int h1 = H2I(in[2]), h2 = H2I(in[3]), h3 = H2I(in[4]), h4 = H2I(in[5]);
  if (h1 < 0 || h2 < 0 || h3 < 0 || h4 < 0) return false;
  *r = static_cast<uint32_t>((h1 << 12) + (h2 << 8) + (h3 << 4) + h4);
  return true;
}

void EncodeRune(uint32_t r, std::string* out) { AppendRune(r, out); }

// Member of ObjectEach: one pass over the object at the first token.
const char* ObjectEachImpl(std::string_view data, MemberVisitor* visitor, std::string* key_buf,
                           int depth) {
  if (depth > kMaxDepth) return kMalformedJson;
  size_t off = NextToken(data, 0);
  if (off == npos || data[off] != '{') return kMalformedObject;
  ++off;
  size_t t = NextToken(data, off);
  if (t == npos) return kMalformedJson;
  off = t;
  if (data[off] == '}') return nullptr;
  while (off < data.size()) {
    // Step 1: the key.
    if (data[off] == '}') return nullptr;
    if (data[off] != '"') return kMalformedObject;
    ++off;
    bool escaped;
    size_t se = StringEnd(data, off, &escaped);
    if (se == npos) return kMalformedJson;
    std::string_view key = data.substr(off, se - 1 - off);
    off = se;
    if (escaped) {
      std::string_view unesc;
      if (!Unescape(key, key_buf, &unesc)) return kMalformedStringEscape;
      key = unesc;
    }
    // Step 2: the colon.
    t = NextToken(data, off);
    if (t == npos || data[t] != ':') return kMalformedJson;
    off = t + 1;
    // Step 3: the value.
    Value v;
    if (const char* err = GetValue(data, off, &v)) return err;
    if (const char* err = visitor->Visit(key, v, depth)) return err;
    off = v.end;
    // Step 4: a comma or the closing brace.
    t = NextToken(data, off);
    if (t == npos) return kMalformedArray;
    off = t;
    if (data[off] == '}') return nullptr;
    if (data[off] != ',') return kMalformedObject;
    ++off;
    t = NextToken(data, off);
    if (t == npos) return kMalformedArray;
    off = t;
  }
  return kMalformedObject;
}

}  // namespace

size_t NextToken(std::string_view data, size_t off) {
  for (size_t i = off; i < data.size(); ++i) {
    switch (data[i]) {
      case ' ':
      case '\n':
      case '\r':
      case '\t':
        continue;
      default:
        return i;
    }
  }
  return npos;
}

const char* GetValue(std::string_view data, size_t off, Value* v) {
  size_t t = NextToken(data, off);
  if (t == npos) return kMalformedJson;
  off = t;
  const char c = data[off];
  size_t end;
  if (c == '"') {
    bool esc;
    end = StringEnd(data, off + 1, &esc);
    if (end == npos) return kMalformedString;
    v->type = Type::kString;
    v->raw = data.substr(off + 1, end - off - 2);
  } else if (c == '[') {
    end = BlockEnd(data, off, '[', ']');
    if (end == npos) return kMalformedArray;
    v->type = Type::kArray;
    v->raw = data.substr(off, end - off);
  } else if (c == '{') {
    end = BlockEnd(data, off, '{', '}');
    if (end == npos) return kMalformedObject;
    v->type = Type::kObject;
    v->raw = data.substr(off, end - off);
  } else {
    end = TokenEnd(data, off);
    std::string_view tok = data.substr(off, end - off);
    switch (c) {
      case 't':
      case 'f':
        if (tok != "true" && tok != "false") return kUnknownValueType;
        v->type = Type::kBoolean;
        break;
      case 'u':
      case 'n':
        if (tok != "null") return kUnknownValueType;
        v->type = Type::kNull;
        break;
      case '0':
      case '1':
      case '2':
      case '3':
      case '4':
      case '5':
      case '6':
      case '7':
      case '8':
      case '9':
      case '-':
        v->type = Type::kNumber;
        break;
      default:
        return kUnknownValueType;
    }
    v->raw = tok;
  }
  v->end = end;
  return nullptr;
}

const char* ObjectEach(std::string_view data, MemberVisitor* visitor, std::string* key_buf,
                       int depth) {
  return ObjectEachImpl(data, visitor, key_buf, depth);
}

bool Unescape(std::string_view in, std::string* buf, std::string_view* out) {
  size_t bs = in.find('\\');
  if (bs == npos) {
    *out = in;
    return true;
  }
  buf->clear();
  buf->append(in.substr(0, bs));
  size_t i = bs;
  while (i < in.size()) {
    if (in[i] != '\\') {
      size_t next = in.find('\\', i);
      if (next == npos) next = in.size();
      buf->append(in.substr(i, next - i));
      i = next;
      continue;
    }
    if (i + 1 >= in.size()) return false;
    char e = in[i + 1];
    switch (e) {
      case '"':
        buf->push_back('"');
        i += 2;
        continue;
      case '\\':
        buf->push_back('\\');
        i += 2;
        continue;
      case '/':
        buf->push_back('/');
        i += 2;
        continue;
      case 'b':
        buf->push_back('\b');
        i += 2;
        continue;
      case 'f':
        buf->push_back('\f');
        i += 2;
        continue;
      case 'n':
        buf->push_back('\n');
        i += 2;
        continue;
      case 'r':
        buf->push_back('\r');
        i += 2;
        continue;
      case 't':
        buf->push_back('\t');
        i += 2;
        continue;
      case 'u': {
        std::string_view rest = in.substr(i);
        uint32_t r;
        if (!DecodeSingle(rest, &r)) return false;
        if (r <= 0xFFFF && !(r >= 0xD800 && r <= 0xDFFF)) {
          EncodeRune(r, buf);
          i += 6;
          continue;
        }
        uint32_t r2;
        if (!DecodeSingle(rest.substr(6), &r2) || r2 < 0xDC00) return false;
        EncodeRune(0x10000 + ((r - 0xD800) << 10) + (r2 - 0xDC00), buf);
        i += 12;
        continue;
      }
      default:
        return false;
    }
  }
  *out = *buf;
  return true;
}

}  // namespace lode::logql::json
