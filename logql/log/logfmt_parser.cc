#include "logql/log/logfmt_parser.h"

#include <cstdint>

#include "base/utf8.h"
#include "logql/log/json_parser.h"

namespace lode::logql {

namespace {

bool IsSpaceOrCtl(char c) { return static_cast<unsigned char>(c) <= ' '; }

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// getu4: the \uXXXX escape at s[0..6), or -1.
int32_t GetU4(std::string_view s) {
  if (s.size() < 6 || s[0] != '\\' || s[1] != 'u') return -1;
  int32_t r = 0;
  for (int i = 2; i < 6; ++i) {
    int h = HexDigit(s[static_cast<size_t>(i)]);
    if (h < 0) return -1;
    r = r * 16 + h;
  }
  return r;
}

// go-logfmt's unquoteBytes on a quoted value (quotes included).
bool Unquote(std::string_view s, std::string* out) {
  if (s.size() < 2 || s.front() != '"' || s.back() != '"') return false;
  s = s.substr(1, s.size() - 2);
  out->clear();
  for (size_t r = 0; r < s.size();) {
    const char c = s[r];
    if (c == '\\') {
      ++r;
      if (r >= s.size()) return false;
      switch (s[r]) {
        case '"':
        case '\\':
        case '/':
        case '\'':
          out->push_back(s[r]);
          ++r;
          break;
        case 'b':
          out->push_back('\b');
          ++r;
          break;
        case 'f':
          out->push_back('\f');
          ++r;
          break;
        case 'n':
          out->push_back('\n');
          ++r;
          break;
        case 'r':
          out->push_back('\r');
          ++r;
          break;
        case 't':
          out->push_back('\t');
          ++r;
          break;
        case 'u': {
          --r;
          int32_t rr = GetU4(s.substr(r));
          if (rr < 0) return false;
          r += 6;
          if (rr >= 0xD800 && rr < 0xE000) {
            int32_t rr1 = GetU4(s.substr(r));
            if (rr < 0xDC00 && rr1 >= 0xDC00 && rr1 < 0xE000) {
              AppendRune(static_cast<uint32_t>(0x10000 + ((rr - 0xD800) << 10) + (rr1 - 0xDC00)),
                         out);
              r += 6;
              break;
            }
            rr = 0xFFFD;
          }
          AppendRune(static_cast<uint32_t>(rr), out);
          break;
        }
        default:
          return false;
      }
      continue;
    }
    if (c == '"') return false;
    if (static_cast<unsigned char>(c) < 0x80) {
      out->push_back(c);
      ++r;
      continue;
    }
    // Coerce to well-formed UTF-8.
    size_t w;
    AppendRune(DecodeRune(s, r, &w), out);
    r += w;
  }
  return true;
}

}  // namespace

// ---------------------------------------------------------------------------
// LogfmtDecoder
// ---------------------------------------------------------------------------

void LogfmtDecoder::Reset(std::string_view line) {
  line_ = line;
  pos_ = 0;
  err_kind_ = kNone;
}

std::string LogfmtDecoder::ErrorText() const {
  std::string msg;
  switch (err_kind_) {
    case kNone:
      return "";
    case kUnexpected:
      msg = std::string("unexpected '") + err_char_ + "'";
      break;
    case kInvalidKey:
      msg = "invalid key";
      break;
    case kUntermQuote:
      msg = "unterminated quoted value";
      break;
    case kInvalidQuote:
      msg = "invalid quoted value";
      break;
  }
  return "logfmt syntax error at pos " + std::to_string(err_pos_) + " : " + msg;
}

bool LogfmtDecoder::SkipValue() {
  for (size_t p = pos_; p < line_.size(); ++p) {
    if (IsSpaceOrCtl(line_[p])) {
      pos_ = p;
      return false;
    }
  }
  pos_ = line_.size();
  return false;
}

bool LogfmtDecoder::ScanKeyval() {
  key_ = {};
  value_ = {};
  const std::string_view line = line_;
  size_t p = pos_;
  while (p < line.size() && IsSpaceOrCtl(line[p])) ++p;
  if (p >= line.size()) {
    pos_ = line.size();
    return false;
  }
  pos_ = p;

  // Key.
  size_t start = pos_;
  bool multibyte = false;
  bool equal = false;
  for (p = pos_; p < line.size(); ++p) {
    const char c = line[p];
    if (c == '=') {
      pos_ = p;
      if (pos_ > start) {
        key_ = line.substr(start, pos_ - start);
        if (multibyte && HasRuneError(key_)) {
          SyntaxError(kInvalidKey);
          return SkipValue();
        }
      } else {
        UnexpectedByte(c);
        return SkipValue();
      }
      equal = true;
      break;
    }
    if (c == '"') {
      pos_ = p;
      UnexpectedByte(c);
      return SkipValue();
    }
    if (IsSpaceOrCtl(c)) {
      pos_ = p;
      if (pos_ > start) {
        key_ = line.substr(start, pos_ - start);
        if (multibyte && HasRuneError(key_)) {
          SyntaxError(kInvalidKey);
          return false;
        }
      }
      return true;
    }
    if (static_cast<unsigned char>(c) >= 0x80) multibyte = true;
  }
  if (!equal) {
    pos_ = line.size();
    if (pos_ > start) {
      key_ = line.substr(start, pos_ - start);
      if (multibyte && HasRuneError(key_)) {
        SyntaxError(kInvalidKey);
        return false;
      }
    }
    return true;
  }

  // '=' then the value.
  ++pos_;
  if (pos_ >= line.size()) return true;
  char c = line[pos_];
  if (IsSpaceOrCtl(c)) return true;
  if (c != '"') {
    start = pos_;
    for (p = pos_; p < line.size(); ++p) {
      c = line[p];
      if (c == '=' || c == '"') {
        pos_ = p;
        UnexpectedByte(c);
        return SkipValue();
      }
      if (IsSpaceOrCtl(c)) {
        pos_ = p;
        if (pos_ > start) value_ = line.substr(start, pos_ - start);
        return true;
      }
    }
    pos_ = line.size();
    if (pos_ > start) value_ = line.substr(start, pos_ - start);
    return true;
  }

  // Quoted value.
  bool has_esc = false, esc = false;
  start = pos_;
  for (p = pos_ + 1; p < line.size(); ++p) {
    c = line[p];
    if (esc) {
      esc = false;
    } else if (c == '\\') {
      has_esc = esc = true;
    } else if (c == '"') {
      pos_ = p + 1;
      if (has_esc) {
        if (!Unquote(line.substr(start, pos_ - start), &buf_)) {
          SyntaxError(kInvalidQuote);
          return false;
        }
        value_ = buf_;
      } else {
        size_t s = start + 1, end = pos_ - 1;
        if (end > s) value_ = line.substr(s, end - s);
      }
      return true;
    }
  }
  pos_ = line.size();
  SyntaxError(kUntermQuote);
  return false;
}

// ---------------------------------------------------------------------------
// Stages
// ---------------------------------------------------------------------------

namespace {

struct LogfmtState : StageState {
  LogfmtDecoder dec;
  std::string key, value_buf;
};

class LogfmtStage : public LogStage {
 public:
  LogfmtStage(bool strict, bool keep_empty) : strict_(strict), keep_empty_(keep_empty) {}

  std::unique_ptr<StageState> NewState() const override { return std::make_unique<LogfmtState>(); }

  bool Process(int64_t, std::string_view* line, LabelsBuilder* lbs,
               StageState* state) const override {
    auto* st = static_cast<LogfmtState*>(state);
    LogfmtDecoder& dec = st->dec;
    dec.Reset(*line);
    while (!dec.EOL()) {
      if (!dec.ScanKeyval()) {
        if (strict_) break;
        continue;
      }
      SanitizeLabelKey(dec.key(), &st->key);
      if (!lbs->ResolveParsedName(&st->key)) continue;
      std::string_view val = ReplaceInvalidUtf8(dec.value(), &st->value_buf);
      if (!keep_empty_ && val.empty()) continue;
      lbs->SetResolvedParsed(st->key, val);
    }
    if (strict_ && dec.has_error()) {
      lbs->SetErr(kErrLogfmt);
      lbs->SetErrDetails(dec.ErrorText());
    }
    return true;
  }

 private:
  bool strict_, keep_empty_;
};

struct LogfmtParam {
  std::string label;  // the label to set
  std::string key;    // the logfmt key it reads
};

class LogfmtExprStage : public LogStage {
 public:
  LogfmtExprStage(std::vector<LogfmtParam> params, bool strict)
      : params_(std::move(params)), strict_(strict) {}

  std::unique_ptr<StageState> NewState() const override { return std::make_unique<LogfmtState>(); }

  bool Process(int64_t, std::string_view* line, LabelsBuilder* lbs,
               StageState* state) const override {
    auto* st = static_cast<LogfmtState*>(state);
    for (const auto& p : params_) {
      if (!lbs->BaseHas(p.label)) lbs->Set(LabelCategory::kParsed, p.label, "");
    }
    LogfmtDecoder& dec = st->dec;
    dec.Reset(*line);
    while (!dec.EOL()) {
      if (!dec.ScanKeyval()) {
        if (strict_) break;
        continue;
      }
      SanitizeLabelKey(dec.key(), &st->key);
      if (st->key.empty()) continue;
      std::string_view val = dec.value();
      if (HasRuneError(val)) val = {};
      for (const auto& p : params_) {
        if (st->key == p.key) {
          st->key = p.label;
          break;
        }
      }
      bool wanted = false;
      for (const auto& p : params_) wanted = wanted || p.label == st->key;
      if (!wanted) continue;
      if (lbs->BaseHas(st->key)) st->key.append(kExtractedSuffix);
      lbs->Set(LabelCategory::kParsed, st->key, val);
    }
    if (strict_ && dec.has_error()) {
      lbs->SetErr(kErrLogfmt);
      lbs->SetErrDetails(dec.ErrorText());
    }
    return true;
  }

 private:
  std::vector<LogfmtParam> params_;
  bool strict_;
};

// logfmt.Parse for a parameter: a single identifier.
bool ParseLogfmtKey(std::string_view expr, std::string* key, std::string* err) {
  size_t i = 0;
  auto ws = [&]() {
    while (i < expr.size() && (expr[i] == ' ' || expr[i] == '\t' || expr[i] == '\n')) ++i;
  };
  ws();
  if (i >= expr.size()) {
    *err = "syntax error: unexpected $end, expecting KEY";
    return false;
  }
  char c = expr[i];
  if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_')) {
    *err = std::string("unexpected char ") + c;
    return false;
  }
  key->clear();
  while (i < expr.size()) {
    c = expr[i];
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (c >= '0' && c <= '9'))) {
      break;
    }
    key->push_back(c);
    ++i;
  }
  ws();
  if (i < expr.size()) {
    *err = "syntax error: unexpected token, expecting $end";
    return false;
  }
  return true;
}

}  // namespace

Status NewLogfmtStage(const ParserStage& p, LogStagePtr* out) {
  if (p.params.empty()) {
    *out = std::make_unique<LogfmtStage>(p.strict, p.keep_empty);
    return Status::OK();
  }
  std::vector<LogfmtParam> params;
  for (const auto& e : p.params) {
    LogfmtParam lp;
    std::string err;
    if (!ParseLogfmtKey(e.expr, &lp.key, &err)) {
      return Status::InvalidArgument("cannot parse expression [" + e.expr + "]: " + err);
    }
    if (!IsValidLabelName(e.label)) {
      return Status::InvalidArgument("invalid extracted label name '" + e.label + "'");
    }
    lp.label = e.label;
    params.push_back(std::move(lp));
  }
  *out = std::make_unique<LogfmtExprStage>(std::move(params), p.strict);
  return Status::OK();
}

}  // namespace lode::logql
