#include "tests/logqltest/logqltest_file.h"

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <limits>

#include "base/utf8.h"

namespace lode::logqltest {

namespace {

constexpr std::string_view kBlanks = " \t\r";

std::string_view Trim(std::string_view s) {
  size_t b = s.find_first_not_of(kBlanks);
  if (b == std::string_view::npos) return {};
  size_t e = s.find_last_not_of(kBlanks);
  return s.substr(b, e - b + 1);
}

bool StartsWith(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

// Consumes leading blanks of *s.
void SkipBlanks(std::string_view* s) {
  size_t b = s->find_first_not_of(kBlanks);
  s->remove_prefix(b == std::string_view::npos ? s->size() : b);
}

// Consumes the next whitespace-delimited word of *s.
std::string_view NextWord(std::string_view* s) {
  SkipBlanks(s);
  size_t e = s->find_first_of(kBlanks);
  if (e == std::string_view::npos) e = s->size();
  std::string_view w = s->substr(0, e);
  s->remove_prefix(e);
  return w;
}

// Consumes `word` (followed by a blank or the end) from *s.
bool ConsumeWord(std::string_view* s, std::string_view word) {
  std::string_view rest = *s;
  if (NextWord(&rest) != word) return false;
  *s = rest;
  return true;
}

// Consumes a Go escape sequence after the backslash at s[*i - 1].
Status DecodeEscape(std::string_view s, size_t* i, std::string* out) {
  if (*i >= s.size()) return Status::InvalidArgument("unterminated escape");
  char e = s[(*i)++];
  switch (e) {
    case 'a':
      out->push_back('\a');
      return Status::OK();
    case 'b':
      out->push_back('\b');
      return Status::OK();
    case 'f':
      out->push_back('\f');
      return Status::OK();
    case 'n':
      out->push_back('\n');
      return Status::OK();
    case 'r':
      out->push_back('\r');
      return Status::OK();
    case 't':
      out->push_back('\t');
      return Status::OK();
    case 'v':
      out->push_back('\v');
      return Status::OK();
    case '\\':
    case '"':
    case '\'':
      out->push_back(e);
      return Status::OK();
    default:
      break;
  }
  int digits = e == 'x' ? 2 : e == 'u' ? 4 : e == 'U' ? 8 : (e >= '0' && e <= '7') ? 2 : 0;
  if (digits == 0) return Status::InvalidArgument(std::string("unknown escape \\") + e);
  int base = (e >= '0' && e <= '7') ? 8 : 16;
  std::string_view num = s.substr(*i, digits);
  uint32_t v = 0;
  if (base == 8) {
    v = static_cast<uint32_t>(e - '0');
    num = s.substr(*i, 2);
  }
  if (num.size() != static_cast<size_t>(digits)) return Status::InvalidArgument("short escape");
  for (char c : num) {
    int d = (c >= '0' && c <= '9')   ? c - '0'
            : (c >= 'a' && c <= 'f') ? c - 'a' + 10
            : (c >= 'A' && c <= 'F') ? c - 'A' + 10
                                     : 99;
    if (d >= base) return Status::InvalidArgument("invalid escape digit");
    v = v * base + d;
  }
  *i += num.size();
  if (e == 'u' || e == 'U') {
    AppendRune(v, out);
  } else {
    if (v > 0xFF) return Status::InvalidArgument("octal escape out of range");
    out->push_back(static_cast<char>(v));
  }
  return Status::OK();
}

// Consumes a "..." (Go escapes) or `...` (raw) string from the head of *s
// (after blanks).
Status ConsumeQuoted(std::string_view* s, std::string* out) {
  SkipBlanks(s);
  out->clear();
  if (s->empty() || ((*s)[0] != '"' && (*s)[0] != '`')) {
    return Status::InvalidArgument("expected a quoted string");
  }
  char q = (*s)[0];
  size_t i = 1;
  while (i < s->size() && (*s)[i] != q) {
    if ((*s)[i] == '\\' && q == '"') {
      ++i;
      LODE_RETURN_IF_ERROR(DecodeEscape(*s, &i, out));
      continue;
    }
    out->push_back((*s)[i++]);
  }
  if (i >= s->size()) return Status::InvalidArgument("unterminated quoted string");
  s->remove_prefix(i + 1);
  return Status::OK();
}

// Consumes `@ T`.
Status ConsumeAt(std::string_view* s, int64_t* ns) {
  SkipBlanks(s);
  if (s->empty() || (*s)[0] != '@') return Status::InvalidArgument("missing '@ <time>'");
  s->remove_prefix(1);
  std::string_view t = NextWord(s);
  Status st = ParseGoDuration(t, ns);
  if (!st.ok())
    return Status::InvalidArgument("invalid time \"" + std::string(t) + "\": " + st.message());
  return Status::OK();
}

// `[repeat every D for N]`, when present.
Status ConsumeRepeat(std::string_view* s, LoadLine* out) {
  std::string_view rest = *s;
  SkipBlanks(&rest);
  if (!StartsWith(rest, "[repeat")) return Status::OK();
  rest.remove_prefix(1);
  size_t close = rest.find(']');
  if (close == std::string_view::npos) return Status::InvalidArgument("unterminated [repeat ...]");
  std::string_view body = rest.substr(0, close);
  std::string_view d, n;
  if (!ConsumeWord(&body, "repeat") || !ConsumeWord(&body, "every") ||
      (d = NextWord(&body)).empty() || !ConsumeWord(&body, "for") ||
      (n = NextWord(&body)).empty() || !Trim(body).empty()) {
    return Status::InvalidArgument("malformed [repeat every <step> for <count>]");
  }
  LODE_RETURN_IF_ERROR(ParseGoDuration(d, &out->every_ns));
  auto [p, ec] = std::from_chars(n.data(), n.data() + n.size(), out->count);
  if (ec != std::errc() || p != n.data() + n.size() || out->count < 1) {
    return Status::InvalidArgument("invalid repeat count \"" + std::string(n) + "\"");
  }
  *s = rest.substr(close + 1);
  return Status::OK();
}

// `[metadata k="v" "k2"="v2" ...]`, when present.
Status ConsumeMetadata(std::string_view* s, Labels* out) {
  std::string_view rest = *s;
  SkipBlanks(&rest);
  if (!StartsWith(rest, "[metadata")) return Status::OK();
  rest.remove_prefix(9);
  while (true) {
    SkipBlanks(&rest);
    if (rest.empty()) return Status::InvalidArgument("unterminated [metadata ...]");
    if (rest[0] == ']') break;
    Label kv;
    if (rest[0] == '"' || rest[0] == '`') {
      LODE_RETURN_IF_ERROR(ConsumeQuoted(&rest, &kv.name));
    } else {
      size_t e = rest.find_first_of("=\" \t]");
      kv.name = std::string(rest.substr(0, e == std::string_view::npos ? rest.size() : e));
      rest.remove_prefix(kv.name.size());
    }
    if (kv.name.empty() || rest.empty() || rest[0] != '=') {
      return Status::InvalidArgument("invalid metadata: expected key=\"value\" pairs");
    }
    rest.remove_prefix(1);
    LODE_RETURN_IF_ERROR(ConsumeQuoted(&rest, &kv.value));
    out->push_back(std::move(kv));
  }
  if (out->empty()) return Status::InvalidArgument("empty [metadata ...] block");
  *s = rest.substr(1);
  return Status::OK();
}

Status ParseLoadLine(std::string_view content, int line, LoadLine* out) {
  out->line = line;
  size_t end = 0;
  LODE_RETURN_IF_ERROR(ParseLabelSet(content, &out->labels, &end));
  std::string_view rest = content.substr(end);
  LODE_RETURN_IF_ERROR(ConsumeQuoted(&rest, &out->text));
  LODE_RETURN_IF_ERROR(ConsumeAt(&rest, &out->start_ns));
  LODE_RETURN_IF_ERROR(ConsumeRepeat(&rest, out));
  LODE_RETURN_IF_ERROR(ConsumeMetadata(&rest, &out->metadata));
  if (!Trim(rest).empty()) {
    return Status::InvalidArgument("unexpected content after log line: \"" +
                                   std::string(Trim(rest)) + "\"");
  }
  return Status::OK();
}

// Appends the samples of one token (`5`, `_`, `NaN`, `bxN`, `b+sxN`, `b-sxN`).
Status ParseSampleToken(std::string_view tok, std::vector<ExpectedSample>* out) {
  if (tok == "_") {
    out->push_back({});
    return Status::OK();
  }
  size_t x = tok.find('x');
  if (x == std::string_view::npos) {
    double v;
    LODE_RETURN_IF_ERROR(ParseValue(tok, &v));
    out->push_back({true, v});
    return Status::OK();
  }
  std::string_view head = tok.substr(0, x), tail = tok.substr(x + 1);
  int64_t n = 0;
  auto [p, ec] = std::from_chars(tail.data(), tail.data() + tail.size(), n);
  if (ec != std::errc() || p != tail.data() + tail.size() || n < 0) {
    return Status::InvalidArgument("invalid repeat count in \"" + std::string(tok) + "\"");
  }
  std::string_view base = head, step = "0";
  size_t plus = head.rfind('+'), minus = head.rfind('-');
  if (plus != std::string_view::npos && plus > 0) {
    base = head.substr(0, plus);
    step = head.substr(plus + 1);
  } else if (minus != std::string_view::npos && minus > 0) {
    base = head.substr(0, minus);
    step = head.substr(minus);
  }
  double b, st;
  LODE_RETURN_IF_ERROR(ParseValue(base, &b));
  LODE_RETURN_IF_ERROR(ParseValue(step, &st));
  for (int64_t i = 0; i <= n; ++i) out->push_back({true, b + static_cast<double>(i) * st});
  return Status::OK();
}

// One expectation line of an eval block.
Status ParseExpectationLine(std::string_view content, int line, Expectation* e, bool* has_scalar) {
  if (StartsWith(content, "expect fail")) {
    std::string_view body = Trim(content.substr(11));
    e->kind = Expectation::Kind::kFail;
    if (body.empty()) return Status::OK();
    if (StartsWith(body, "msg:")) {
      e->fail_match = FailMatch::kSubstring;
      e->fail_text = std::string(Trim(body.substr(4)));
    } else if (StartsWith(body, "regex:")) {
      e->fail_match = FailMatch::kRegex;
      e->fail_text = std::string(Trim(body.substr(6)));
    } else {
      return Status::InvalidArgument("unsupported `expect fail` qualifier \"" + std::string(body) +
                                     "\"");
    }
    if (e->fail_text.empty())
      return Status::InvalidArgument("`expect fail` qualifier needs a text");
    return Status::OK();
  }
  if (content == "expect empty") {
    e->kind = Expectation::Kind::kEmpty;
    return Status::OK();
  }
  if (content == "expect ordered") {
    e->ordered = true;
    return Status::OK();
  }
  if (StartsWith(content, "expect")) {
    return Status::InvalidArgument("unsupported expect annotation \"" + std::string(content) +
                                   "\"");
  }
  if (StartsWith(content, "skip ")) {
    std::string_view rest = content.substr(5);
    std::string stack;
    if (!ConsumeWord(&rest, "values-comparison") || !ConsumeWord(&rest, "on") ||
        !ConsumeQuoted(&rest, &stack).ok() || !Trim(rest).empty()) {
      return Status::InvalidArgument(
          "invalid skip directive (use: skip values-comparison on \"<stack>\")");
    }
    e->skip_values_on.push_back(std::move(stack));
    return Status::OK();
  }
  if (content[0] != '{') {
    if (*has_scalar) return Status::InvalidArgument("more than one scalar expectation");
    *has_scalar = true;
    e->kind = Expectation::Kind::kScalar;
    return ParseValue(content, &e->scalar);
  }
  Labels labels;
  size_t end = 0;
  LODE_RETURN_IF_ERROR(ParseLabelSet(content, &labels, &end));
  std::string_view rest = Trim(content.substr(end));
  if (!rest.empty() && (rest[0] == '"' || rest[0] == '`')) {
    ExpectedLogLine ll{line, std::move(labels), 0, {}};
    LODE_RETURN_IF_ERROR(ConsumeQuoted(&rest, &ll.text));
    LODE_RETURN_IF_ERROR(ConsumeAt(&rest, &ll.ts_ns));
    if (!Trim(rest).empty()) return Status::InvalidArgument("unexpected content after log line");
    e->kind = Expectation::Kind::kStreams;
    e->log_lines.push_back(std::move(ll));
    return Status::OK();
  }
  ExpectedSeries es{line, std::move(labels), {}};
  while (true) {
    std::string_view tok = NextWord(&rest);
    if (tok.empty()) break;
    LODE_RETURN_IF_ERROR(ParseSampleToken(tok, &es.samples));
  }
  if (es.samples.empty()) return Status::InvalidArgument("series line has no sample values");
  e->kind = Expectation::Kind::kSeries;
  e->series.push_back(std::move(es));
  return Status::OK();
}

// Checks that an eval asserts exactly one kind of result.
Status ValidateExpectation(const Expectation& e, bool has_scalar, bool has_fail, bool has_empty) {
  int kinds = (has_fail ? 1 : 0) + (has_empty ? 1 : 0) + (has_scalar ? 1 : 0) +
              (e.series.empty() ? 0 : 1) + (e.log_lines.empty() ? 0 : 1);
  if (kinds == 0) {
    return Status::InvalidArgument(
        "eval has no expectation: provide series, log lines, a scalar, `expect empty` or `expect "
        "fail`");
  }
  if (kinds > 1) return Status::InvalidArgument("conflicting expectations in one eval");
  if (e.ordered && e.series.empty())
    return Status::InvalidArgument("`expect ordered` requires series");
  return Status::OK();
}

Status ParseEvalLine(std::string_view trimmed, EvalCommand* out) {
  std::string_view rest = trimmed;
  ConsumeWord(&rest, "eval");
  std::string_view a, b, c;
  if (ConsumeWord(&rest, "instant")) {
    out->instant = true;
    if (!ConsumeWord(&rest, "at") || (a = NextWord(&rest)).empty()) {
      return Status::InvalidArgument("malformed 'eval instant at <time> <query>'");
    }
    LODE_RETURN_IF_ERROR(ParseGoDuration(a, &out->start_ns));
    out->end_ns = out->start_ns;
  } else if (ConsumeWord(&rest, "range")) {
    out->instant = false;
    if (!ConsumeWord(&rest, "from") || (a = NextWord(&rest)).empty() || !ConsumeWord(&rest, "to") ||
        (b = NextWord(&rest)).empty() || !ConsumeWord(&rest, "step") ||
        (c = NextWord(&rest)).empty()) {
      return Status::InvalidArgument("malformed 'eval range from <a> to <b> step <s> <query>'");
    }
    LODE_RETURN_IF_ERROR(ParseGoDuration(a, &out->start_ns));
    LODE_RETURN_IF_ERROR(ParseGoDuration(b, &out->end_ns));
    LODE_RETURN_IF_ERROR(ParseGoDuration(c, &out->step_ns));
    if (out->step_ns <= 0) return Status::InvalidArgument("range step must be positive");
    if (out->end_ns < out->start_ns) return Status::InvalidArgument("range end is before start");
  } else {
    return Status::InvalidArgument("expected 'instant' or 'range' after eval");
  }
  out->query = std::string(Trim(rest));
  if (out->query.empty()) return Status::InvalidArgument("eval without a query");
  return Status::OK();
}

Status LineError(int line, const Status& st) {
  return Status::InvalidArgument(std::to_string(line) + ": " + st.message());
}

// The indented block after a command: (1-based line, content) pairs.
struct BlockLine {
  int line;
  std::string_view content;
};

// Collects the block starting at lines[*i]; leaves *i at the next command.
std::vector<BlockLine> ConsumeBlock(const std::vector<std::string_view>& lines, size_t* i) {
  std::vector<BlockLine> out;
  for (; *i < lines.size(); ++*i) {
    std::string_view raw = lines[*i];
    std::string_view t = Trim(raw);
    if (t.empty()) break;
    if (t[0] == '#') continue;
    if (raw[0] != ' ' && raw[0] != '\t') break;
    std::string_view content = Trim(StripComment(raw));
    if (!content.empty()) out.push_back({static_cast<int>(*i) + 1, content});
  }
  return out;
}

}  // namespace

std::string LoadLine::TextAt(int64_t i) const {
  static constexpr std::string_view kIndex = "{{.i}}";
  std::string out = text;
  std::string idx = std::to_string(i);
  for (size_t p = out.find(kIndex); p != std::string::npos; p = out.find(kIndex, p + idx.size())) {
    out.replace(p, kIndex.size(), idx);
  }
  return out;
}

std::vector<int64_t> EvalCommand::StepTimes() const {
  if (instant) return {start_ns};
  std::vector<int64_t> out;
  for (int64_t t = start_ns; t <= end_ns; t += step_ns) out.push_back(t);
  return out;
}

Status ParseGoDuration(std::string_view s, int64_t* ns) {
  std::string_view orig = s;
  auto err = [&] {
    return Status::InvalidArgument("invalid duration \"" + std::string(orig) + "\"");
  };
  bool neg = false;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    neg = s[0] == '-';
    s.remove_prefix(1);
  }
  if (s == "0") {
    *ns = 0;
    return Status::OK();
  }
  if (s.empty()) return err();
  double total = 0;
  while (!s.empty()) {
    size_t n = 0;
    while (n < s.size() && ((s[n] >= '0' && s[n] <= '9') || s[n] == '.')) ++n;
    if (n == 0 || s.substr(0, n) == ".") return err();
    std::string num(s.substr(0, n));
    char* endp = nullptr;
    double v = std::strtod(num.c_str(), &endp);
    if (endp != num.c_str() + num.size()) return err();
    s.remove_prefix(n);
    size_t u = 0;
    while (u < s.size() && !((s[u] >= '0' && s[u] <= '9') || s[u] == '.')) ++u;
    std::string_view unit = s.substr(0, u);
    s.remove_prefix(u);
    double mult;
    if (unit == "ns")
      mult = 1;
    else if (unit == "us" || unit == "\xC2\xB5s" || unit == "\xCE\xBCs")
      mult = 1e3;
    else if (unit == "ms")
      mult = 1e6;
    else if (unit == "s")
      mult = 1e9;
    else if (unit == "m")
      mult = 60e9;
    else if (unit == "h")
      mult = 3600e9;
    else
      return unit.empty()
                 ? Status::InvalidArgument("missing unit in duration \"" + std::string(orig) + "\"")
                 : Status::InvalidArgument("unknown unit \"" + std::string(unit) +
                                           "\" in duration \"" + std::string(orig) + "\"");
    total += v * mult;
  }
  if (total > static_cast<double>(std::numeric_limits<int64_t>::max())) return err();
  *ns = static_cast<int64_t>(std::llround(total)) * (neg ? -1 : 1);
  return Status::OK();
}

Status ParseValue(std::string_view s, double* v) {
  if (s == "NaN") {
    *v = std::numeric_limits<double>::quiet_NaN();
    return Status::OK();
  }
  if (s == "Inf" || s == "+Inf") {
    *v = std::numeric_limits<double>::infinity();
    return Status::OK();
  }
  if (s == "-Inf") {
    *v = -std::numeric_limits<double>::infinity();
    return Status::OK();
  }
  std::string str(s);
  char* endp = nullptr;
  errno = 0;
  *v = std::strtod(str.c_str(), &endp);
  if (str.empty() || endp != str.c_str() + str.size() ||
      std::isspace(static_cast<unsigned char>(str[0]))) {
    return Status::InvalidArgument("invalid value \"" + str + "\"");
  }
  return Status::OK();
}

std::string_view StripComment(std::string_view line) {
  char quote = 0;
  for (size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (quote != 0) {
      if (c == quote) quote = 0;
    } else if (c == '"' || c == '`') {
      quote = c;
    } else if (c == '#') {
      std::string_view head = line.substr(0, i);
      size_t e = head.find_last_not_of(" \t");
      return e == std::string_view::npos ? std::string_view() : head.substr(0, e + 1);
    }
  }
  return line;
}

Status ParseLabelSet(std::string_view s, Labels* out, size_t* end) {
  out->clear();
  size_t b = s.find_first_not_of(kBlanks);
  if (b == std::string_view::npos || s[b] != '{')
    return Status::InvalidArgument("expected labels starting with '{'");
  char quote = 0;
  size_t i = b + 1;
  for (; i < s.size(); ++i) {
    char c = s[i];
    if (quote != 0) {
      if (c == '\\' && quote == '"')
        ++i;
      else if (c == quote)
        quote = 0;
    } else if (c == '"' || c == '`') {
      quote = c;
    } else if (c == '}') {
      break;
    }
  }
  if (i >= s.size()) return Status::InvalidArgument("unterminated label set");
  *end = i + 1;
  std::string_view text = s.substr(b, i + 1 - b);
  if (Trim(text.substr(1, text.size() - 2)).empty()) return Status::OK();
  Status st = ParseLabels(text, out);
  if (!st.ok())
    return Status::InvalidArgument("invalid labels " + std::string(text) + ": " + st.message());
  return Status::OK();
}

Status ParseScript(std::string_view text, std::vector<Command>* out) {
  out->clear();
  std::vector<std::string_view> lines;
  for (size_t p = 0; p <= text.size();) {
    size_t nl = text.find('\n', p);
    if (nl == std::string_view::npos) nl = text.size();
    lines.push_back(text.substr(p, nl - p));
    p = nl + 1;
  }
  for (size_t i = 0; i < lines.size();) {
    std::string_view trimmed = Trim(StripComment(lines[i]));
    if (trimmed.empty()) {
      ++i;
      continue;
    }
    Command cmd;
    cmd.line = static_cast<int>(i) + 1;
    std::string_view rest = trimmed;
    std::string_view word = NextWord(&rest);
    if (word == "clear") {
      cmd.type = Command::Type::kClear;
      ++i;
    } else if (word == "load") {
      cmd.type = Command::Type::kLoad;
      ++i;
      for (const BlockLine& bl : ConsumeBlock(lines, &i)) {
        LoadLine ll;
        Status st = ParseLoadLine(bl.content, bl.line, &ll);
        if (!st.ok())
          return LineError(bl.line, Status::InvalidArgument("invalid load line: " + st.message()));
        cmd.load.push_back(std::move(ll));
      }
      if (cmd.load.empty())
        return LineError(cmd.line, Status::InvalidArgument("load block has no data lines"));
    } else if (word == "eval") {
      cmd.type = Command::Type::kEval;
      Status st = ParseEvalLine(trimmed, &cmd.eval);
      if (!st.ok()) return LineError(cmd.line, st);
      ++i;
      Expectation& e = cmd.eval.expect;
      bool has_scalar = false, has_fail = false, has_empty = false;
      for (const BlockLine& bl : ConsumeBlock(lines, &i)) {
        st = ParseExpectationLine(bl.content, bl.line, &e, &has_scalar);
        if (!st.ok())
          return LineError(bl.line,
                           Status::InvalidArgument("invalid expectation: " + st.message()));
        has_fail |= StartsWith(bl.content, "expect fail");
        has_empty |= bl.content == "expect empty";
      }
      st = ValidateExpectation(e, has_scalar, has_fail, has_empty);
      if (!st.ok()) return LineError(cmd.line, st);
    } else {
      return LineError(cmd.line,
                       Status::InvalidArgument("unexpected command \"" + std::string(word) + "\""));
    }
    out->push_back(std::move(cmd));
  }
  return Status::OK();
}

}  // namespace lode::logqltest
