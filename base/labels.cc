#include "base/labels.h"

#include <re2/re2.h>

#include <algorithm>
#include <cctype>
#include <cstring>

#include "base/utf8.h"

namespace lode {

void SortLabels(Labels* ls) {
  std::sort(ls->begin(), ls->end(), [](const Label& a, const Label& b) { return a.name < b.name; });
}

std::string GoQuote(std::string_view s) {
  static const char* kHex = "0123456789abcdef";
  std::string out;
  out.reserve(s.size() + 2);
  out.push_back('"');
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\a':
        out += "\\a";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\v':
        out += "\\v";
        break;
      default:
        if (c < 0x20 || c == 0x7f) {
          out += "\\x";
          out.push_back(kHex[c >> 4]);
          out.push_back(kHex[c & 15]);
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
  }
  out.push_back('"');
  return out;
}

std::string LabelsToString(const Labels& ls) {
  std::string out = "{";
  for (size_t i = 0; i < ls.size(); ++i) {
    if (i) out += ", ";
    out += ls[i].name;
    out += '=';
    out += GoQuote(ls[i].value);
  }
  out += '}';
  return out;
}

uint64_t HashLabels(const Labels& ls) {
  // FNV-1a over name 0xff value 0xff ...: stable across runs and platforms.
  uint64_t h = 1469598103934665603ULL;
  auto mix = [&h](std::string_view s) {
    for (unsigned char c : s) {
      h ^= c;
      h *= 1099511628211ULL;
    }
    h ^= 0xff;
    h *= 1099511628211ULL;
  };
  for (const auto& l : ls) {
    mix(l.name);
    mix(l.value);
  }
  return h;
}

bool IsValidLabelName(std::string_view name) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
              (i > 0 && c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

const std::string* FindLabel(const Labels& ls, std::string_view name) {
  for (const auto& l : ls)
    if (l.name == name) return &l.value;
  return nullptr;
}

namespace {

// Exactly the hex digits of `digits` (at most 8) as a number; false on any
// other character. Label strings come from clients: no exceptions here.
bool ParseHexDigits(std::string_view digits, uint32_t* out) {
  uint32_t v = 0;
  for (char c : digits) {
    int d;
    if (c >= '0' && c <= '9')
      d = c - '0';
    else if (c >= 'a' && c <= 'f')
      d = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F')
      d = c - 'A' + 10;
    else
      return false;
    v = v << 4 | static_cast<uint32_t>(d);
  }
  *out = v;
  return !digits.empty();
}

}  // namespace

namespace {

// Parses a Go string literal ("..." with escapes, or `...`) starting at s[*i].
bool ParseQuoted(std::string_view s, size_t* i, std::string* out, std::string* err) {
  char q = s[*i];
  ++*i;
  out->clear();
  if (q == '`') {
    size_t end = s.find('`', *i);
    if (end == std::string_view::npos) {
      *err = "unterminated raw string";
      return false;
    }
    out->assign(s.substr(*i, end - *i));
    *i = end + 1;
    return true;
  }
  while (*i < s.size()) {
    char c = s[*i];
    if (c == '"') {
      ++*i;
      return true;
    }
    if (c == '\\') {
      if (*i + 1 >= s.size()) break;
      char e = s[*i + 1];
      *i += 2;
      switch (e) {
        case 'n':
          out->push_back('\n');
          break;
        case 't':
          out->push_back('\t');
          break;
        case 'r':
          out->push_back('\r');
          break;
        case 'a':
          out->push_back('\a');
          break;
        case 'b':
          out->push_back('\b');
          break;
        case 'f':
          out->push_back('\f');
          break;
        case 'v':
          out->push_back('\v');
          break;
        case '\\':
          out->push_back('\\');
          break;
        case '"':
          out->push_back('"');
          break;
        case '\'':
          out->push_back('\'');
          break;
        case 'x': {
          if (*i + 2 > s.size()) {
            *err = "invalid escape";
            return false;
          }
          uint32_t byte = 0;
          if (!ParseHexDigits(s.substr(*i, 2), &byte)) {
            *err = "invalid escape";
            return false;
          }
          out->push_back(static_cast<char>(byte));
          *i += 2;
          break;
        }
        case 'u':
        case 'U': {
          size_t n = e == 'u' ? 4 : 8;
          if (*i + n > s.size()) {
            *err = "invalid escape";
            return false;
          }
          uint32_t cp = 0;
          // Go's strconv.Unquote: hex digits only, a valid code point.
          if (!ParseHexDigits(s.substr(*i, n), &cp) || cp > 0x10FFFF ||
              (cp >= 0xD800 && cp <= 0xDFFF)) {
            *err = "invalid escape";
            return false;
          }
          *i += n;
          AppendRune(cp, out);
          break;
        }
        default:
          *err = std::string("invalid escape \\") + e;
          return false;
      }
      continue;
    }
    out->push_back(c);
    ++*i;
  }
  *err = "unterminated string";
  return false;
}

void SkipSpace(std::string_view s, size_t* i) {
  while (*i < s.size() && (s[*i] == ' ' || s[*i] == '\t' || s[*i] == '\n' || s[*i] == '\r')) ++*i;
}

}  // namespace

Status ParseLabels(std::string_view text, Labels* out) {
  out->clear();
  size_t i = 0;
  std::string err;
  SkipSpace(text, &i);
  if (i >= text.size() || text[i] != '{') {
    return Status::InvalidArgument("1:1: parse error: unexpected character, expecting {");
  }
  ++i;
  SkipSpace(text, &i);
  if (i < text.size() && text[i] == '}') {
    ++i;
  } else {
    while (true) {
      SkipSpace(text, &i);
      size_t start = i;
      while (i < text.size() &&
             (std::isalnum(static_cast<unsigned char>(text[i])) || text[i] == '_'))
        ++i;
      std::string name(text.substr(start, i - start));
      if (!IsValidLabelName(name)) {
        return Status::InvalidArgument("1:" + std::to_string(start + 1) +
                                       ": parse error: invalid label name \"" + name + "\"");
      }
      SkipSpace(text, &i);
      if (i >= text.size() || text[i] != '=') {
        return Status::InvalidArgument("1:" + std::to_string(i + 1) +
                                       ": parse error: unexpected character, expecting =");
      }
      ++i;
      SkipSpace(text, &i);
      if (i >= text.size() || (text[i] != '"' && text[i] != '`')) {
        return Status::InvalidArgument("1:" + std::to_string(i + 1) +
                                       ": parse error: unexpected character, expecting string");
      }
      std::string value;
      if (!ParseQuoted(text, &i, &value, &err)) {
        return Status::InvalidArgument("1:" + std::to_string(i + 1) + ": parse error: " + err);
      }
      out->push_back({std::move(name), std::move(value)});
      SkipSpace(text, &i);
      if (i < text.size() && text[i] == ',') {
        ++i;
        SkipSpace(text, &i);
        if (i < text.size() && text[i] == '}') {
          ++i;
          break;
        }
        continue;
      }
      if (i < text.size() && text[i] == '}') {
        ++i;
        break;
      }
      return Status::InvalidArgument("1:" + std::to_string(i + 1) +
                                     ": parse error: unexpected end of input, expecting } or ,");
    }
  }
  SkipSpace(text, &i);
  if (i != text.size()) {
    return Status::InvalidArgument("1:" + std::to_string(i + 1) +
                                   ": parse error: unexpected data after labels");
  }
  SortLabels(out);
  for (size_t k = 1; k < out->size(); ++k) {
    if ((*out)[k].name == (*out)[k - 1].name) {
      return Status::InvalidArgument("duplicate label name: " + (*out)[k].name);
    }
  }
  return Status::OK();
}

// ---------------------------------------------------------------------------
// LabelMatcher
// ---------------------------------------------------------------------------

LabelMatcher::LabelMatcher(MatchType t, std::string n, std::string v)
    : type_(t), name_(std::move(n)), value_(std::move(v)) {}

LabelMatcher::~LabelMatcher() = default;

namespace {

// `a|b|c` made only of literal characters -> the alternatives.
bool LiteralAlternation(const std::string& re, std::vector<std::string>* alts) {
  static const char* kMeta = "\\.+*?()[]{}^$";
  std::string cur;
  for (char c : re) {
    if (c == '|') {
      alts->push_back(cur);
      cur.clear();
      continue;
    }
    if (std::strchr(kMeta, c)) return false;
    cur.push_back(c);
  }
  alts->push_back(cur);
  return true;
}

}  // namespace

Status LabelMatcher::Create(MatchType type, std::string name, std::string value,
                            std::shared_ptr<LabelMatcher>* out) {
  auto m = std::make_shared<LabelMatcher>(type, std::move(name), std::move(value));
  if (type == MatchType::kRegexMatch || type == MatchType::kRegexNoMatch) {
    if (m->value_ == ".*") {
      m->any_kind_ = 1;
    } else if (m->value_ == ".+") {
      m->any_kind_ = 2;
    } else if (LiteralAlternation(m->value_, &m->literal_set_)) {
      m->literal_only_ = true;
    }
    RE2::Options o;
    o.set_log_errors(false);
    o.set_dot_nl(true);  // Prometheus compiles matchers with (?s)
    m->re_ = std::make_unique<RE2>("^(?:" + m->value_ + ")$", o);
    if (!m->re_->ok()) {
      return Status::InvalidArgument("error parsing regexp: " + m->re_->error());
    }
  }
  m->matches_empty_ = m->Matches("");
  *out = std::move(m);
  return Status::OK();
}

bool LabelMatcher::Matches(std::string_view v) const {
  switch (type_) {
    case MatchType::kEqual:
      return v == value_;
    case MatchType::kNotEqual:
      return v != value_;
    case MatchType::kRegexMatch:
    case MatchType::kRegexNoMatch: {
      bool m;
      if (any_kind_ == 1) {
        m = true;
      } else if (any_kind_ == 2) {
        m = !v.empty();
      } else if (literal_only_) {
        m = std::find(literal_set_.begin(), literal_set_.end(), v) != literal_set_.end();
      } else {
        m = RE2::FullMatch(re2::StringPiece(v.data(), v.size()), *re_);
      }
      return type_ == MatchType::kRegexMatch ? m : !m;
    }
  }
  return false;
}

std::string LabelMatcher::ToString() const {
  const char* op = "=";
  switch (type_) {
    case MatchType::kEqual:
      op = "=";
      break;
    case MatchType::kNotEqual:
      op = "!=";
      break;
    case MatchType::kRegexMatch:
      op = "=~";
      break;
    case MatchType::kRegexNoMatch:
      op = "!~";
      break;
  }
  return name_ + op + GoQuote(value_);
}

}  // namespace lode
