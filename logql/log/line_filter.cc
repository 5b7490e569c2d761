#include "logql/log/line_filter.h"

#include <re2/re2.h>

#include <cstring>

#include "base/find.h"
#include "logql/log/ip_filter.h"
#include "logql/log/pattern.h"

namespace lode::logql {

// ---------------------------------------------------------------------------
// Regex compilation and analysis
// ---------------------------------------------------------------------------

namespace {

const char* GoRegexErrorText(re2::RE2::ErrorCode code) {
  switch (code) {
    case re2::RE2::ErrorBadEscape:
      return "invalid escape sequence";
    case re2::RE2::ErrorBadCharClass:
      return "invalid character class";
    case re2::RE2::ErrorBadCharRange:
      return "invalid character class range";
    case re2::RE2::ErrorMissingBracket:
      return "missing closing ]";
    case re2::RE2::ErrorMissingParen:
      return "missing closing )";
    case re2::RE2::ErrorUnexpectedParen:
      return "unexpected )";
    case re2::RE2::ErrorTrailingBackslash:
      return "trailing backslash at end of expression";
    case re2::RE2::ErrorRepeatArgument:
      return "missing argument to repetition operator";
    case re2::RE2::ErrorRepeatSize:
      return "invalid repeat count";
    case re2::RE2::ErrorRepeatOp:
      return "invalid nested repetition operator";
    case re2::RE2::ErrorBadPerlOp:
      return "invalid or unsupported Perl syntax";
    case re2::RE2::ErrorBadUTF8:
      return "invalid UTF-8";
    case re2::RE2::ErrorBadNamedCapture:
      return "invalid named capture";
    case re2::RE2::ErrorPatternTooLarge:
      return "expression too large";
    default:
      return "internal error";
  }
}

bool IsAlnum(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

char AsciiLower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

size_t Utf8Len(unsigned char c) {
  if (c < 0x80) return 1;
  if ((c >> 5) == 6) return 2;
  if ((c >> 4) == 14) return 3;
  if ((c >> 3) == 30) return 4;
  return 1;
}

// The literal character of an escape like `\n`, or 0.
char ControlEscape(char d) {
  switch (d) {
    case 'a':
      return '\a';
    case 'f':
      return '\f';
    case 'n':
      return '\n';
    case 'r':
      return '\r';
    case 't':
      return '\t';
    case 'v':
      return '\v';
    default:
      return 0;
  }
}

// A regex made only of literal characters (escaped punctuation allowed).
bool ParseLiteral(std::string_view re, std::string* out) {
  out->clear();
  for (size_t i = 0; i < re.size();) {
    char c = re[i];
    if (c == '\\') {
      if (i + 1 >= re.size()) return false;
      char d = re[i + 1];
      if (static_cast<unsigned char>(d) < 0x80 && !IsAlnum(d)) {
        out->push_back(d);
      } else if (char ctl = ControlEscape(d)) {
        out->push_back(ctl);
      } else {
        return false;
      }
      i += 2;
      continue;
    }
    if (std::strchr(".+*?()|[]{}^$", c) != nullptr && c != '\0') return false;
    out->push_back(c);
    ++i;
  }
  return true;
}

// Splits on `|` outside escapes; false when groups or classes are present.
bool SplitTopLevelAlternation(std::string_view re, std::vector<std::string_view>* alts) {
  size_t start = 0;
  for (size_t i = 0; i < re.size(); ++i) {
    char c = re[i];
    if (c == '\\') {
      ++i;
      continue;
    }
    if (c == '(' || c == '[') return false;
    if (c == '|') {
      alts->push_back(re.substr(start, i - start));
      start = i + 1;
    }
  }
  alts->push_back(re.substr(start));
  return true;
}

// True when the backslashes right before position i are an odd number.
bool Escaped(std::string_view s, size_t i) {
  size_t n = 0;
  while (i > 0 && s[i - 1] == '\\') {
    ++n;
    --i;
  }
  return n % 2 == 1;
}

size_t SkipClass(std::string_view re, size_t i) {
  size_t j = i + 1;
  if (j < re.size() && re[j] == '^') ++j;
  if (j < re.size() && re[j] == ']') ++j;
  while (j < re.size()) {
    if (re[j] == '\\') {
      j += 2;
      continue;
    }
    if (re[j] == '[' && j + 1 < re.size() && re[j + 1] == ':') {
      size_t e = re.find(":]", j + 2);
      if (e == std::string_view::npos) return re.size();
      j = e + 2;
      continue;
    }
    if (re[j] == ']') return j + 1;
    ++j;
  }
  return re.size();
}

bool ParseRepeat(std::string_view re, size_t i, int* min, size_t* end) {
  size_t j = i + 1;
  int v = 0;
  size_t digits = 0;
  while (j < re.size() && re[j] >= '0' && re[j] <= '9') {
    v = v * 10 + (re[j] - '0');
    if (v > 100000) v = 100000;
    ++j;
    ++digits;
  }
  if (digits == 0) return false;
  if (j < re.size() && re[j] == ',') {
    ++j;
    while (j < re.size() && re[j] >= '0' && re[j] <= '9') ++j;
  }
  if (j >= re.size() || re[j] != '}') return false;
  *min = v;
  *end = j + 1;
  return true;
}

bool HasCaseInsensitiveFlag(std::string_view re) {
  for (size_t i = 0; i + 2 < re.size(); ++i) {
    if (re[i] != '(' || re[i + 1] != '?' || Escaped(re, i)) continue;
    for (size_t j = i + 2; j < re.size(); ++j) {
      char c = re[j];
      if (c == 'i') return true;
      if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-')) break;
    }
  }
  return false;
}

// The longest run of literal bytes that every match of `re` contains, found
// by a conservative scan of the top-level concatenation.
std::string RequiredLiteralOf(std::string_view re) {
  if (HasCaseInsensitiveFlag(re)) return "";
  std::string best, cur;
  size_t atom = std::string::npos;
  auto flush = [&]() {
    if (cur.size() > best.size()) best = cur;
    cur.clear();
    atom = std::string::npos;
  };
  auto drop_atom = [&]() {
    if (atom != std::string::npos) cur.resize(atom);
  };
  size_t i = 0;
  const size_t n = re.size();
  while (i < n) {
    const char c = re[i];
    switch (c) {
      case '(': {
        flush();
        int depth = 0;
        while (i < n) {
          char d = re[i];
          if (d == '\\') {
            i += 2;
            continue;
          }
          if (d == '[') {
            i = SkipClass(re, i);
            continue;
          }
          if (d == '(') ++depth;
          if (d == ')' && --depth == 0) {
            ++i;
            break;
          }
          ++i;
        }
        continue;
      }
      case ')':
      case '|':
        return "";
      case '[':
        flush();
        i = SkipClass(re, i);
        continue;
      case '.':
      case '^':
      case '$':
        flush();
        ++i;
        continue;
      case '*':
      case '?':
        drop_atom();
        flush();
        ++i;
        continue;
      case '+':
        flush();
        ++i;
        continue;
      case '{': {
        int min = 0;
        size_t end = 0;
        if (ParseRepeat(re, i, &min, &end)) {
          if (min == 0) drop_atom();
          flush();
          i = end;
          continue;
        }
        atom = cur.size();
        cur.push_back('{');
        ++i;
        continue;
      }
      case '\\': {
        if (i + 1 >= n) return "";
        const char d = re[i + 1];
        if (static_cast<unsigned char>(d) < 0x80 && !IsAlnum(d)) {
          atom = cur.size();
          cur.push_back(d);
        } else if (char ctl = ControlEscape(d)) {
          atom = cur.size();
          cur.push_back(ctl);
        } else if (std::strchr("dDwWsSbBAz", d) != nullptr) {
          flush();
        } else {
          return "";  // \p{..}, \x{..}, \Q..\E, octal: give up
        }
        i += 2;
        continue;
      }
      default: {
        size_t len = Utf8Len(static_cast<unsigned char>(c));
        atom = cur.size();
        cur.append(re.substr(i, len));
        i += len;
        continue;
      }
    }
  }
  flush();
  return best;
}

}  // namespace

Status CompileGoRegex(std::string_view pattern, std::unique_ptr<re2::RE2>* out) {
  re2::RE2::Options opts;
  opts.set_log_errors(false);
  auto re = std::make_unique<re2::RE2>(re2::StringPiece(pattern.data(), pattern.size()), opts);
  if (!re->ok()) {
    return Status::InvalidArgument(std::string("error parsing regexp: ") +
                                   GoRegexErrorText(re->error_code()) + ": `" + re->error_arg() +
                                   "`");
  }
  *out = std::move(re);
  return Status::OK();
}

RegexPlan AnalyzeRegex(std::string_view re) {
  RegexPlan plan;
  std::string_view r = re;
  bool ci = false;
  if (r.substr(0, 4) == "(?i)") {
    ci = true;
    r.remove_prefix(4);
  }
  if (r.empty() || r == ".*") {
    plan.kind = RegexPlan::Kind::kTrue;
    return plan;
  }
  if (r == ".+") {
    plan.kind = RegexPlan::Kind::kExists;
    return plan;
  }
  std::vector<std::string_view> alts;
  bool literal = SplitTopLevelAlternation(r, &alts);
  std::string lit;
  for (size_t k = 0; literal && k < alts.size(); ++k) {
    std::string_view a = alts[k];
    if (a.substr(0, 2) == ".*") a.remove_prefix(2);
    if (a.size() >= 2 && a.substr(a.size() - 2) == ".*" && !Escaped(a, a.size() - 2)) {
      a.remove_suffix(2);
    }
    if (!ParseLiteral(a, &lit)) {
      literal = false;
      break;
    }
    if (lit.empty()) {  // an alternative that matches everything
      plan.kind = RegexPlan::Kind::kTrue;
      plan.literals.clear();
      return plan;
    }
    if (ci) {
      for (char& ch : lit) {
        if (static_cast<unsigned char>(ch) >= 0x80) literal = false;
        ch = AsciiLower(ch);
      }
    }
    plan.literals.push_back(lit);
  }
  if (literal) {
    plan.kind = RegexPlan::Kind::kLiterals;
    plan.case_insensitive = ci;
    return plan;
  }
  plan.literals.clear();
  plan.kind = RegexPlan::Kind::kRegex;
  plan.required = RequiredLiteralOf(re);
  return plan;
}

bool ContainsFold(std::string_view hay, std::string_view needle) {
  if (needle.empty()) return true;
  if (needle.size() > hay.size()) return false;
  const char f = needle[0];
  const size_t last = hay.size() - needle.size();
  for (size_t i = 0; i <= last; ++i) {
    if (AsciiLower(hay[i]) != f) continue;
    size_t k = 1;
    while (k < needle.size() && AsciiLower(hay[i + k]) == needle[k]) ++k;
    if (k == needle.size()) return true;
  }
  return false;
}

// ---------------------------------------------------------------------------
// Alternatives and the stage
// ---------------------------------------------------------------------------

namespace {

class Alt {
 public:
  virtual ~Alt() = default;
  virtual bool Match(std::string_view line) const = 0;
};

class TrueAlt : public Alt {
 public:
  bool Match(std::string_view) const override { return true; }
};

class ExistsAlt : public Alt {
 public:
  bool Match(std::string_view line) const override { return !line.empty(); }
};

class LiteralAlt : public Alt {
 public:
  explicit LiteralAlt(std::string lit) : lit_(std::move(lit)) {}
  bool Match(std::string_view line) const override {
    return FindBytes(line.data(), line.size(), lit_.data(), lit_.size()) != nullptr;
  }

 private:
  std::string lit_;
};

class FoldAlt : public Alt {
 public:
  explicit FoldAlt(std::string lower) : lower_(std::move(lower)) {}
  bool Match(std::string_view line) const override { return ContainsFold(line, lower_); }

 private:
  std::string lower_;
};

class RegexAlt : public Alt {
 public:
  RegexAlt(std::unique_ptr<re2::RE2> re, std::string required)
      : re_(std::move(re)), required_(std::move(required)) {}
  bool Match(std::string_view line) const override {
    if (!required_.empty() &&
        FindBytes(line.data(), line.size(), required_.data(), required_.size()) == nullptr) {
      return false;
    }
    return re2::RE2::PartialMatch(re2::StringPiece(line.data(), line.size()), *re_);
  }

 private:
  std::unique_ptr<re2::RE2> re_;
  std::string required_;
};

class PatternAlt : public Alt {
 public:
  explicit PatternAlt(std::unique_ptr<Pattern> p) : p_(std::move(p)) {}
  bool Match(std::string_view line) const override { return p_->Test(line); }

 private:
  std::unique_ptr<Pattern> p_;
};

class IpAlt : public Alt {
 public:
  explicit IpAlt(std::unique_ptr<IpMatcher> m) : m_(std::move(m)) {}
  bool Match(std::string_view line) const override { return m_->FindIn(line); }

 private:
  std::unique_ptr<IpMatcher> m_;
};

class LineFilter : public LogStage {
 public:
  LineFilter(std::vector<std::unique_ptr<Alt>> alts, bool negate)
      : alts_(std::move(alts)), negate_(negate) {}

  bool Process(int64_t, std::string_view* line, LabelsBuilder*, StageState*) const override {
    bool any = false;
    for (const auto& a : alts_) {
      if (a->Match(*line)) {
        any = true;
        break;
      }
    }
    return any != negate_;
  }

 private:
  std::vector<std::unique_ptr<Alt>> alts_;
  bool negate_;
};

Status CompileRegexAlts(const std::string& re, std::vector<std::unique_ptr<Alt>>* alts) {
  // Compile even when the plan avoids RE2, so that invalid input fails.
  std::unique_ptr<re2::RE2> compiled;
  LODE_RETURN_IF_ERROR(CompileGoRegex(re, &compiled));
  RegexPlan plan = AnalyzeRegex(re);
  switch (plan.kind) {
    case RegexPlan::Kind::kTrue:
      alts->push_back(std::make_unique<TrueAlt>());
      break;
    case RegexPlan::Kind::kExists:
      alts->push_back(std::make_unique<ExistsAlt>());
      break;
    case RegexPlan::Kind::kLiterals:
      for (auto& l : plan.literals) {
        if (plan.case_insensitive) {
          alts->push_back(std::make_unique<FoldAlt>(std::move(l)));
        } else {
          alts->push_back(std::make_unique<LiteralAlt>(std::move(l)));
        }
      }
      break;
    case RegexPlan::Kind::kRegex:
      alts->push_back(std::make_unique<RegexAlt>(std::move(compiled), std::move(plan.required)));
      break;
  }
  return Status::OK();
}

}  // namespace

Status NewLineFilterStage(const LineFilterStage& f, LogStagePtr* out) {
  const bool negate = f.op == LineFilterOp::kNotContains || f.op == LineFilterOp::kNotRegex ||
                      f.op == LineFilterOp::kNotPattern;
  std::vector<std::unique_ptr<Alt>> alts;
  for (const auto& v : f.values) {
    if (v.is_ip) {
      if (f.op != LineFilterOp::kContains && f.op != LineFilterOp::kNotContains) {
        return Status::InvalidArgument("ip: invalid operation");
      }
      std::unique_ptr<IpMatcher> m;
      LODE_RETURN_IF_ERROR(IpMatcher::Create(v.value, &m));
      alts.push_back(std::make_unique<IpAlt>(std::move(m)));
      continue;
    }
    switch (f.op) {
      case LineFilterOp::kContains:
      case LineFilterOp::kNotContains:
        if (v.value.empty()) {
          alts.push_back(std::make_unique<TrueAlt>());
        } else {
          alts.push_back(std::make_unique<LiteralAlt>(v.value));
        }
        break;
      case LineFilterOp::kRegex:
      case LineFilterOp::kNotRegex:
        LODE_RETURN_IF_ERROR(CompileRegexAlts(v.value, &alts));
        break;
      case LineFilterOp::kPattern:
      case LineFilterOp::kNotPattern: {
        std::unique_ptr<Pattern> p;
        LODE_RETURN_IF_ERROR(Pattern::ParseLineFilter(v.value, &p));
        alts.push_back(std::make_unique<PatternAlt>(std::move(p)));
        break;
      }
    }
  }
  *out = std::make_unique<LineFilter>(std::move(alts), negate);
  return Status::OK();
}

}  // namespace lode::logql
