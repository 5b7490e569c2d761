// Go's fmt package over template values: Sprint, Sprintln, Sprintf and the
// %v printing used when an action outputs a value. A port of fmt/print.go
// and fmt/format.go: flags, width, precision, argument indexes, the verbs of
// each type and the error forms (%!d(string=abc), %!v(MISSING), %!(EXTRA ..)).

#include <cmath>
#include <cstring>

#include "logql/template/internal.h"

namespace lode::logql::tmpl {
namespace {

constexpr char kLDigits[] = "0123456789abcdefx";
constexpr char kUDigits[] = "0123456789ABCDEFX";
constexpr int kTooLarge = 1000000;

struct Flags {
  bool plus = false, minus = false, sharp = false, space = false, zero = false;
  bool plus_v = false, sharp_v = false;
  bool wid_present = false, prec_present = false;
  int wid = 0, prec = 0;
};

class Printer {
 public:
  Printer(const Env& env, std::string* out) : env_(env), buf_(out) {}

  void PrintArg(const Value& arg, int32_t verb) { PrintArgDepth(arg, verb, 0); }

  void DoPrintf(std::string_view format, const Value* a, size_t n);
  void DoPrint(const Value* a, size_t n);
  void DoPrintln(const Value* a, size_t n);

 private:
  void WriteRune(int32_t r) { AppendRune(buf_, r); }

  // ---- fmt.fmt: padding and the per-type formatters ----
  void WritePadding(int n) {
    if (n <= 0) return;
    buf_->append(static_cast<size_t>(n), f_.zero ? '0' : ' ');
  }
  void Pad(std::string_view s) {
    if (!f_.wid_present || f_.wid == 0) {
      buf_->append(s);
      return;
    }
    int width = f_.wid - static_cast<int>(RuneCount(s));
    if (!f_.minus) {
      WritePadding(width);
      buf_->append(s);
    } else {
      buf_->append(s);
      WritePadding(width);
    }
  }
  std::string_view Truncate(std::string_view s) const {
    if (f_.prec_present) {
      size_t i = 0;
      for (int n = 0; i < s.size(); n++) {
        if (n >= f_.prec) return s.substr(0, i);
        int32_t r;
        i += DecodeRune(s, i, &r);
      }
    }
    return s;
  }
  void FmtS(std::string_view s) { Pad(Truncate(s)); }
  void FmtSx(std::string_view s, const char* digits) {
    int length = static_cast<int>(s.size());
    if (f_.prec_present && f_.prec < length) length = f_.prec;
    int width = 2 * length;
    if (width > 0) {
      if (f_.space) {
        if (f_.sharp) width *= 2;
        width += length - 1;
      } else if (f_.sharp) {
        width += 2;
      }
    } else {
      if (f_.wid_present) WritePadding(f_.wid);
      return;
    }
    if (f_.wid_present && f_.wid > width && !f_.minus) WritePadding(f_.wid - width);
    if (f_.sharp) {
      buf_->push_back('0');
      buf_->push_back(digits[16]);
    }
    for (int i = 0; i < length; i++) {
      if (f_.space && i > 0) {
        buf_->push_back(' ');
        if (f_.sharp) {
          buf_->push_back('0');
          buf_->push_back(digits[16]);
        }
      }
      unsigned char c = static_cast<unsigned char>(s[i]);
      buf_->push_back(digits[c >> 4]);
      buf_->push_back(digits[c & 0xF]);
    }
    if (f_.wid_present && f_.wid > width && f_.minus) WritePadding(f_.wid - width);
  }
  void FmtQ(std::string_view s) {
    s = Truncate(s);
    if (f_.sharp && CanBackquote(s)) {
      std::string q = "`";
      q.append(s);
      q.push_back('`');
      Pad(q);
      return;
    }
    std::string q;
    AppendQuote(&q, s, f_.plus);
    Pad(q);
  }
  void FmtBoolean(bool v) { Pad(v ? "true" : "false"); }

  void FmtInteger(uint64_t u, int base, bool is_signed, int32_t verb, const char* digits) {
    bool negative = is_signed && static_cast<int64_t>(u) < 0;
    if (negative) u = 0 - u;
    int prec = 0;
    if (f_.prec_present) {
      prec = f_.prec;
      if (prec == 0 && u == 0) {
        bool old = f_.zero;
        f_.zero = false;
        WritePadding(f_.wid);
        f_.zero = old;
        return;
      }
    } else if (f_.zero && !f_.minus && f_.wid_present) {
      prec = f_.wid;
      if (negative || f_.plus || f_.space) prec--;
    }
    std::string tmp;
    do {
      tmp.push_back(digits[u % static_cast<uint64_t>(base)]);
      u /= static_cast<uint64_t>(base);
    } while (u != 0);
    while (static_cast<int>(tmp.size()) < prec) tmp.push_back('0');
    if (f_.sharp) {
      switch (base) {
        case 2:
          tmp += "b0";
          break;
        case 8:
          if (tmp.back() != '0') tmp.push_back('0');
          break;
        case 16:
          tmp.push_back(digits[16]);
          tmp.push_back('0');
          break;
        default:
          break;
      }
    }
    if (verb == 'O') tmp += "o0";
    if (negative) {
      tmp.push_back('-');
    } else if (f_.plus) {
      tmp.push_back('+');
    } else if (f_.space) {
      tmp.push_back(' ');
    }
    std::string s(tmp.rbegin(), tmp.rend());
    bool old = f_.zero;
    f_.zero = false;
    Pad(s);
    f_.zero = old;
  }
  void FmtC(uint64_t c) {
    int32_t r = c > 0x10FFFF ? 0xFFFD : static_cast<int32_t>(c);
    std::string s;
    AppendRune(&s, r);
    Pad(s);
  }
  void FmtQc(uint64_t c) {
    int32_t r = c > 0x10FFFF ? 0xFFFD : static_cast<int32_t>(c);
    std::string s;
    AppendQuoteRune(&s, r, f_.plus);
    Pad(s);
  }
  void FmtUnicode(uint64_t u) {
    int prec = 4;
    if (f_.prec_present && f_.prec > 4) prec = f_.prec;
    std::string hex;
    uint64_t v = u;
    do {
      hex.push_back(kUDigits[v & 0xF]);
      v >>= 4;
    } while (v != 0);
    while (static_cast<int>(hex.size()) < prec) hex.push_back('0');
    std::string s = "U+";
    s.append(hex.rbegin(), hex.rend());
    if (f_.sharp && u <= 0x10FFFF && IsPrintRune(static_cast<int32_t>(u))) {
      s += " '";
      AppendRune(&s, static_cast<int32_t>(u));
      s += "'";
    }
    bool old = f_.zero;
    f_.zero = false;
    Pad(s);
    f_.zero = old;
  }

  void FmtFloat(double v, char verb, int prec) {
    if (f_.prec_present) prec = f_.prec;
    std::string num = "+";
    AppendFloat(&num, v, verb, prec);
    if (num[1] == '-' || num[1] == '+') {
      num.erase(0, 1);
    }
    if (f_.space && num[0] == '+' && !f_.plus) num[0] = ' ';
    if (num[1] == 'I' || num[1] == 'N') {
      bool old = f_.zero;
      f_.zero = false;
      if (num[1] == 'N' && !f_.space && !f_.plus) num.erase(0, 1);
      Pad(num);
      f_.zero = old;
      return;
    }
    if (f_.sharp && verb != 'b') {
      int digits = 0;
      if (verb == 'v' || verb == 'g' || verb == 'G' || verb == 'x') digits = prec == -1 ? 6 : prec;
      std::string tail;
      bool has_dot = false, saw_nonzero = false;
      for (size_t i = 1; i < num.size(); i++) {
        char c = num[i];
        if (c == '.') {
          has_dot = true;
        } else if (c == 'p' || c == 'P' || ((c == 'e' || c == 'E') && verb != 'x' && verb != 'X')) {
          tail = num.substr(i);
          num.resize(i);
          break;
        } else {
          if (c != '0') saw_nonzero = true;
          if (saw_nonzero) digits--;
        }
      }
      if (!has_dot) {
        if (num.size() == 2 && num[1] == '0') digits--;
        num.push_back('.');
      }
      while (digits > 0) {
        num.push_back('0');
        digits--;
      }
      num += tail;
    }
    if (f_.plus || num[0] != '+') {
      if (f_.zero && !f_.minus && f_.wid_present && f_.wid > static_cast<int>(num.size())) {
        buf_->push_back(num[0]);
        WritePadding(f_.wid - static_cast<int>(num.size()));
        buf_->append(num, 1);
        return;
      }
      Pad(num);
      return;
    }
    Pad(std::string_view(num).substr(1));
  }

  // ---- fmt.pp: verbs per type ----
  void BadVerb(const Value* arg, int32_t verb) {
    buf_->append("%!");
    WriteRune(verb);
    buf_->push_back('(');
    if (arg != nullptr && !arg->IsNilish()) {
      buf_->append(TypeName(*arg));
      buf_->push_back('=');
      PrintArgDepth(*arg, 'v', 0);
    } else {
      buf_->append("<nil>");
    }
    buf_->push_back(')');
  }

  void PrintArgDepth(const Value& arg, int32_t verb, int depth) {
    if (arg.IsNilish()) {
      if (depth > 0 && f_.sharp_v) {
        buf_->append("interface {}(nil)");
      } else if (depth > 0 || verb == 'T' || verb == 'v') {
        Pad("<nil>");
      } else {
        BadVerb(nullptr, verb);
      }
      return;
    }
    if (verb == 'T') {
      FmtS(TypeName(arg));
      return;
    }
    switch (arg.kind) {
      case Kind::kBool:
        if (verb == 't' || verb == 'v') {
          FmtBoolean(arg.b);
        } else {
          BadVerb(&arg, verb);
        }
        return;
      case Kind::kFloat:
        switch (verb) {
          case 'v':
            FmtFloat(arg.f, 'g', -1);
            return;
          case 'b':
          case 'g':
          case 'G':
          case 'x':
          case 'X':
            FmtFloat(arg.f, static_cast<char>(verb), -1);
            return;
          case 'f':
          case 'e':
          case 'E':
            FmtFloat(arg.f, static_cast<char>(verb), 6);
            return;
          case 'F':
            FmtFloat(arg.f, 'f', 6);
            return;
          default:
            BadVerb(&arg, verb);
            return;
        }
      case Kind::kInt: {
        bool is_signed = arg.itype != IntType::kUint8;
        uint64_t u = static_cast<uint64_t>(arg.i);
        if (verb == 'v' && f_.sharp_v && !is_signed) {
          bool old = f_.sharp;
          f_.sharp = true;
          FmtInteger(u, 16, false, verb, kLDigits);
          f_.sharp = old;
          return;
        }
        switch (verb) {
          case 'v':
          case 'd':
            FmtInteger(u, 10, is_signed, verb, kLDigits);
            return;
          case 'b':
            FmtInteger(u, 2, is_signed, verb, kLDigits);
            return;
          case 'o':
          case 'O':
            FmtInteger(u, 8, is_signed, verb, kLDigits);
            return;
          case 'x':
            FmtInteger(u, 16, is_signed, verb, kLDigits);
            return;
          case 'X':
            FmtInteger(u, 16, is_signed, verb, kUDigits);
            return;
          case 'c':
            FmtC(u);
            return;
          case 'q':
            FmtQc(u);
            return;
          case 'U':
            FmtUnicode(u);
            return;
          default:
            BadVerb(&arg, verb);
            return;
        }
      }
      case Kind::kString:
        FmtString(arg.s, verb, &arg);
        return;
      case Kind::kTime: {
        if (verb == 'v' || verb == 's' || verb == 'x' || verb == 'X' || verb == 'q') {
          std::string s;
          AppendTimeString(&s, arg);
          FmtString(s, verb, &arg);
        } else {
          BadVerb(&arg, verb);
        }
        return;
      }
      case Kind::kList: {
        // %#v prints Go syntax: []interface {}{1, "a"}.
        if (f_.sharp_v) {
          buf_->append(TypeName(arg));
          buf_->push_back('{');
        } else {
          buf_->push_back('[');
        }
        const auto& items = arg.list()->items;
        for (size_t i = 0; i < items.size(); i++) {
          if (i > 0) buf_->append(f_.sharp_v ? ", " : " ");
          PrintArgDepth(items[i], verb, depth + 1);
        }
        buf_->push_back(f_.sharp_v ? '}' : ']');
        return;
      }
      case Kind::kMap:
      case Kind::kLabels: {
        if (f_.sharp_v) {
          buf_->append(TypeName(arg));
          buf_->push_back('{');
        } else {
          buf_->append("map[");
        }
        size_t n =
            arg.kind == Kind::kMap ? arg.map()->items.size() : (env_.ctx ? env_.ctx->n_labels : 0);
        for (size_t i = 0; i < n; i++) {
          if (i > 0) buf_->append(f_.sharp_v ? ", " : " ");
          if (arg.kind == Kind::kMap) {
            PrintArgDepth(Value::Str(arg.map()->items[i].first), verb, depth + 1);
            buf_->push_back(':');
            PrintArgDepth(arg.map()->items[i].second, verb, depth + 1);
          } else {
            PrintArgDepth(Value::Str(env_.ctx->labels[i].name), verb, depth + 1);
            buf_->push_back(':');
            PrintArgDepth(Value::Str(env_.ctx->labels[i].value), verb, depth + 1);
          }
        }
        buf_->push_back(f_.sharp_v ? '}' : ']');
        return;
      }
      default:
        return;
    }
  }

  void FmtString(std::string_view s, int32_t verb, const Value* arg) {
    switch (verb) {
      case 'v':
        if (f_.sharp_v) {
          FmtQ(s);
        } else {
          FmtS(s);
        }
        return;
      case 's':
        FmtS(s);
        return;
      case 'x':
        FmtSx(s, kLDigits);
        return;
      case 'X':
        FmtSx(s, kUDigits);
        return;
      case 'q':
        FmtQ(s);
        return;
      default:
        BadVerb(arg, verb);
        return;
    }
  }

  // ---- Printf argument handling ----
  static bool IntFromArg(const Value* a, size_t n, size_t* arg_num, int* num) {
    bool ok = false;
    *num = 0;
    if (*arg_num < n) {
      const Value& v = a[*arg_num];
      if (v.kind == Kind::kInt) {
        *num = static_cast<int>(v.i);
        ok = static_cast<int64_t>(*num) == v.i;
      }
      ++*arg_num;
      if (*num > kTooLarge || *num < -kTooLarge) {
        *num = 0;
        ok = false;
      }
    }
    return ok;
  }
  static bool ParseNum(std::string_view s, size_t start, size_t end, int* num, size_t* newi) {
    *num = 0;
    if (start >= end) {
      *newi = end;
      return false;
    }
    bool isnum = false;
    size_t i = start;
    for (; i < end && s[i] >= '0' && s[i] <= '9'; i++) {
      if (*num > kTooLarge || *num < -kTooLarge) {
        *num = 0;
        *newi = end;
        return false;
      }
      *num = *num * 10 + (s[i] - '0');
      isnum = true;
    }
    *newi = i;
    return isnum;
  }
  // argNumber: an explicit [n] index. Returns whether one was found.
  bool ArgNumber(size_t* arg_num, std::string_view format, size_t* i, size_t num_args) {
    if (*i >= format.size() || format[*i] != '[') return false;
    reordered_ = true;
    std::string_view f = format.substr(*i);
    int index = 0;
    size_t wid = 1;
    bool ok = false;
    if (f.size() >= 3) {
      for (size_t j = 1; j < f.size(); j++) {
        if (f[j] == ']') {
          int width;
          size_t newi;
          bool isnum = ParseNum(f, 1, j, &width, &newi);
          wid = j + 1;
          if (isnum && newi == j) {
            ok = true;
            index = width - 1;
          }
          break;
        }
      }
    }
    *i += wid;
    if (ok && index >= 0 && static_cast<size_t>(index) < num_args) {
      *arg_num = static_cast<size_t>(index);
      return true;
    }
    good_arg_num_ = false;
    return ok;
  }

  const Env& env_;
  std::string* buf_;
  Flags f_;
  bool reordered_ = false;
  bool good_arg_num_ = true;
};

void Printer::DoPrintf(std::string_view format, const Value* a, size_t n) {
  size_t end = format.size();
  size_t arg_num = 0;
  bool after_index = false;
  reordered_ = false;
  for (size_t i = 0; i < end;) {
    good_arg_num_ = true;
    size_t lasti = i;
    while (i < end && format[i] != '%') i++;
    if (i > lasti) buf_->append(format.substr(lasti, i - lasti));
    if (i >= end) break;
    i++;
    f_ = Flags();
    bool simple_done = false;
    for (; i < end; i++) {
      char c = format[i];
      if (c == '#') {
        f_.sharp = true;
      } else if (c == '0') {
        f_.zero = !f_.minus;
      } else if (c == '+') {
        f_.plus = true;
      } else if (c == '-') {
        f_.minus = true;
        f_.zero = false;
      } else if (c == ' ') {
        f_.space = true;
      } else {
        if (c >= 'a' && c <= 'z' && arg_num < n) {
          if (c == 'v') {
            f_.sharp_v = f_.sharp;
            f_.sharp = false;
            f_.plus_v = f_.plus;
            f_.plus = false;
          }
          PrintArg(a[arg_num], c);
          arg_num++;
          i++;
          simple_done = true;
        }
        break;
      }
    }
    if (simple_done) continue;

    after_index = ArgNumber(&arg_num, format, &i, n);
    if (i < end && format[i] == '*') {
      i++;
      f_.wid_present = IntFromArg(a, n, &arg_num, &f_.wid);
      if (!f_.wid_present) buf_->append("%!(BADWIDTH)");
      if (f_.wid < 0) {
        f_.wid = -f_.wid;
        f_.minus = true;
        f_.zero = false;
      }
      after_index = false;
    } else {
      f_.wid_present = ParseNum(format, i, end, &f_.wid, &i);
      if (after_index && f_.wid_present) good_arg_num_ = false;
    }
    if (i + 1 < end && format[i] == '.') {
      i++;
      if (after_index) good_arg_num_ = false;
      after_index = ArgNumber(&arg_num, format, &i, n);
      if (i < end && format[i] == '*') {
        i++;
        f_.prec_present = IntFromArg(a, n, &arg_num, &f_.prec);
        if (f_.prec < 0) {
          f_.prec = 0;
          f_.prec_present = false;
        }
        if (!f_.prec_present) buf_->append("%!(BADPREC)");
        after_index = false;
      } else {
        f_.prec_present = ParseNum(format, i, end, &f_.prec, &i);
        if (!f_.prec_present) {
          f_.prec = 0;
          f_.prec_present = true;
        }
      }
    }
    if (!after_index) after_index = ArgNumber(&arg_num, format, &i, n);
    if (i >= end) {
      buf_->append("%!(NOVERB)");
      break;
    }
    int32_t verb;
    int size = DecodeRune(format, i, &verb);
    i += size;
    if (verb == '%') {
      buf_->push_back('%');
    } else if (!good_arg_num_) {
      buf_->append("%!");
      WriteRune(verb);
      buf_->append("(BADINDEX)");
    } else if (arg_num >= n) {
      buf_->append("%!");
      WriteRune(verb);
      buf_->append("(MISSING)");
    } else {
      if (verb == 'v') {
        f_.sharp_v = f_.sharp;
        f_.sharp = false;
        f_.plus_v = f_.plus;
        f_.plus = false;
      }
      PrintArg(a[arg_num], verb);
      arg_num++;
    }
  }
  if (!reordered_ && arg_num < n) {
    f_ = Flags();
    buf_->append("%!(EXTRA ");
    for (size_t i = arg_num; i < n; i++) {
      if (i > arg_num) buf_->append(", ");
      if (a[i].IsNilish()) {
        buf_->append("<nil>");
      } else {
        buf_->append(TypeName(a[i]));
        buf_->push_back('=');
        PrintArg(a[i], 'v');
      }
    }
    buf_->push_back(')');
  }
}

void Printer::DoPrint(const Value* a, size_t n) {
  bool prev_string = false;
  for (size_t i = 0; i < n; i++) {
    bool is_string = a[i].kind == Kind::kString;
    if (i > 0 && !is_string && !prev_string) buf_->push_back(' ');
    PrintArg(a[i], 'v');
    prev_string = is_string;
  }
}

void Printer::DoPrintln(const Value* a, size_t n) {
  for (size_t i = 0; i < n; i++) {
    if (i > 0) buf_->push_back(' ');
    PrintArg(a[i], 'v');
  }
  buf_->push_back('\n');
}

}  // namespace

void AppendValue(const Env& env, const Value& v, std::string* out) {
  if (v.kind == Kind::kString) {
    out->append(v.s);
    return;
  }
  Printer p(env, out);
  p.PrintArg(v, 'v');
}

void Sprint(const Env& env, const Value* args, size_t n, std::string* out) {
  Printer p(env, out);
  p.DoPrint(args, n);
}

void Sprintln(const Env& env, const Value* args, size_t n, std::string* out) {
  Printer p(env, out);
  p.DoPrintln(args, n);
}

void Sprintf(const Env& env, std::string_view format, const Value* args, size_t n,
             std::string* out) {
  Printer p(env, out);
  p.DoPrintf(format, args, n);
}

}  // namespace lode::logql::tmpl
