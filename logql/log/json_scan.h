// A JSON scanner with the acceptance rules of github.com/buger/jsonparser
// (the library behind Loki's json and unpack stages): ObjectEach visits the
// members of an object in order, values are classified by their first byte
// (numbers are not validated beyond their delimiters), and errors carry the
// library's messages. Views point into the scanned text; nothing allocates
// except unescaping into caller buffers.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace lode::logql::json {

enum class Type { kNotExist, kString, kNumber, kObject, kArray, kBoolean, kNull, kUnknown };

extern const char* const kMalformedObject;  // "Value looks like object, but ..."
extern const char* const kMalformedJson;
extern const char* const kMalformedArray;
extern const char* const kMalformedString;
extern const char* const kMalformedValue;
extern const char* const kUnknownValueType;
extern const char* const kMalformedStringEscape;

struct Value {
  std::string_view raw;  // strings: without the quotes, still escaped
  Type type = Type::kNotExist;
  size_t end = 0;  // offset just past the value in the scanned text
};

// jsonparser.Get(data[off:]) with no keys: the first value at or after
// `off`. Returns nullptr or an error message.
const char* GetValue(std::string_view data, size_t off, Value* v);

// A member callback: returns nullptr to continue, or an error message that
// stops the iteration and is returned by ObjectEach.
class MemberVisitor {
 public:
  virtual ~MemberVisitor() = default;
  virtual const char* Visit(std::string_view key, const Value& v, int depth) = 0;
};

// jsonparser.ObjectEach over the object that starts at the first token of
// `data`. Escaped keys are unescaped into *key_buf. `depth` is passed to the
// visitor (for nested use).
const char* ObjectEach(std::string_view data, MemberVisitor* visitor, std::string* key_buf,
                       int depth);

// Visits the elements of the array at the first token of `data`; stops
// early when fn returns false. Returns nullptr or an error message.
template <class Fn>
const char* ArrayEach(std::string_view data, Fn&& fn);

// jsonparser.Unescape: decodes \" \\ \/ \b \f \n \r \t \uXXXX (with
// surrogate pairs). Returns `in` when it has no backslash, else a view of
// *buf; false on an invalid escape.
bool Unescape(std::string_view in, std::string* buf, std::string_view* out);

// Index of the first byte at or after `off` that is not JSON whitespace,
// or npos.
size_t NextToken(std::string_view data, size_t off);

// ---------------------------------------------------------------------------

template <class Fn>
const char* ArrayEach(std::string_view data, Fn&& fn) {
  size_t off = NextToken(data, 0);
  if (off == std::string_view::npos || data[off] != '[') return kMalformedArray;
  ++off;
  size_t t = NextToken(data, off);
  if (t == std::string_view::npos) return kMalformedArray;
  if (data[t] == ']') return nullptr;
  off = t;
  while (true) {
    Value v;
    if (const char* err = GetValue(data, off, &v)) return err;
    if (!fn(v)) return nullptr;
    off = v.end;
    t = NextToken(data, off);
    if (t == std::string_view::npos) return kMalformedArray;
    if (data[t] == ']') return nullptr;
    if (data[t] != ',') return kMalformedArray;
    off = t + 1;
  }
}

}  // namespace lode::logql::json
