// Parse-time checks Loki makes on regexes and patterns (log.NewRegexpParser,
// pattern.New, regexp.Compile), with Go's error texts, for RE2.

#include <re2/re2.h>

#include <set>
#include <string>
#include <vector>

#include "logql/syntax/parser_impl.h"

namespace lode::logql {

namespace {

bool IsValidLabelNameStr(std::string_view n) {
  if (n.empty()) return false;
  for (size_t i = 0; i < n.size(); i++) {
    char c = n[i];
    bool ok = c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (i > 0 && c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

// Go regexp/syntax's wording for an RE2 compile error.
std::string GoRegexpError(const RE2& re) {
  const char* what = "invalid or unsupported Perl syntax";
  switch (re.error_code()) {
    case RE2::ErrorBadEscape:
      what = "invalid escape sequence";
      break;
    case RE2::ErrorBadCharClass:
      what = "invalid character class";
      break;
    case RE2::ErrorBadCharRange:
      what = "invalid character class range";
      break;
    case RE2::ErrorMissingBracket:
      what = "missing closing ]";
      break;
    case RE2::ErrorMissingParen:
      what = "missing closing )";
      break;
    case RE2::ErrorUnexpectedParen:
      what = "unexpected )";
      break;
    case RE2::ErrorTrailingBackslash:
      what = "trailing backslash at end of expression";
      break;
    case RE2::ErrorRepeatArgument:
      what = "missing argument to repetition operator";
      break;
    case RE2::ErrorRepeatSize:
      what = "invalid repeat count";
      break;
    case RE2::ErrorRepeatOp:
      what = "invalid nested repetition operator";
      break;
    case RE2::ErrorBadUTF8:
      what = "invalid UTF-8";
      break;
    case RE2::ErrorBadNamedCapture:
      what = "invalid named capture";
      break;
    case RE2::ErrorPatternTooLarge:
      what = "expression too large";
      break;
    default:
      break;
  }
  return std::string("error parsing regexp: ") + what + ": `" + re.error_arg() + "`";
}

// Names of `(?P<name>` / `(?<name>` groups, in order (duplicates kept).
std::vector<std::string> CaptureNames(std::string_view re) {
  std::vector<std::string> names;
  for (size_t i = 0; i + 2 < re.size(); i++) {
    if (re[i] == '\\') {
      i++;
      continue;
    }
    if (re[i] != '(' || re[i + 1] != '?') continue;
    size_t p = i + 2;
    if (p < re.size() && re[p] == 'P') p++;
    if (p >= re.size() || re[p] != '<') continue;
    size_t close = re.find('>', p + 1);
    if (close == std::string_view::npos) break;
    names.emplace_back(re.substr(p + 1, close - p - 1));
  }
  return names;
}

}  // namespace

std::string RegexpCompileError(const std::string& pattern) {
  RE2::Options opts;
  opts.set_log_errors(false);
  RE2 re(pattern, opts);
  return re.ok() ? std::string() : GoRegexpError(re);
}

// Loki's log.NewRegexpParser checks; returns an empty string when valid.
std::string CheckRegexpParser(const std::string& pattern) {
  RE2::Options opts;
  opts.set_log_errors(false);
  RE2 re(pattern, opts);
  if (!re.ok()) {
    if (re.error_code() == RE2::ErrorBadNamedCapture) {
      std::set<std::string> seen;
      for (const std::string& n : CaptureNames(pattern)) {
        if (!seen.insert(n).second) return "duplicate extracted label name '" + n + "'";
      }
    }
    return GoRegexpError(re);
  }
  if (re.NumberOfCapturingGroups() == 0) return "at least one named capture must be supplied";
  std::set<std::string> seen;
  for (const auto& [idx, name] : re.CapturingGroupNames()) {
    if (!IsValidLabelNameStr(name)) return "invalid extracted label name '" + name + "'";
    if (!seen.insert(name).second) return "duplicate extracted label name '" + name + "'";
  }
  if (seen.empty()) return "at least one named capture must be supplied";
  return "";
}

// Loki's pattern.New checks (log/pattern): `<name>` captures between
// literals; returns an empty string when valid.
std::string CheckPattern(std::string_view in) {
  if (in.empty()) {
    return "parse error at line 1, col 1: syntax error: unexpected $end, expecting IDENTIFIER or "
           "LITERAL";
  }
  auto alpha = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; };
  auto alnum = [&](char c) { return alpha(c) || (c >= '0' && c <= '9'); };
  struct Node {
    bool capture;
    std::string_view name;
  };
  std::vector<Node> nodes;
  for (size_t i = 0; i < in.size();) {
    if (in[i] == '<' && i + 1 < in.size() && alpha(in[i + 1])) {
      size_t j = i + 2;
      while (j < in.size() && alnum(in[j])) j++;
      if (j < in.size() && in[j] == '>') {
        nodes.push_back({true, in.substr(i + 1, j - i - 1)});
        i = j + 1;
        continue;
      }
    }
    if (nodes.empty() || nodes.back().capture) nodes.push_back({false, {}});
    i++;
  }
  std::vector<std::string_view> named;
  for (const Node& n : nodes) {
    if (n.capture && n.name != "_") named.push_back(n.name);
  }
  if (named.empty()) return "at least one capture is required";
  for (size_t i = 0; i + 1 < nodes.size(); i++) {
    if (nodes[i].capture && nodes[i + 1].capture) {
      return "found consecutive capture '<" + std::string(nodes[i].name) + "><" +
             std::string(nodes[i + 1].name) + ">': invalid expression";
    }
  }
  std::set<std::string_view> seen;
  for (std::string_view n : named) {
    if (!seen.insert(n).second) {
      return "duplicate capture name (" + std::string(n) + "): invalid expression";
    }
  }
  return "";
}

}  // namespace lode::logql
