// Prometheus's alert template functions (template.h, CompilePrometheus):
// humanize, humanizePercentage, humanizeDuration, toUpper, toLower, and the
// __value__ accessor behind $value. Formatting follows Prometheus's
// template/template.go (fmt "%.4g").

#include <cmath>
#include <cstdio>
#include <string>

#include "logql/template/internal.h"

namespace lode::logql::tmpl {
namespace {

std::string G4(double v) {
  char buf[64];
  snprintf(buf, sizeof buf, "%.4g", v);
  return buf;
}

bool FnValue(Call& c) { return c.Return(Value::Float(c.env->ctx->value)); }

bool FnHumanize(Call& c) {
  double v = ToFloat64(c.args[0]);
  if (v == 0 || std::isnan(v) || std::isinf(v)) return c.ReturnString(G4(v));
  const char* prefix = "";
  if (std::fabs(v) >= 1) {
    for (const char* p : {"k", "M", "G", "T", "P", "E", "Z", "Y"}) {
      if (std::fabs(v) < 1000) break;
      prefix = p;
      v /= 1000;
    }
  } else {
    for (const char* p : {"m", "u", "n", "p", "f", "a", "z", "y"}) {
      if (std::fabs(v) >= 1) break;
      prefix = p;
      v *= 1000;
    }
  }
  return c.ReturnString(G4(v) + prefix);
}

bool FnHumanizePercentage(Call& c) { return c.ReturnString(G4(ToFloat64(c.args[0]) * 100) + "%"); }

bool FnHumanizeDuration(Call& c) {
  double v = ToFloat64(c.args[0]);
  if (std::isnan(v) || std::isinf(v)) return c.ReturnString(G4(v));
  if (v == 0) return c.ReturnString("0s");
  std::string sign = v < 0 ? "-" : "";
  v = std::fabs(v);
  if (v >= 1) {
    int64_t secs = static_cast<int64_t>(v);
    int64_t ms = static_cast<int64_t>((v - static_cast<double>(secs)) * 1000);
    int64_t d = secs / 86400, h = secs / 3600 % 24, m = secs / 60 % 60, s = secs % 60;
    std::string out = sign;
    if (d)
      return c.ReturnString(out + std::to_string(d) + "d " + std::to_string(h) + "h " +
                            std::to_string(m) + "m " + std::to_string(s) + "s");
    if (h)
      return c.ReturnString(out + std::to_string(h) + "h " + std::to_string(m) + "m " +
                            std::to_string(s) + "s");
    if (m) return c.ReturnString(out + std::to_string(m) + "m " + std::to_string(s) + "s");
    char buf[64];
    snprintf(buf, sizeof buf, "%s%lld.%03llds", sign.c_str(), static_cast<long long>(s),
             static_cast<long long>(ms));
    return c.ReturnString(buf);
  }
  const char* prefix = "";
  for (const char* p : {"m", "u", "n", "p", "f", "a", "z", "y"}) {
    if (v >= 1) break;
    prefix = p;
    v *= 1000;
  }
  return c.ReturnString(sign + G4(v) + prefix + "s");
}

bool FnToUpper(Call& c) {
  std::string s(c.StrArg(0));
  for (auto& ch : s) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  return c.ReturnString(std::move(s));
}

bool FnToLower(Call& c) {
  std::string s(c.StrArg(0));
  for (auto& ch : s) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return c.ReturnString(std::move(s));
}

constexpr PT A = PT::kAny;
const FuncDef kPromFuncs[] = {
    {"__value__", 0, false, {}, FnValue, 0},
    {"humanize", 1, false, {A}, FnHumanize, 0},
    {"humanizePercentage", 1, false, {A}, FnHumanizePercentage, 0},
    {"humanizeDuration", 1, false, {A}, FnHumanizeDuration, 0},
    {"toUpper", 1, false, {PT::kString}, FnToUpper, 0},
    {"toLower", 1, false, {PT::kString}, FnToLower, 0},
};

}  // namespace

const FuncDef* FindPromFunc(std::string_view name) {
  for (const auto& f : kPromFuncs) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

}  // namespace lode::logql::tmpl
