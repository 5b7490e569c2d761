// String functions of Loki's template function map (pkg/logql/log/fmt.go):
// Go's strings.* under their old names, Sprig's string helpers (argument
// order as in Sprig, so they chain in pipelines) and regular expressions with
// Go's replacement expansion.

#include <re2/re2.h>

#include <algorithm>
#include <memory>
#include <vector>

#include "logql/template/internal.h"

namespace lode::logql::tmpl {
namespace {

// ---- strings package ----

size_t CountSubstr(std::string_view s, std::string_view sep) {
  if (sep.empty()) return RuneCount(s) + 1;
  size_t n = 0;
  for (size_t i = s.find(sep); i != std::string_view::npos; i = s.find(sep, i + sep.size())) n++;
  return n;
}

std::string Replace(std::string_view s, std::string_view old, std::string_view repl, int64_t n) {
  if (old == repl || n == 0) return std::string(s);
  int64_t m = static_cast<int64_t>(CountSubstr(s, old));
  if (m == 0) return std::string(s);
  if (n < 0 || m < n) n = m;
  std::string b;
  size_t start = 0;
  for (int64_t i = 0; i < n; i++) {
    size_t j = start;
    if (old.empty()) {
      if (i > 0) {
        int32_t r;
        j += DecodeRune(s, start, &r);
      }
    } else {
      j = s.find(old, start);
    }
    b.append(s.substr(start, j - start));
    b.append(repl);
    start = j + old.size();
  }
  b.append(s.substr(start));
  return b;
}

bool InCutset(std::string_view cutset, int32_t r) {
  for (size_t i = 0; i < cutset.size();) {
    int32_t c;
    i += DecodeRune(cutset, i, &c);
    if (c == r) return true;
  }
  return false;
}

std::string_view TrimLeftFunc(std::string_view s, std::string_view cutset, bool space) {
  size_t i = 0;
  while (i < s.size()) {
    int32_t r;
    int w = DecodeRune(s, i, &r);
    if (space ? !IsSpaceRune(r) : !InCutset(cutset, r)) break;
    i += w;
  }
  return s.substr(i);
}

std::string_view TrimRightFunc(std::string_view s, std::string_view cutset, bool space) {
  while (!s.empty()) {
    int32_t r;
    int w = DecodeLastRune(s, &r);
    if (space ? !IsSpaceRune(r) : !InCutset(cutset, r)) break;
    s.remove_suffix(w);
  }
  return s;
}

std::string_view Trim(std::string_view s, std::string_view cutset) {
  return TrimRightFunc(TrimLeftFunc(s, cutset, false), cutset, false);
}

std::string_view TrimSpace(std::string_view s) {
  return TrimRightFunc(TrimLeftFunc(s, "", true), "", true);
}

std::string_view TrimPrefix(std::string_view s, std::string_view p) {
  return s.substr(0, p.size()) == p ? s.substr(p.size()) : s;
}

std::string_view TrimSuffix(std::string_view s, std::string_view p) {
  return s.size() >= p.size() && s.substr(s.size() - p.size()) == p
             ? s.substr(0, s.size() - p.size())
             : s;
}

bool Repeat(Call& c, std::string_view s, int64_t count, std::string* out) {
  if (count < 0) return c.Fail("strings: negative Repeat count");
  if (!s.empty() && static_cast<uint64_t>(count) > (uint64_t{64} << 20) / s.size()) {
    return c.Fail("strings: Repeat output length overflow");
  }
  out->reserve(s.size() * static_cast<size_t>(count));
  for (int64_t i = 0; i < count; i++) out->append(s);
  return true;
}

bool FnToLower(Call& c) {
  std::string out;
  AppendMapped(&out, c.StrArg(0), ToLowerRune);
  return c.ReturnString(std::move(out));
}

bool FnToUpper(Call& c) {
  std::string out;
  AppendMapped(&out, c.StrArg(0), ToUpperRune);
  return c.ReturnString(std::move(out));
}

bool FnReplace4(Call& c) {
  return c.ReturnString(Replace(c.StrArg(0), c.StrArg(1), c.StrArg(2), c.args[3].i));
}
bool FnTrim2(Call& c) { return c.Return(Value::Str(Trim(c.StrArg(0), c.StrArg(1)))); }
bool FnTrimLeft2(Call& c) {
  return c.Return(Value::Str(TrimLeftFunc(c.StrArg(0), c.StrArg(1), false)));
}
bool FnTrimRight2(Call& c) {
  return c.Return(Value::Str(TrimRightFunc(c.StrArg(0), c.StrArg(1), false)));
}
bool FnTrimPrefix2(Call& c) { return c.Return(Value::Str(TrimPrefix(c.StrArg(0), c.StrArg(1)))); }
bool FnTrimSuffix2(Call& c) { return c.Return(Value::Str(TrimSuffix(c.StrArg(0), c.StrArg(1)))); }
bool FnTrimSpace(Call& c) { return c.Return(Value::Str(TrimSpace(c.StrArg(0)))); }

// ---- Sprig ----

bool IsSeparator(int32_t r) {
  if (r <= 0x7F) {
    return !((r >= '0' && r <= '9') || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') ||
             r == '_');
  }
  if (IsLetterRune(r) || IsDigitRune(r)) return false;
  return IsSpaceRune(r);
}

bool FnTitle(Call& c) {
  std::string_view s = c.StrArg(0);
  std::string out;
  int32_t prev = ' ';
  for (size_t i = 0; i < s.size();) {
    int32_t r;
    i += DecodeRune(s, i, &r);
    AppendRune(&out, IsSeparator(prev) ? ToTitleRune(r) : r);
    prev = r;
  }
  return c.ReturnString(std::move(out));
}

bool FnTrunc(Call& c) {
  int64_t n = c.args[0].i;
  std::string_view s = c.StrArg(1);
  int64_t len = static_cast<int64_t>(s.size());
  if (n < 0 && len + n > 0) return c.Return(Value::Str(s.substr(static_cast<size_t>(len + n))));
  if (n >= 0 && len > n) return c.Return(Value::Str(s.substr(0, static_cast<size_t>(n))));
  return c.Return(Value::Str(s));
}

// A Go slice expression s[lo:hi] with Go's runtime panic text on bad bounds.
bool SliceString(Call& c, std::string_view s, int64_t lo, int64_t hi) {
  int64_t len = static_cast<int64_t>(s.size());
  if (hi < 0 || hi > len) {
    std::string m = "runtime error: slice bounds out of range [:" + std::to_string(hi) + "]";
    if (hi > len) m += " with length " + std::to_string(len);
    return c.Fail(m);
  }
  if (lo < 0 || lo > hi) {
    return c.Fail("runtime error: slice bounds out of range [" + std::to_string(lo) + ":" +
                  std::to_string(hi) + "]");
  }
  return c.Return(Value::Str(s.substr(static_cast<size_t>(lo), static_cast<size_t>(hi - lo))));
}

bool FnSubstr(Call& c) {
  int64_t start = c.args[0].i, end = c.args[1].i;
  std::string_view s = c.StrArg(2);
  int64_t len = static_cast<int64_t>(s.size());
  if (start < 0) return SliceString(c, s, 0, end);
  if (end < 0 || end > len) return SliceString(c, s, start, len);
  return SliceString(c, s, start, end);
}

bool FnContains(Call& c) {
  return c.Return(Value::Bool(c.StrArg(1).find(c.StrArg(0)) != std::string_view::npos));
}
bool FnHasPrefix(Call& c) {
  return c.Return(Value::Bool(c.StrArg(1).substr(0, c.StrArg(0).size()) == c.StrArg(0)));
}
bool FnHasSuffix(Call& c) {
  std::string_view s = c.StrArg(1), suf = c.StrArg(0);
  return c.Return(Value::Bool(s.size() >= suf.size() && s.substr(s.size() - suf.size()) == suf));
}

bool Indent(Call& c, bool newline) {
  std::string pad;
  if (!Repeat(c, " ", c.args[0].i, &pad)) return false;
  std::string out = newline ? "\n" : "";
  out += pad;
  out += Replace(c.StrArg(1), "\n", "\n" + pad, -1);
  return c.ReturnString(std::move(out));
}

bool FnIndent(Call& c) { return Indent(c, false); }
bool FnNindent(Call& c) { return Indent(c, true); }
bool FnReplace(Call& c) {
  return c.ReturnString(Replace(c.StrArg(2), c.StrArg(0), c.StrArg(1), -1));
}

bool FnRepeat(Call& c) {
  std::string out;
  if (!Repeat(c, c.StrArg(1), c.args[0].i, &out)) return false;
  return c.ReturnString(std::move(out));
}

bool FnTrimAll(Call& c) { return c.Return(Value::Str(Trim(c.StrArg(1), c.StrArg(0)))); }
bool FnTrimPrefix(Call& c) { return c.Return(Value::Str(TrimPrefix(c.StrArg(1), c.StrArg(0)))); }
bool FnTrimSuffix(Call& c) { return c.Return(Value::Str(TrimSuffix(c.StrArg(1), c.StrArg(0)))); }

bool Align(Call& c, bool left) {
  int64_t count = c.args[0].i;
  std::string_view src = c.StrArg(1);
  int64_t l = static_cast<int64_t>(RuneCount(src));
  if (count < 0 || count == l) return c.Return(Value::Str(src));
  if (count > l) {
    std::string pad(static_cast<size_t>(count - l), ' ');
    return c.ReturnString(left ? std::string(src) + pad : pad + std::string(src));
  }
  // Keep `count` runes from the left or the right.
  size_t i = 0;
  int64_t skip = left ? count : l - count;
  for (int64_t k = 0; k < skip; k++) {
    int32_t r;
    i += DecodeRune(src, i, &r);
  }
  return c.Return(Value::Str(left ? src.substr(0, i) : src.substr(i)));
}

bool FnAlignLeft(Call& c) { return Align(c, true); }
bool FnAlignRight(Call& c) { return Align(c, false); }

bool FnLine(Call& c) { return c.Return(Value::Str(c.env->ctx->line)); }

// ---- regular expressions ----

std::string RegexError(const RE2& re, std::string_view pattern) {
  std::string code;
  switch (re.error_code()) {
    case RE2::ErrorBadEscape:
      code = "invalid escape sequence";
      break;
    case RE2::ErrorBadCharClass:
      code = "invalid character class";
      break;
    case RE2::ErrorBadCharRange:
      code = "invalid character class range";
      break;
    case RE2::ErrorMissingBracket:
      code = "missing closing ]";
      break;
    case RE2::ErrorMissingParen:
      code = "missing closing )";
      break;
    case RE2::ErrorTrailingBackslash:
      code = "trailing backslash at end of expression";
      break;
    case RE2::ErrorRepeatArgument:
      code = "missing argument to repetition operator";
      break;
    case RE2::ErrorRepeatSize:
      code = "invalid repeat count";
      break;
    case RE2::ErrorRepeatOp:
      code = "invalid nested repetition operator";
      break;
    case RE2::ErrorBadPerlOp:
      code = "invalid or unsupported Perl syntax";
      break;
    case RE2::ErrorBadUTF8:
      code = "invalid UTF-8";
      break;
    case RE2::ErrorBadNamedCapture:
      code = "invalid named capture";
      break;
    default:
      code = re.error();
      break;
  }
  std::string arg = re.error_arg().empty() ? std::string(pattern) : re.error_arg();
  return "error parsing regexp: " + code + ": `" + arg + "`";
}

// Uses the regex compiled at parse time or compiles args[0].
bool GetRegex(Call& c, std::unique_ptr<RE2>* owned, const RE2** re) {
  if (c.re != nullptr) {
    *re = c.re;
    return true;
  }
  RE2::Options opt;
  opt.set_log_errors(false);
  *owned = std::make_unique<RE2>(re2::StringPiece(c.StrArg(0).data(), c.StrArg(0).size()), opt);
  if (!(*owned)->ok()) return c.Fail(RegexError(**owned, c.StrArg(0)));
  *re = owned->get();
  return true;
}

// Regexp.expand: $1, ${1}, $name, ${name}, $$.
void Expand(const RE2& re, std::string_view tmpl, const re2::StringPiece* m, int nm,
            std::string* dst) {
  while (!tmpl.empty()) {
    size_t d = tmpl.find('$');
    if (d == std::string_view::npos) break;
    dst->append(tmpl.substr(0, d));
    tmpl.remove_prefix(d + 1);
    if (!tmpl.empty() && tmpl[0] == '$') {
      dst->push_back('$');
      tmpl.remove_prefix(1);
      continue;
    }
    std::string_view str = tmpl;
    bool brace = !str.empty() && str[0] == '{';
    if (brace) str.remove_prefix(1);
    size_t i = 0;
    while (i < str.size()) {
      int32_t r;
      int w = DecodeRune(str, i, &r);
      if (!IsLetterRune(r) && !IsDigitRune(r) && r != '_') break;
      i += static_cast<size_t>(w);
    }
    bool ok = i > 0;
    std::string_view name = str.substr(0, i);
    if (ok && brace) {
      if (i >= str.size() || str[i] != '}') {
        ok = false;
      } else {
        i++;
      }
    }
    if (!ok) {
      dst->push_back('$');
      continue;
    }
    tmpl = str.substr(i);
    int64_t num = 0;
    for (char ch : name) {
      if (ch < '0' || ch > '9' || num >= 100000000) {
        num = -1;
        break;
      }
      num = num * 10 + (ch - '0');
    }
    if (name[0] == '0' && name.size() > 1) num = -1;
    if (num < 0) {
      auto it = re.NamedCapturingGroups().find(std::string(name));
      if (it != re.NamedCapturingGroups().end()) num = it->second;
    }
    if (num >= 0 && num < nm && m[num].data() != nullptr) dst->append(m[num].data(), m[num].size());
  }
  dst->append(tmpl);
}

// Regexp.replaceAll with Go's rules for empty matches.
bool ReplaceAll(Call& c, bool literal) {
  std::unique_ptr<RE2> owned;
  const RE2* re;
  if (!GetRegex(c, &owned, &re)) return false;
  std::string_view src = c.StrArg(1), repl = c.StrArg(2);
  int nm = literal ? 1 : 1 + re->NumberOfCapturingGroups();
  std::vector<re2::StringPiece> m(static_cast<size_t>(nm));
  re2::StringPiece text(src.data(), src.size());
  std::string buf;
  size_t last_end = 0, search = 0;
  while (search <= src.size()) {
    if (!re->Match(text, search, src.size(), RE2::UNANCHORED, m.data(), nm)) break;
    size_t a0 = static_cast<size_t>(m[0].data() - src.data());
    size_t a1 = a0 + m[0].size();
    buf.append(src.substr(last_end, a0 - last_end));
    if (a1 > last_end || a0 == 0) {
      if (literal) {
        buf.append(repl);
      } else {
        Expand(*re, repl, m.data(), nm, &buf);
      }
    }
    last_end = a1;
    int32_t r;
    int width = DecodeRune(src, search, &r);
    if (search + static_cast<size_t>(width) > a1) {
      search += static_cast<size_t>(width);
    } else if (search + 1 > a1) {
      search++;
    } else {
      search = a1;
    }
  }
  buf.append(src.substr(std::min(last_end, src.size())));
  return c.ReturnString(std::move(buf));
}

bool FnRegexReplaceAll(Call& c) { return ReplaceAll(c, false); }
bool FnRegexReplaceAllLiteral(Call& c) { return ReplaceAll(c, true); }

bool FnCount(Call& c) {
  std::unique_ptr<RE2> owned;
  const RE2* re;
  if (!GetRegex(c, &owned, &re)) return false;
  std::string_view s = c.StrArg(1);
  re2::StringPiece text(s.data(), s.size()), m;
  int64_t n = 0;
  int64_t prev_end = -1;
  size_t pos = 0;
  while (pos <= s.size()) {
    if (!re->Match(text, pos, s.size(), RE2::UNANCHORED, &m, 1)) break;
    int64_t m0 = m.data() - s.data();
    int64_t m1 = m0 + static_cast<int64_t>(m.size());
    bool accept = true;
    if (m1 == static_cast<int64_t>(pos)) {
      if (m0 == prev_end) accept = false;
      int32_t r;
      int w = DecodeRune(s, pos, &r);
      pos += w > 0 ? static_cast<size_t>(w) : 1;
    } else {
      pos = static_cast<size_t>(m1);
    }
    prev_end = m1;
    if (accept) n++;
  }
  return c.Return(Value::Int(n));
}

constexpr PT Str = PT::kString;
constexpr PT I = PT::kInt;

}  // namespace

const FuncDef kStringFuncs[] = {
    {"ToLower", 1, false, {Str}, FnToLower, 0},
    {"ToUpper", 1, false, {Str}, FnToUpper, 0},
    {"Replace", 4, false, {Str, Str, Str, I}, FnReplace4, 0},
    {"Trim", 2, false, {Str, Str}, FnTrim2, 0},
    {"TrimLeft", 2, false, {Str, Str}, FnTrimLeft2, 0},
    {"TrimRight", 2, false, {Str, Str}, FnTrimRight2, 0},
    {"TrimPrefix", 2, false, {Str, Str}, FnTrimPrefix2, 0},
    {"TrimSuffix", 2, false, {Str, Str}, FnTrimSuffix2, 0},
    {"TrimSpace", 1, false, {Str}, FnTrimSpace, 0},
    {"regexReplaceAll", 3, false, {Str, Str, Str}, FnRegexReplaceAll, kFuncRegexArg0},
    {"regexReplaceAllLiteral", 3, false, {Str, Str, Str}, FnRegexReplaceAllLiteral, kFuncRegexArg0},
    {"count", 2, false, {Str, Str}, FnCount, kFuncRegexArg0},
    {"alignLeft", 2, false, {I, Str}, FnAlignLeft, 0},
    {"alignRight", 2, false, {I, Str}, FnAlignRight, 0},
    {"__line__", 0, false, {}, FnLine, 0},
    {"lower", 1, false, {Str}, FnToLower, 0},
    {"upper", 1, false, {Str}, FnToUpper, 0},
    {"title", 1, false, {Str}, FnTitle, 0},
    {"trunc", 2, false, {I, Str}, FnTrunc, 0},
    {"substr", 3, false, {I, I, Str}, FnSubstr, 0},
    {"contains", 2, false, {Str, Str}, FnContains, 0},
    {"hasPrefix", 2, false, {Str, Str}, FnHasPrefix, 0},
    {"hasSuffix", 2, false, {Str, Str}, FnHasSuffix, 0},
    {"indent", 2, false, {I, Str}, FnIndent, 0},
    {"nindent", 2, false, {I, Str}, FnNindent, 0},
    {"replace", 3, false, {Str, Str, Str}, FnReplace, 0},
    {"repeat", 2, false, {I, Str}, FnRepeat, 0},
    {"trim", 1, false, {Str}, FnTrimSpace, 0},
    {"trimAll", 2, false, {Str, Str}, FnTrimAll, 0},
    {"trimSuffix", 2, false, {Str, Str}, FnTrimSuffix, 0},
    {"trimPrefix", 2, false, {Str, Str}, FnTrimPrefix, 0},
};
const size_t kNumStringFuncs = sizeof(kStringFuncs) / sizeof(kStringFuncs[0]);

}  // namespace lode::logql::tmpl
