// Internals of the text/template engine (logql/template.h). Not a public
// interface: shared by template_*.cc only.
//
// Model. Go templates are dynamically typed through reflect.Value; a Value
// here is a small tagged union that mirrors the Go types a Loki template can
// meet: string (labels, literals), int / int64 / uint8, float64, bool,
// time.Time, []interface{} and map[string]interface{} (fromJson) and the
// template's dot, a map[string]string of the labels. Value is trivially
// copyable: strings, lists and maps point into the template's labels/line, the
// parse tree or a per-execution Arena, so a Value never outlives one Execute.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/go_parse.h"
#include "logql/template/template.h"

namespace re2 {
class RE2;
}

namespace lode::logql::tmpl {

struct Zone;
struct ListV;
struct MapV;

enum class Kind : uint8_t {
  kInvalid,  // Go's zero reflect.Value; prints "<no value>" as an action.
  kNil,      // a nil interface{} (JSON null, missing key of a JSON object).
  kBool,
  kInt,  // Go int, int64 or uint8 (see IntType)
  kFloat,
  kString,
  kTime,
  kList,    // []interface {}
  kMap,     // map[string]interface {}
  kLabels,  // map[string]string: the labels of the current entry
};

enum class IntType : uint8_t { kInt, kInt64, kUint8 };

struct Value {
  Kind kind = Kind::kInvalid;
  IntType itype = IntType::kInt;
  bool b = false;
  int32_t nsec = 0;  // kTime: nanoseconds within the second
  int64_t i = 0;     // kInt; kTime: Unix seconds
  double f = 0;
  std::string_view s;       // kString
  const void* p = nullptr;  // kList: ListV, kMap: MapV, kTime: Zone

  static Value Nil() {
    Value v;
    v.kind = Kind::kNil;
    return v;
  }
  static Value Bool(bool x) {
    Value v;
    v.kind = Kind::kBool;
    v.b = x;
    return v;
  }
  static Value Int(int64_t x, IntType t = IntType::kInt) {
    Value v;
    v.kind = Kind::kInt;
    v.i = x;
    v.itype = t;
    return v;
  }
  static Value Float(double x) {
    Value v;
    v.kind = Kind::kFloat;
    v.f = x;
    return v;
  }
  static Value Str(std::string_view x) {
    Value v;
    v.kind = Kind::kString;
    v.s = x;
    return v;
  }
  static Value Time(int64_t sec, int32_t nsec, const Zone* z) {
    Value v;
    v.kind = Kind::kTime;
    v.i = sec;
    v.nsec = nsec;
    v.p = z;
    return v;
  }
  static Value List(const ListV* l) {
    Value v;
    v.kind = Kind::kList;
    v.p = l;
    return v;
  }
  static Value Map(const MapV* m) {
    Value v;
    v.kind = Kind::kMap;
    v.p = m;
    return v;
  }
  // The dot: a map[string]string of n labels (n kept for truth and len).
  static Value Labels(size_t n) {
    Value v;
    v.kind = Kind::kLabels;
    v.i = static_cast<int64_t>(n);
    return v;
  }

  bool IsNilish() const { return kind == Kind::kInvalid || kind == Kind::kNil; }
  const ListV* list() const { return static_cast<const ListV*>(p); }
  const MapV* map() const { return static_cast<const MapV*>(p); }
  const Zone* zone() const { return static_cast<const Zone*>(p); }
};

struct ListV {
  std::vector<Value> items;
};

// Keys are unique and sorted (Go prints and ranges over maps in key order).
struct MapV {
  std::vector<std::pair<std::string_view, Value>> items;
  const Value* Find(std::string_view key) const;
};

// A time zone (Go's time.Location): UTC when `types` is empty, otherwise the
// data of a TZif file or a fixed offset.
struct Zone {
  struct Type {
    int offset = 0;  // seconds east of UTC
    bool isdst = false;
    std::string abbr;
  };
  struct Trans {
    int64_t when = 0;
    uint8_t idx = 0;
  };
  std::string name;
  std::vector<Type> types;
  std::vector<Trans> tx;
  std::string extend;  // POSIX TZ rule for times after the last transition
};

// Owns what values created during one execution point to. Allocates nothing
// until first used.
class Arena {
 public:
  std::string* NewString();
  std::string_view Keep(std::string s);
  ListV* NewList();
  MapV* NewMap();
  Zone* NewZone();

 private:
  std::vector<std::unique_ptr<std::string>> strings_;
  std::vector<std::unique_ptr<ListV>> lists_;
  std::vector<std::unique_ptr<MapV>> maps_;
  std::vector<std::unique_ptr<Zone>> zones_;
};

// What functions may use besides their arguments.
struct Env {
  const TemplateContext* ctx = nullptr;
  Arena* arena = nullptr;
  // Label lookup (labels are sorted by name). Returns nullptr when missing.
  const std::string_view* FindLabel(std::string_view name) const;
};

// ---- functions -------------------------------------------------------------

// Go parameter types the executor converts arguments to, as text/template's
// evalArg/validateType do. kAny is interface{} or reflect.Value.
enum class PT : uint8_t { kAny, kString, kInt, kFloat, kTime, kBool };

struct Call {
  const Env* env = nullptr;
  const Value* args = nullptr;
  size_t n = 0;
  const re2::RE2* re = nullptr;  // args[0] compiled when it was a literal
  Value out;
  std::string err;  // set by a failing function; becomes "error calling f: err"
  bool Fail(std::string msg) {
    err = std::move(msg);
    return false;
  }
  bool Return(const Value& v) {
    out = v;
    return true;
  }
  // Returns a computed string, kept alive by the execution's arena.
  bool ReturnString(std::string s) { return Return(Value::Str(env->arena->Keep(std::move(s)))); }
  // args[i] of a string parameter.
  std::string_view StrArg(size_t i) const { return args[i].s; }
};

using FuncImpl = bool (*)(Call& c);

enum FuncFlags : uint8_t {
  kFuncRegexArg0 = 1,  // first argument is a regular expression
  kFuncAnd = 2,        // builtin "and": lazy evaluation
  kFuncOr = 4,         // builtin "or": lazy evaluation
  kFuncCall = 8,       // builtin "call"
};

struct FuncDef {
  std::string_view name;
  int8_t nparams;  // declared parameters; with variadic, the last is the ...T
  bool variadic;
  PT params[4];
  FuncImpl impl;
  uint8_t flags;
};

// url.QueryEscape (template_funcs_encoding.cc).
std::string QueryEscape(std::string_view s);

// Looks up a template function by name (builtins, Loki's and Sprig's).
const FuncDef* FindFunc(std::string_view name);
// Prometheus's alert template functions (funcs_prom.cc), for CompilePrometheus.
const FuncDef* FindPromFunc(std::string_view name);
// cast.ToFloat64 (funcs_number.cc; errors give 0).
double ToFloat64(const Value& v);
// Methods of time.Time callable as fields (e.g. `__timestamp__.Unix`). The
// receiver is passed as args[0]; nparams excludes it.
const FuncDef* FindTimeMethod(std::string_view name);

// Function tables, one per file.
extern const FuncDef kBuiltinFuncs[];
extern const size_t kNumBuiltinFuncs;
extern const FuncDef kStringFuncs[];
extern const size_t kNumStringFuncs;
extern const FuncDef kEncodingFuncs[];
extern const size_t kNumEncodingFuncs;
extern const FuncDef kNumberFuncs[];
extern const size_t kNumNumberFuncs;
extern const FuncDef kTimeFuncs[];
extern const size_t kNumTimeFuncs;
extern const FuncDef kTimeMethods[];
extern const size_t kNumTimeMethods;

// ---- values and formatting (template_fmt.cc, template_print.cc) -----------

// Go's %T of the value ("string", "int64", "map[string]interface {}", ...).
std::string_view TypeName(const Value& v);
// Appends v as fmt.Print would. Nil values print "<nil>".
void AppendValue(const Env& env, const Value& v, std::string* out);
// fmt.Sprint, fmt.Sprintln and fmt.Sprintf over template values.
void Sprint(const Env& env, const Value* args, size_t n, std::string* out);
void Sprintln(const Env& env, const Value* args, size_t n, std::string* out);
void Sprintf(const Env& env, std::string_view format, const Value* args, size_t n,
             std::string* out);
// strconv.AppendFloat(out, f, fmt, prec, 64) for fmt in "eEfFgGbxX".
void AppendFloat(std::string* out, double f, char fmt, int prec);
// strconv.Quote (ascii_only: QuoteToASCII) including the quotes.
void AppendQuote(std::string* out, std::string_view s, bool ascii_only);
// strconv.QuoteRune.
void AppendQuoteRune(std::string* out, int32_t r, bool ascii_only);
// Go's truth of a value (text/template isTrue); Sprig's empty is !truth.
bool Truth(const Value& v);
// strconv.CanBackquote.
bool CanBackquote(std::string_view s);
// Go's %#U of a rune: U+0041 'A'.
std::string FormatRuneU(int32_t r);

// ---- text (template_text.cc) ------------------------------------------------

// Decodes the rune at s[i] as Go's utf8.DecodeRuneInString: an invalid byte
// yields U+FFFD with width 1. Returns the width (0 at the end).
int DecodeRune(std::string_view s, size_t i, int32_t* r);
int DecodeLastRune(std::string_view s, int32_t* r);
void AppendRune(std::string* out, int32_t r);
size_t RuneCount(std::string_view s);
int32_t ToUpperRune(int32_t r);
int32_t ToLowerRune(int32_t r);
int32_t ToTitleRune(int32_t r);
bool IsSpaceRune(int32_t r);   // unicode.IsSpace
bool IsLetterRune(int32_t r);  // unicode.IsLetter
bool IsDigitRune(int32_t r);   // unicode.IsDigit
bool IsPrintRune(int32_t r);   // unicode.IsPrint (strconv.IsPrint)
// strings.Map with a rune mapping; invalid UTF-8 becomes U+FFFD.
void AppendMapped(std::string* out, std::string_view s, int32_t (*fn)(int32_t));
// Go's strconv.ParseFloat(s, 64) (base/go_parse.h) with a range-error flag
// instead of the error text.
bool ParseGoFloat(std::string_view s, double* out, bool* range_err);
// strconv.Unquote for "..." `...` and '...'.
bool GoUnquote(std::string_view s, std::string* out);
// A template char constant ('a', '\n'): strconv.UnquoteChar on the text after
// the opening quote. *malformed is set when more than one rune is quoted.
bool GoUnquoteChar(std::string_view s, int32_t* r, bool* malformed);

// ---- time (template_time.cc, template_zone.cc) ------------------------------

// Resolves a zone as Go's time.LoadLocation; "Local" and "" are UTC here.
// Returns nullptr for an unknown zone. Loaded zones live for the process.
const Zone* LoadZone(std::string_view name);
const Zone* UtcZone();
const Zone* FixedZone(Arena* arena, std::string_view name, int offset);
// The zone in effect at `sec`: abbreviation, offset east of UTC, validity.
struct ZoneInfo {
  std::string_view abbr;
  int offset = 0;
  int64_t start = 0;
  int64_t end = 0;
  bool isdst = false;
};
ZoneInfo ZoneLookup(const Zone* z, int64_t sec);
// Location.lookupName: the offset of the zone abbreviation `name` in z
// around `unix`; false when z has no zone of that name.
bool ZoneOffsetByName(const Zone* z, std::string_view name, int64_t unix, int* offset);
// Go's time.Date: civil time in zone to an instant (normalising fields).
Value TimeFromCivil(int64_t year, int64_t month, int64_t day, int64_t hour, int64_t min,
                    int64_t sec, int64_t nsec, const Zone* z);
// Time.Format(layout) and Time.String().
void AppendTimeFormat(std::string* out, const Value& t, std::string_view layout);
void AppendTimeString(std::string* out, const Value& t);
// time.ParseInLocation; false when the value does not match the layout.
bool ParseTimeInLocation(std::string_view layout, std::string_view value, const Zone* loc,
                         Arena* arena, Value* out);
// time.ParseDuration; on error *err holds Go's message.
bool ParseGoDuration(std::string_view s, int64_t* ns, std::string* err);
// Proleptic Gregorian calendar: days since 1970-01-01 and back.
int64_t DaysFromCivil(int64_t year, int64_t month, int64_t day);
void CivilFromDays(int64_t days, int64_t* year, int* month, int* day);
bool IsLeapYear(int64_t year);
int DaysInMonth(int month, int64_t year);
// Civil fields of an instant in its zone.
struct Civil {
  int64_t year;
  int month, day, hour, min, sec, yday, wday;
  int offset;
  std::string_view abbr;
};
Civil ToCivil(const Value& t);

}  // namespace lode::logql::tmpl
