// Numeric template functions: Sprig's integer math (arguments converted with
// spf13/cast, so "10" is 10 and "abc" is 0), its float math done in decimal
// arithmetic as shopspring/decimal does (addf 0.1 0.2 is 0.3), rounding, the
// int/float64 conversions and Loki's bytes/duration parsers.

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>

#include "logql/template/internal.h"

namespace lode::logql::tmpl {
namespace {

// cast.trimZeroDecimal: "10.00" -> "10".
std::string_view TrimZeroDecimal(std::string_view s) {
  bool found_zero = false;
  for (size_t i = s.size(); i > 0; i--) {
    char ch = s[i - 1];
    if (ch == '.') {
      if (found_zero) return s.substr(0, i - 1);
    } else if (ch == '0') {
      found_zero = true;
    } else {
      return s;
    }
  }
  return s;
}

// Go's int64(f): out-of-range and NaN give the minimum int64 on amd64.
int64_t FloatToInt64(double f) {
  if (!(f >= -9223372036854775808.0 && f < 9223372036854775808.0)) return INT64_MIN;
  return static_cast<int64_t>(f);
}

// cast.ToInt64 (errors give 0).
int64_t ToInt64(const Value& v) {
  switch (v.kind) {
    case Kind::kInt:
      return v.i;
    case Kind::kFloat:
      return FloatToInt64(v.f);
    case Kind::kBool:
      return v.b ? 1 : 0;
    case Kind::kString: {
      int64_t x;
      bool range_err;
      return GoParseInt(TrimZeroDecimal(v.s), 0, &x, &range_err) ? x : 0;
    }
    default:
      return 0;
  }
}

}  // namespace

// cast.ToFloat64 (errors give 0).
double ToFloat64(const Value& v) {
  switch (v.kind) {
    case Kind::kInt:
      return static_cast<double>(v.i);
    case Kind::kFloat:
      return v.f;
    case Kind::kBool:
      return v.b ? 1 : 0;
    case Kind::kString: {
      double f;
      bool range_err;
      return ParseGoFloat(v.s, &f, &range_err) ? f : 0;
    }
    default:
      return 0;
  }
}

namespace {

int64_t WrapAdd(int64_t a, int64_t b) {
  return static_cast<int64_t>(static_cast<uint64_t>(a) + static_cast<uint64_t>(b));
}
int64_t WrapMul(int64_t a, int64_t b) {
  return static_cast<int64_t>(static_cast<uint64_t>(a) * static_cast<uint64_t>(b));
}

bool Int64(Call& c, int64_t v) { return c.Return(Value::Int(v, IntType::kInt64)); }

bool FnAdd(Call& c) {
  int64_t a = 0;
  for (size_t i = 0; i < c.n; i++) a = WrapAdd(a, ToInt64(c.args[i]));
  return Int64(c, a);
}

bool FnSub(Call& c) {
  return Int64(c, WrapAdd(ToInt64(c.args[0]),
                          static_cast<int64_t>(0 - static_cast<uint64_t>(ToInt64(c.args[1])))));
}

bool FnMul(Call& c) {
  int64_t a = ToInt64(c.args[0]);
  for (size_t i = 1; i < c.n; i++) a = WrapMul(a, ToInt64(c.args[i]));
  return Int64(c, a);
}

bool FnDiv(Call& c) {
  int64_t a = ToInt64(c.args[0]), b = ToInt64(c.args[1]);
  if (b == 0) return c.Fail("runtime error: integer divide by zero");
  if (b == -1) return Int64(c, static_cast<int64_t>(0 - static_cast<uint64_t>(a)));
  return Int64(c, a / b);
}

bool FnMod(Call& c) {
  int64_t a = ToInt64(c.args[0]), b = ToInt64(c.args[1]);
  if (b == 0) return c.Fail("runtime error: integer divide by zero");
  if (b == -1) return Int64(c, 0);
  return Int64(c, a % b);
}

bool FnMax(Call& c) {
  int64_t a = ToInt64(c.args[0]);
  for (size_t i = 1; i < c.n; i++) a = std::max(a, ToInt64(c.args[i]));
  return Int64(c, a);
}

bool FnMin(Call& c) {
  int64_t a = ToInt64(c.args[0]);
  for (size_t i = 1; i < c.n; i++) a = std::min(a, ToInt64(c.args[i]));
  return Int64(c, a);
}

double GoMax(double x, double y) {
  if (std::isinf(x) && x > 0) return x;
  if (std::isinf(y) && y > 0) return y;
  if (std::isnan(x) || std::isnan(y)) return NAN;
  if (x == 0 && x == y) return std::signbit(x) ? y : x;
  return x > y ? x : y;
}

double GoMin(double x, double y) {
  if (std::isinf(x) && x < 0) return x;
  if (std::isinf(y) && y < 0) return y;
  if (std::isnan(x) || std::isnan(y)) return NAN;
  if (x == 0 && x == y) return std::signbit(x) ? x : y;
  return x < y ? x : y;
}

bool FnMaxf(Call& c) {
  double a = ToFloat64(c.args[0]);
  for (size_t i = 1; i < c.n; i++) a = GoMax(a, ToFloat64(c.args[i]));
  return c.Return(Value::Float(a));
}

bool FnMinf(Call& c) {
  double a = ToFloat64(c.args[0]);
  for (size_t i = 1; i < c.n; i++) a = GoMin(a, ToFloat64(c.args[i]));
  return c.Return(Value::Float(a));
}

// ---- decimal arithmetic (shopspring/decimal as Sprig's addf etc. use it) ----

using i128 = __int128;

// value = m * 10^e, or a double once the exact form would overflow.
struct Dec {
  i128 m = 0;
  int e = 0;
  bool is_double = false;
  double d = 0;
};

const i128 kMaxI128 = (static_cast<i128>(1) << 126);

bool Pow10(int n, i128* out) {
  if (n < 0 || n > 37) return false;
  i128 p = 1;
  for (int i = 0; i < n; i++) p *= 10;
  *out = p;
  return true;
}

bool MulI(i128 a, i128 b, i128* out) {
  if (__builtin_mul_overflow(a, b, out)) return false;
  return *out<kMaxI128&& * out> - kMaxI128;
}

double ToDouble(const Dec& x) {
  if (x.is_double) return x.d;
  if (x.m == 0) return 0;
  char buf[64];
  char* p = buf + sizeof(buf);
  bool neg = x.m < 0;
  i128 v = neg ? -x.m : x.m;
  *--p = '\0';
  std::string exp = "e" + std::to_string(x.e);
  p -= exp.size();
  std::memcpy(p, exp.data(), exp.size());
  do {
    *--p = static_cast<char>('0' + static_cast<int>(v % 10));
    v /= 10;
  } while (v != 0);
  if (neg) *--p = '-';
  return std::strtod(p, nullptr);
}

Dec AsDouble(double d) {
  Dec r;
  r.is_double = true;
  r.d = d;
  return r;
}

// decimal.NewFromFloat: the shortest decimal that round-trips.
bool NewFromFloat(Call& c, double f, Dec* out) {
  if (std::isnan(f) || std::isinf(f)) {
    std::string s;
    AppendFloat(&s, f, 'g', -1);
    return c.Fail("Cannot create a Decimal from " + s);
  }
  *out = Dec();
  if (f == 0) return true;
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof(buf), f, std::chars_format::scientific);
  i128 m = 0;
  int digits = 0;
  const char* p = buf;
  bool neg = *p == '-';
  if (neg) p++;
  for (; p < r.ptr && *p != 'e'; p++) {
    if (*p >= '0' && *p <= '9') {
      m = m * 10 + (*p - '0');
      digits++;
    }
  }
  int exp = 0;
  std::from_chars(p + 1 + (p[1] == '+' ? 1 : 0), r.ptr, exp);
  out->m = neg ? -m : m;
  out->e = exp - (digits - 1);
  return true;
}

Dec Add(const Dec& a, const Dec& b) {
  if (a.is_double || b.is_double) return AsDouble(ToDouble(a) + ToDouble(b));
  const Dec& hi = a.e >= b.e ? a : b;
  const Dec& lo = a.e >= b.e ? b : a;
  i128 scale, scaled;
  if (!Pow10(hi.e - lo.e, &scale) || !MulI(hi.m, scale, &scaled))
    return AsDouble(ToDouble(a) + ToDouble(b));
  Dec r;
  r.m = scaled + lo.m;
  r.e = lo.e;
  return r;
}

Dec Neg(Dec a) {
  if (a.is_double) {
    a.d = -a.d;
  } else {
    a.m = -a.m;
  }
  return a;
}

Dec Mul(const Dec& a, const Dec& b) {
  Dec r;
  if (a.is_double || b.is_double || !MulI(a.m, b.m, &r.m))
    return AsDouble(ToDouble(a) * ToDouble(b));
  r.e = a.e + b.e;
  return r;
}

// decimal.Div: DivRound(b, 16), rounding half away from zero.
Dec Div(const Dec& a, const Dec& b) {
  constexpr int kPrecision = 16;
  if (a.is_double || b.is_double) return AsDouble(ToDouble(a) / ToDouble(b));
  int k = a.e - b.e + kPrecision;
  i128 num = a.m, den = b.m, p;
  bool ok = k >= 0 ? Pow10(k, &p) && MulI(a.m, p, &num) : Pow10(-k, &p) && MulI(b.m, p, &den);
  if (!ok) return AsDouble(ToDouble(a) / ToDouble(b));
  i128 q = num / den, rem = num % den;
  i128 arem = rem < 0 ? -rem : rem, aden = den < 0 ? -den : den;
  if (2 * arem >= aden) q += ((num < 0) != (den < 0)) ? -1 : 1;
  Dec r;
  r.m = q;
  r.e = -kPrecision;
  return r;
}

enum class Op { kAdd, kSub, kMul, kDiv };

bool DecimalOp(Call& c, const Value& first, const Value* rest, size_t n, Op op) {
  Dec acc;
  if (!NewFromFloat(c, ToFloat64(first), &acc)) return false;
  for (size_t i = 0; i < n; i++) {
    Dec x;
    if (!NewFromFloat(c, ToFloat64(rest[i]), &x)) return false;
    switch (op) {
      case Op::kAdd:
        acc = Add(acc, x);
        break;
      case Op::kSub:
        acc = Add(acc, Neg(x));
        break;
      case Op::kMul:
        acc = Mul(acc, x);
        break;
      case Op::kDiv:
        if (!x.is_double && x.m == 0) return c.Fail("decimal division by 0");
        acc = Div(acc, x);
        break;
    }
  }
  return c.Return(Value::Float(ToDouble(acc)));
}

bool FnAddf(Call& c) { return DecimalOp(c, Value::Float(0), c.args, c.n, Op::kAdd); }
bool FnSubf(Call& c) { return DecimalOp(c, c.args[0], c.args + 1, c.n - 1, Op::kSub); }
bool FnMulf(Call& c) { return DecimalOp(c, c.args[0], c.args + 1, c.n - 1, Op::kMul); }
bool FnDivf(Call& c) { return DecimalOp(c, c.args[0], c.args + 1, c.n - 1, Op::kDiv); }

bool FnCeil(Call& c) { return c.Return(Value::Float(std::ceil(ToFloat64(c.args[0])))); }
bool FnFloor(Call& c) { return c.Return(Value::Float(std::floor(ToFloat64(c.args[0])))); }

// Sprig's round(a, places, roundOn=.5).
bool FnRound(Call& c) {
  double round_on = c.n > 2 ? c.args[2].f : .5;
  double val = ToFloat64(c.args[0]);
  double pow = std::pow(10.0, static_cast<double>(c.args[1].i));
  double digit = pow * val;
  double ipart;
  double frac = std::modf(digit, &ipart);
  double r = frac >= round_on ? std::ceil(digit) : std::floor(digit);
  return c.Return(Value::Float(r / pow));
}

bool FnInt(Call& c) { return c.Return(Value::Int(ToInt64(c.args[0]))); }
bool FnFloat64(Call& c) { return c.Return(Value::Float(ToFloat64(c.args[0]))); }

// humanize.ParseBytes, as Loki's bytes function (returns float64).
bool FnBytes(Call& c) {
  std::string_view s = c.args[0].s;
  size_t last = 0;
  bool comma = false;
  while (last < s.size() &&
         ((s[last] >= '0' && s[last] <= '9') || s[last] == '.' || s[last] == ',')) {
    comma = comma || s[last] == ',';
    last++;
  }
  std::string num(s.substr(0, last));
  if (comma) {
    std::string t;
    for (char ch : num) {
      if (ch != ',') t.push_back(ch);
    }
    num = t;
  }
  double f;
  bool range_err;
  if (!ParseGoFloat(num, &f, &range_err)) {
    std::string q;
    AppendQuote(&q, num, false);
    return c.Fail("strconv.ParseFloat: parsing " + q +
                  (range_err ? ": value out of range" : ": invalid syntax"));
  }
  std::string extra;
  std::string_view rest = s.substr(last);
  size_t b = 0, e = rest.size();
  while (b < e && IsSpaceRune(static_cast<unsigned char>(rest[b]))) b++;
  while (e > b && IsSpaceRune(static_cast<unsigned char>(rest[e - 1]))) e--;
  AppendMapped(&extra, rest.substr(b, e - b), ToLowerRune);
  static const struct {
    std::string_view unit;
    double mult;
  } kUnits[] = {{"", 1},
                {"b", 1},
                {"k", 1e3},
                {"kb", 1e3},
                {"ki", 1024.0},
                {"kib", 1024.0},
                {"m", 1e6},
                {"mb", 1e6},
                {"mi", 1048576.0},
                {"mib", 1048576.0},
                {"g", 1e9},
                {"gb", 1e9},
                {"gi", 1073741824.0},
                {"gib", 1073741824.0},
                {"t", 1e12},
                {"tb", 1e12},
                {"ti", 1099511627776.0},
                {"tib", 1099511627776.0},
                {"p", 1e15},
                {"pb", 1e15},
                {"pi", 1125899906842624.0},
                {"pib", 1125899906842624.0},
                {"e", 1e18},
                {"eb", 1e18},
                {"ei", 1152921504606846976.0},
                {"eib", 1152921504606846976.0}};
  for (const auto& u : kUnits) {
    if (u.unit == extra) {
      f *= u.mult;
      if (f >= 18446744073709551615.0) return c.Fail("too large: " + std::string(s));
      return c.Return(Value::Float(static_cast<double>(static_cast<uint64_t>(f))));
    }
  }
  return c.Fail("unhandled size name: " + extra);
}

// time.ParseDuration(v).Seconds(), as Loki's duration/duration_seconds.
bool FnDuration(Call& c) {
  int64_t ns;
  std::string err;
  if (!ParseGoDuration(c.args[0].s, &ns, &err)) return c.Fail(err);
  int64_t sec = ns / 1000000000, nsec = ns % 1000000000;
  return c.Return(Value::Float(static_cast<double>(sec) + static_cast<double>(nsec) / 1e9));
}

constexpr PT A = PT::kAny;

}  // namespace

const FuncDef kNumberFuncs[] = {
    {"add", 1, true, {A}, FnAdd, 0},
    {"sub", 2, false, {A, A}, FnSub, 0},
    {"mul", 2, true, {A, A}, FnMul, 0},
    {"div", 2, false, {A, A}, FnDiv, 0},
    {"mod", 2, false, {A, A}, FnMod, 0},
    {"addf", 1, true, {A}, FnAddf, 0},
    {"subf", 2, true, {A, A}, FnSubf, 0},
    {"mulf", 2, true, {A, A}, FnMulf, 0},
    {"divf", 2, true, {A, A}, FnDivf, 0},
    {"max", 2, true, {A, A}, FnMax, 0},
    {"min", 2, true, {A, A}, FnMin, 0},
    {"maxf", 2, true, {A, A}, FnMaxf, 0},
    {"minf", 2, true, {A, A}, FnMinf, 0},
    {"ceil", 1, false, {A}, FnCeil, 0},
    {"floor", 1, false, {A}, FnFloor, 0},
    {"round", 3, true, {A, PT::kInt, PT::kFloat}, FnRound, 0},
    {"int", 1, false, {A}, FnInt, 0},
    {"float64", 1, false, {A}, FnFloat64, 0},
    {"bytes", 1, false, {PT::kString}, FnBytes, 0},
    {"duration", 1, false, {PT::kString}, FnDuration, 0},
    {"duration_seconds", 1, false, {PT::kString}, FnDuration, 0},
};
const size_t kNumNumberFuncs = sizeof(kNumberFuncs) / sizeof(kNumberFuncs[0]);

}  // namespace lode::logql::tmpl
