// Go's text/template builtin functions (text/template/funcs.go): and, or,
// not, len, index, slice, print, printf, println, html, js, urlquery, eq, ne,
// lt, le, gt, ge and call. and/or/call are evaluated by the executor; their
// entries here only carry the signature.

#include <cstdio>
#include <vector>

#include "logql/template/internal.h"

namespace lode::logql::tmpl {

namespace {

bool FnNot(Call& c) { return c.Return(Value::Bool(!Truth(c.args[0]))); }

bool FnLen(Call& c) {
  const Value& v = c.args[0];
  switch (v.kind) {
    case Kind::kNil:
      return c.Fail("len of nil pointer");
    case Kind::kInvalid:
      return c.Fail("reflect: call of reflect.Value.Type on zero Value");
    case Kind::kString:
      return c.Return(Value::Int(static_cast<int64_t>(v.s.size())));
    case Kind::kList:
      return c.Return(Value::Int(static_cast<int64_t>(v.list()->items.size())));
    case Kind::kMap:
      return c.Return(Value::Int(static_cast<int64_t>(v.map()->items.size())));
    case Kind::kLabels:
      return c.Return(Value::Int(v.i));
    default:
      return c.Fail("len of type " + std::string(TypeName(v)));
  }
}

// indexArg: an integer index in [0, cap].
bool IndexArg(Call& c, const Value& index, size_t cap, int64_t* x) {
  if (index.IsNilish()) return c.Fail("cannot index slice/array with nil");
  if (index.kind != Kind::kInt) {
    return c.Fail("cannot index slice/array with type " + std::string(TypeName(index)));
  }
  *x = index.i;
  if (*x < 0 || static_cast<uint64_t>(*x) > cap)
    return c.Fail("index out of range: " + std::to_string(*x));
  return true;
}

bool MapKey(Call& c, const Value& index, std::string_view* key) {
  if (index.IsNilish()) return c.Fail("value is nil; should be of type string");
  if (index.kind != Kind::kString) {
    return c.Fail("value has type " + std::string(TypeName(index)) + "; should be string");
  }
  *key = index.s;
  return true;
}

bool FnIndex(Call& c) {
  Value item = c.args[0];
  if (item.IsNilish()) return c.Fail("index of untyped nil");
  for (size_t i = 1; i < c.n; i++) {
    const Value& index = c.args[i];
    if (item.kind == Kind::kNil) return c.Fail("index of nil pointer");
    switch (item.kind) {
      case Kind::kString: {
        int64_t x;
        if (!IndexArg(c, index, item.s.size(), &x)) return false;
        if (static_cast<size_t>(x) == item.s.size())
          return c.Fail("reflect: string index out of range");
        item = Value::Int(static_cast<unsigned char>(item.s[x]), IntType::kUint8);
        break;
      }
      case Kind::kList: {
        const auto& items = item.list()->items;
        int64_t x;
        if (!IndexArg(c, index, items.size(), &x)) return false;
        if (static_cast<size_t>(x) == items.size())
          return c.Fail("reflect: slice index out of range");
        item = items[x];
        break;
      }
      case Kind::kMap: {
        std::string_view key;
        if (!MapKey(c, index, &key)) return false;
        const Value* v = item.map()->Find(key);
        item = v ? *v : Value::Nil();
        break;
      }
      case Kind::kLabels: {
        std::string_view key;
        if (!MapKey(c, index, &key)) return false;
        const std::string_view* v = c.env->FindLabel(key);
        item = Value::Str(v ? *v : std::string_view());
        break;
      }
      default:
        return c.Fail("can't index item of type " + std::string(TypeName(item)));
    }
  }
  return c.Return(item);
}

bool FnSlice(Call& c) {
  const Value& item = c.args[0];
  if (item.IsNilish()) return c.Fail("slice of untyped nil");
  size_t nidx = c.n - 1;
  if (nidx > 3) return c.Fail("too many slice indexes: " + std::to_string(nidx));
  size_t cap;
  if (item.kind == Kind::kString) {
    if (nidx == 3) return c.Fail("cannot 3-index slice a string");
    cap = item.s.size();
  } else if (item.kind == Kind::kList) {
    cap = item.list()->items.size();
  } else {
    return c.Fail("can't slice item of type " + std::string(TypeName(item)));
  }
  int64_t idx[3] = {0, static_cast<int64_t>(cap), static_cast<int64_t>(cap)};
  for (size_t i = 0; i < nidx; i++) {
    if (!IndexArg(c, c.args[i + 1], cap, &idx[i])) return false;
  }
  if (idx[0] > idx[1]) {
    return c.Fail("invalid slice index: " + std::to_string(idx[0]) + " > " +
                  std::to_string(idx[1]));
  }
  if (nidx == 3 && idx[1] > idx[2]) {
    return c.Fail("invalid slice index: " + std::to_string(idx[1]) + " > " +
                  std::to_string(idx[2]));
  }
  if (item.kind == Kind::kString)
    return c.Return(Value::Str(item.s.substr(idx[0], idx[1] - idx[0])));
  ListV* l = c.env->arena->NewList();
  const auto& items = item.list()->items;
  l->items.assign(items.begin() + idx[0], items.begin() + idx[1]);
  return c.Return(Value::List(l));
}

bool FnPrint(Call& c) {
  std::string s;
  Sprint(*c.env, c.args, c.n, &s);
  return c.ReturnString(std::move(s));
}

bool FnPrintln(Call& c) {
  std::string s;
  Sprintln(*c.env, c.args, c.n, &s);
  return c.ReturnString(std::move(s));
}

bool FnPrintf(Call& c) {
  std::string s;
  Sprintf(*c.env, c.args[0].s, c.args + 1, c.n - 1, &s);
  return c.ReturnString(std::move(s));
}

// evalArgs: a single string argument as is, anything else through Sprint,
// where a nil argument prints as "<no value>" (Go's printableValue).
std::string EvalArgs(Call& c) {
  if (c.n == 1 && c.args[0].kind == Kind::kString) return std::string(c.args[0].s);
  std::vector<Value> args(c.args, c.args + c.n);
  for (auto& a : args) {
    if (a.IsNilish()) a = Value::Str("<no value>");
  }
  std::string s;
  Sprint(*c.env, args.data(), args.size(), &s);
  return s;
}

bool FnHtml(Call& c) {
  std::string s = EvalArgs(c);
  std::string out;
  for (char ch : s) {
    switch (ch) {
      case '\0':
        out += "\xEF\xBF\xBD";
        break;
      case '"':
        out += "&#34;";
        break;
      case '\'':
        out += "&#39;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      default:
        out.push_back(ch);
    }
  }
  return c.ReturnString(std::move(out));
}

bool FnJs(Call& c) {
  static const char kHex[] = "0123456789ABCDEF";
  std::string s = EvalArgs(c);
  std::string out;
  for (size_t i = 0; i < s.size();) {
    unsigned char ch = static_cast<unsigned char>(s[i]);
    if (ch < 0x80) {
      switch (ch) {
        case '\\':
          out += "\\\\";
          break;
        case '\'':
          out += "\\'";
          break;
        case '"':
          out += "\\\"";
          break;
        case '<':
          out += "\\u003C";
          break;
        case '>':
          out += "\\u003E";
          break;
        case '&':
          out += "\\u0026";
          break;
        case '=':
          out += "\\u003D";
          break;
        default:
          if (ch < ' ') {
            out += "\\u00";
            out.push_back(kHex[ch >> 4]);
            out.push_back(kHex[ch & 0xF]);
          } else {
            out.push_back(static_cast<char>(ch));
          }
      }
      i++;
      continue;
    }
    int32_t r;
    int w = DecodeRune(s, i, &r);
    if (IsPrintRune(r)) {
      out.append(s, i, w);
    } else {
      char buf[16];
      std::snprintf(buf, sizeof(buf), "\\u%04X", static_cast<unsigned>(r));
      out += buf;
    }
    i += w;
  }
  return c.ReturnString(std::move(out));
}

bool FnUrlquery(Call& c) { return c.ReturnString(QueryEscape(EvalArgs(c))); }

enum class BK { kInvalid, kBool, kInt, kUint, kFloat, kString };

BK BasicKind(const Value& v) {
  switch (v.kind) {
    case Kind::kBool:
      return BK::kBool;
    case Kind::kInt:
      return v.itype == IntType::kUint8 ? BK::kUint : BK::kInt;
    case Kind::kFloat:
      return BK::kFloat;
    case Kind::kString:
      return BK::kString;
    default:
      return BK::kInvalid;
  }
}

// eq(arg1, arg2): false plus an error message in *err on failure.
bool Eq2(const Env& env, const Value& a, const Value& b, bool* truth, std::string* err) {
  BK k1 = BasicKind(a), k2 = BasicKind(b);
  *truth = false;
  if (k1 != k2) {
    if ((k1 == BK::kInt && k2 == BK::kUint) || (k1 == BK::kUint && k2 == BK::kInt)) {
      *truth = a.i == b.i;
      return true;
    }
    if (!a.IsNilish() && !b.IsNilish()) {
      *err = "incompatible types for comparison";
      return false;
    }
    return true;
  }
  switch (k1) {
    case BK::kBool:
      *truth = a.b == b.b;
      return true;
    case BK::kFloat:
      *truth = a.f == b.f;
      return true;
    case BK::kInt:
    case BK::kUint:
      *truth = a.i == b.i;
      return true;
    case BK::kString:
      *truth = a.s == b.s;
      return true;
    case BK::kInvalid:
      break;
  }
  if (a.IsNilish() || b.IsNilish()) {
    *truth = a.IsNilish() == b.IsNilish();
    return true;
  }
  // Go compares non-basic values of the same reflect.Kind (maps with maps,
  // slices with slices); only structs (time.Time) are comparable.
  auto go_kind = [](Kind k) { return k == Kind::kLabels ? Kind::kMap : k; };
  if (go_kind(a.kind) != go_kind(b.kind)) {
    std::string sa, sb;
    Sprintf(env, "%s", &a, 1, &sa);
    Sprintf(env, "%v", &b, 1, &sb);
    *err = "non-comparable types " + sa + ": " + std::string(TypeName(a)) + ", " +
           std::string(TypeName(b)) + ": " + sb;
    return false;
  }
  if (a.kind == Kind::kTime) {
    *truth = a.i == b.i && a.nsec == b.nsec && a.p == b.p;
    return true;
  }
  std::string sb;
  Sprintf(env, "%s", &b, 1, &sb);
  *err = "non-comparable type " + sb + ": " + std::string(TypeName(b));
  return false;
}

bool FnEq(Call& c) {
  if (c.n < 2) return c.Fail("missing argument for comparison");
  for (size_t i = 1; i < c.n; i++) {
    bool truth;
    if (!Eq2(*c.env, c.args[0], c.args[i], &truth, &c.err)) return false;
    if (truth) return c.Return(Value::Bool(true));
  }
  return c.Return(Value::Bool(false));
}

bool FnNe(Call& c) {
  bool truth;
  if (!Eq2(*c.env, c.args[0], c.args[1], &truth, &c.err)) return false;
  return c.Return(Value::Bool(!truth));
}

bool Lt2(const Value& a, const Value& b, bool* truth, std::string* err) {
  BK k1 = BasicKind(a), k2 = BasicKind(b);
  if (k1 == BK::kInvalid || k2 == BK::kInvalid) {
    *err = "invalid type for comparison";
    return false;
  }
  if (k1 != k2) {
    if ((k1 == BK::kInt && k2 == BK::kUint) || (k1 == BK::kUint && k2 == BK::kInt)) {
      *truth = a.i < b.i;
      return true;
    }
    *err = "incompatible types for comparison";
    return false;
  }
  switch (k1) {
    case BK::kBool:
      *err = "invalid type for comparison";
      return false;
    case BK::kFloat:
      *truth = a.f < b.f;
      return true;
    case BK::kInt:
    case BK::kUint:
      *truth = a.i < b.i;
      return true;
    case BK::kString:
      *truth = a.s < b.s;
      return true;
    case BK::kInvalid:
      break;
  }
  return false;
}

bool Le2(const Env& env, const Value& a, const Value& b, bool* truth, std::string* err) {
  if (!Lt2(a, b, truth, err)) return false;
  if (*truth) return true;
  return Eq2(env, a, b, truth, err);
}

bool FnLt(Call& c) {
  bool t;
  if (!Lt2(c.args[0], c.args[1], &t, &c.err)) return false;
  return c.Return(Value::Bool(t));
}

bool FnLe(Call& c) {
  bool t;
  if (!Le2(*c.env, c.args[0], c.args[1], &t, &c.err)) return false;
  return c.Return(Value::Bool(t));
}

bool FnGt(Call& c) {
  bool t;
  if (!Le2(*c.env, c.args[0], c.args[1], &t, &c.err)) return false;
  return c.Return(Value::Bool(!t));
}

bool FnGe(Call& c) {
  bool t;
  if (!Lt2(c.args[0], c.args[1], &t, &c.err)) return false;
  return c.Return(Value::Bool(!t));
}

constexpr PT A = PT::kAny;

}  // namespace

const FuncDef kBuiltinFuncs[] = {
    {"and", 2, true, {A, A}, nullptr, kFuncAnd},
    {"or", 2, true, {A, A}, nullptr, kFuncOr},
    {"not", 1, false, {A}, FnNot, 0},
    {"len", 1, false, {A}, FnLen, 0},
    {"index", 2, true, {A, A}, FnIndex, 0},
    {"slice", 2, true, {A, A}, FnSlice, 0},
    {"print", 1, true, {A}, FnPrint, 0},
    {"printf", 2, true, {PT::kString, A}, FnPrintf, 0},
    {"println", 1, true, {A}, FnPrintln, 0},
    {"html", 1, true, {A}, FnHtml, 0},
    {"js", 1, true, {A}, FnJs, 0},
    {"urlquery", 1, true, {A}, FnUrlquery, 0},
    {"eq", 2, true, {A, A}, FnEq, 0},
    {"ne", 2, false, {A, A}, FnNe, 0},
    {"lt", 2, false, {A, A}, FnLt, 0},
    {"le", 2, false, {A, A}, FnLe, 0},
    {"gt", 2, false, {A, A}, FnGt, 0},
    {"ge", 2, false, {A, A}, FnGe, 0},
    {"call", 2, true, {A, A}, nullptr, kFuncCall},
};
const size_t kNumBuiltinFuncs = sizeof(kBuiltinFuncs) / sizeof(kBuiltinFuncs[0]);

}  // namespace lode::logql::tmpl
