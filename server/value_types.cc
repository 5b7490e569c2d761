#include "server/value_types.h"

#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>

#include "base/go_parse.h"

namespace lode::server {

namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsHex(char c) { return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

std::string Lower(std::string_view v) {
  std::string s(v);
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

bool IsGoInt(std::string_view v) {
  int64_t n;
  bool range_err;
  return GoParseInt(v, 10, &n, &range_err);
}

bool IsGoFloat(std::string_view v) {
  double d;
  std::string err;
  return GoParseFloat(v, &d, &err);
}

bool IsGoBool(std::string_view v) {
  static const char* kAccepted[] = {"1", "t", "T", "TRUE",  "true",  "True",
                                    "0", "f", "F", "FALSE", "false", "False"};
  for (const char* a : kAccepted)
    if (v == a) return true;
  return false;
}

bool IsGoDuration(std::string_view v) {
  int64_t ns;
  std::string err;
  return GoParseDuration(v, &ns, &err);
}

bool IsUuid(std::string_view v) {
  if (v.size() == 45) {
    if (Lower(v.substr(0, 9)) != "urn:uuid:") return false;
    v.remove_prefix(9);
  } else if (v.size() == 38) {
    if (v.front() != '{' || v.back() != '}') return false;
    v = v.substr(1, 36);
  } else if (v.size() == 32) {
    for (char c : v)
      if (!IsHex(c)) return false;
    return true;
  }
  if (v.size() != 36) return false;
  for (size_t i = 0; i < v.size(); ++i) {
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? v[i] != '-' : !IsHex(v[i])) return false;
  }
  return true;
}

const char* DetectFieldType(std::string_view v) {
  if (IsGoInt(v)) return "int";
  if (IsGoFloat(v)) return "float";
  if (IsGoBool(v)) return "boolean";
  if (IsGoDuration(v)) return "duration";
  uint64_t b;
  std::string err;
  if (HumanizeParseBytes(v, &b, &err)) return "bytes";
  return "string";
}

}  // namespace lode::server
