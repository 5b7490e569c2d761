// Lexer for Go's text/template syntax: a direct port of the state machine in
// Go's text/template/parse/lex.go (Go 1.22), so the same inputs produce the
// same tokens and error texts. The whole input is lexed up front; lexing
// stops at the first error token.

#include <algorithm>
#include <cstring>

#include "logql/template/tree.h"

namespace lode::logql::tmpl {
namespace {

constexpr std::string_view kLeftDelim = "{{";
constexpr std::string_view kRightDelim = "}}";
constexpr std::string_view kLeftComment = "/*";
constexpr std::string_view kRightComment = "*/";
constexpr int kEof = -1;

bool IsSpace(int r) { return r == ' ' || r == '\t' || r == '\r' || r == '\n'; }

bool IsAlphaNumeric(int r) { return r == '_' || (r >= 0 && (IsLetterRune(r) || IsDigitRune(r))); }

bool HasLeftTrimMarker(std::string_view s) { return s.size() >= 2 && s[0] == '-' && IsSpace(s[1]); }
bool HasRightTrimMarker(std::string_view s) {
  return s.size() >= 2 && IsSpace(s[0]) && s[1] == '-';
}

size_t RightTrimLength(std::string_view s) {
  size_t n = s.size();
  while (n > 0 && IsSpace(static_cast<unsigned char>(s[n - 1]))) n--;
  return s.size() - n;
}

size_t LeftTrimLength(std::string_view s) {
  size_t i = 0;
  while (i < s.size() && IsSpace(static_cast<unsigned char>(s[i]))) i++;
  return i;
}

bool StartsWith(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

Item Keyword(std::string_view w) {
  static const struct {
    std::string_view word;
    Item item;
  } kWords[] = {{".", Item::kDot},
                {"block", Item::kBlock},
                {"break", Item::kBreak},
                {"continue", Item::kContinue},
                {"define", Item::kDefine},
                {"else", Item::kElse},
                {"end", Item::kEnd},
                {"if", Item::kIf},
                {"range", Item::kRange},
                {"nil", Item::kNil},
                {"template", Item::kTemplate},
                {"with", Item::kWith}};
  for (const auto& k : kWords) {
    if (k.word == w) return k.item;
  }
  return Item::kError;
}

enum class State {
  kDone,
  kText,
  kLeftDelim,
  kComment,
  kRightDelim,
  kInsideAction,
  kSpace,
  kIdentifier,
  kField,
  kVariable,
  kChar,
  kNumber,
  kQuote,
  kRawQuote,
};

class Lexer {
 public:
  Lexer(std::string_view in, std::vector<Token>* out, std::string* msg)
      : in_(in), out_(out), msg_(msg) {}

  void Run() {
    State s = State::kText;
    while (s != State::kDone) s = Step(s);
  }

 private:
  State Step(State s) {
    switch (s) {
      case State::kText:
        return LexText();
      case State::kLeftDelim:
        return LexLeftDelim();
      case State::kComment:
        return LexComment();
      case State::kRightDelim:
        return LexRightDelim();
      case State::kInsideAction:
        return LexInsideAction();
      case State::kSpace:
        return LexSpace();
      case State::kIdentifier:
        return LexIdentifier();
      case State::kField:
        return LexFieldOrVariable(Item::kField);
      case State::kVariable:
        return LexVariable();
      case State::kChar:
        return LexChar();
      case State::kNumber:
        return LexNumber();
      case State::kQuote:
        return LexQuote();
      case State::kRawQuote:
        return LexRawQuote();
      case State::kDone:
        break;
    }
    return State::kDone;
  }

  int Next() {
    if (pos_ >= in_.size()) {
      width_ = 0;
      return kEof;
    }
    int32_t r;
    width_ = DecodeRune(in_, pos_, &r);
    pos_ += width_;
    return r;
  }
  void Backup() {
    pos_ -= width_;
    width_ = 0;
  }
  int Peek() {
    int r = Next();
    Backup();
    return r;
  }
  int LineAt(size_t p) const {
    return 1 + static_cast<int>(std::count(in_.begin(), in_.begin() + p, '\n'));
  }
  void Emit(Item t) {
    out_->push_back(
        Token{t, static_cast<int>(start_), LineAt(start_), in_.substr(start_, pos_ - start_)});
    start_ = pos_;
  }
  void Ignore() { start_ = pos_; }
  State Errorf(std::string msg) {
    *msg_ = std::move(msg);
    out_->push_back(Token{Item::kError, static_cast<int>(start_), LineAt(start_), *msg_});
    return State::kDone;
  }
  bool Accept(std::string_view valid) {
    int r = Next();
    if (r >= 0 && r < 128 && valid.find(static_cast<char>(r)) != std::string_view::npos)
      return true;
    Backup();
    return false;
  }
  void AcceptRun(std::string_view valid) {
    while (Accept(valid)) {
    }
  }

  // atRightDelim: at "}}", possibly preceded by a trim marker " -".
  bool AtRightDelim(bool* trim) const {
    std::string_view rest = in_.substr(pos_);
    if (HasRightTrimMarker(rest) && StartsWith(rest.substr(2), kRightDelim)) {
      *trim = true;
      return true;
    }
    *trim = false;
    return StartsWith(rest, kRightDelim);
  }

  bool AtTerminator() {
    int r = Peek();
    if (IsSpace(r)) return true;
    switch (r) {
      case kEof:
      case '.':
      case ',':
      case '|':
      case ':':
      case ')':
      case '(':
        return true;
      default:
        break;
    }
    return StartsWith(in_.substr(pos_), kRightDelim);
  }

  State LexText() {
    size_t x = in_.find(kLeftDelim, pos_);
    if (x != std::string_view::npos) {
      if (x > pos_) {
        pos_ = x;
        size_t trim = 0;
        if (HasLeftTrimMarker(in_.substr(pos_ + kLeftDelim.size()))) {
          trim = RightTrimLength(in_.substr(start_, pos_ - start_));
        }
        pos_ -= trim;
        if (pos_ > start_) Emit(Item::kText);
        pos_ += trim;
        Ignore();
      }
      return State::kLeftDelim;
    }
    pos_ = in_.size();
    if (pos_ > start_) Emit(Item::kText);
    Emit(Item::kEOF);
    return State::kDone;
  }

  State LexLeftDelim() {
    pos_ += kLeftDelim.size();
    bool trim = HasLeftTrimMarker(in_.substr(pos_));
    size_t after = trim ? 2 : 0;
    if (StartsWith(in_.substr(pos_ + after), kLeftComment)) {
      pos_ += after;
      Ignore();
      return State::kComment;
    }
    Emit(Item::kLeftDelim);
    pos_ += after;
    Ignore();
    paren_depth_ = 0;
    return State::kInsideAction;
  }

  State LexComment() {
    pos_ += kLeftComment.size();
    size_t x = in_.find(kRightComment, pos_);
    if (x == std::string_view::npos) return Errorf("unclosed comment");
    pos_ = x + kRightComment.size();
    bool trim;
    if (!AtRightDelim(&trim)) return Errorf("comment ends before closing delimiter");
    if (trim) pos_ += 2;
    pos_ += kRightDelim.size();
    if (trim) pos_ += LeftTrimLength(in_.substr(pos_));
    Ignore();
    return State::kText;
  }

  State LexRightDelim() {
    bool trim;
    AtRightDelim(&trim);
    if (trim) {
      pos_ += 2;
      Ignore();
    }
    pos_ += kRightDelim.size();
    Emit(Item::kRightDelim);
    if (trim) {
      pos_ += LeftTrimLength(in_.substr(pos_));
      Ignore();
    }
    return State::kText;
  }

  State LexInsideAction() {
    bool trim;
    if (AtRightDelim(&trim)) {
      if (paren_depth_ == 0) return State::kRightDelim;
      return Errorf("unclosed left paren");
    }
    int r = Next();
    if (r == kEof) return Errorf("unclosed action");
    if (IsSpace(r)) {
      Backup();
      return State::kSpace;
    }
    switch (r) {
      case '=':
        Emit(Item::kAssign);
        return State::kInsideAction;
      case ':':
        if (Next() != '=') return Errorf("expected :=");
        Emit(Item::kDeclare);
        return State::kInsideAction;
      case '|':
        Emit(Item::kPipe);
        return State::kInsideAction;
      case '"':
        return State::kQuote;
      case '`':
        return State::kRawQuote;
      case '$':
        return State::kVariable;
      case '\'':
        return State::kChar;
      case '.':
        if (pos_ < in_.size() && (in_[pos_] < '0' || in_[pos_] > '9')) return State::kField;
        Backup();
        return State::kNumber;
      case '(':
        paren_depth_++;
        Emit(Item::kLeftParen);
        return State::kInsideAction;
      case ')':
        paren_depth_--;
        if (paren_depth_ < 0) return Errorf("unexpected right paren");
        Emit(Item::kRightParen);
        return State::kInsideAction;
      default:
        break;
    }
    if (r == '+' || r == '-' || (r >= '0' && r <= '9')) {
      Backup();
      return State::kNumber;
    }
    if (IsAlphaNumeric(r)) {
      Backup();
      return State::kIdentifier;
    }
    if (r < 0x80 && r >= 0x20 && r < 0x7f) {
      Emit(Item::kChar);
      return State::kInsideAction;
    }
    return Errorf("unrecognized character in action: " + FormatRuneU(r));
  }

  State LexSpace() {
    int spaces = 0;
    while (IsSpace(Peek())) {
      Next();
      spaces++;
    }
    // A trim-marked closing delimiter starts with a space: leave it.
    std::string_view rest = in_.substr(pos_ - 1);
    if (HasRightTrimMarker(rest) && StartsWith(rest.substr(2), kRightDelim)) {
      pos_ -= 1;
      if (spaces == 1) return State::kRightDelim;
    }
    Emit(Item::kSpace);
    return State::kInsideAction;
  }

  State LexIdentifier() {
    for (;;) {
      int r = Next();
      if (IsAlphaNumeric(r)) continue;
      Backup();
      std::string_view word = in_.substr(start_, pos_ - start_);
      if (!AtTerminator()) return Errorf("bad character " + FormatRuneU(r));
      Item k = Keyword(word);
      if (k != Item::kError && k > Item::kKeyword) {
        Emit(k);
      } else if (word[0] == '.') {
        Emit(Item::kField);
      } else if (word == "true" || word == "false") {
        Emit(Item::kBool);
      } else {
        Emit(Item::kIdentifier);
      }
      return State::kInsideAction;
    }
  }

  State LexVariable() {
    if (AtTerminator()) {
      Emit(Item::kVariable);
      return State::kInsideAction;
    }
    return LexFieldOrVariable(Item::kVariable);
  }

  State LexFieldOrVariable(Item typ) {
    if (AtTerminator()) {
      Emit(typ == Item::kVariable ? Item::kVariable : Item::kDot);
      return State::kInsideAction;
    }
    int r;
    for (;;) {
      r = Next();
      if (!IsAlphaNumeric(r)) {
        Backup();
        break;
      }
    }
    if (!AtTerminator()) return Errorf("bad character " + FormatRuneU(r));
    Emit(typ);
    return State::kInsideAction;
  }

  State LexChar() {
    for (;;) {
      int r = Next();
      if (r == '\\') {
        r = Next();
        if (r != kEof && r != '\n') continue;
        return Errorf("unterminated character constant");
      }
      if (r == kEof || r == '\n') return Errorf("unterminated character constant");
      if (r == '\'') break;
    }
    Emit(Item::kCharConstant);
    return State::kInsideAction;
  }

  bool ScanNumber() {
    Accept("+-");
    std::string_view digits = "0123456789_";
    if (Accept("0")) {
      if (Accept("xX")) {
        digits = "0123456789abcdefABCDEF_";
      } else if (Accept("oO")) {
        digits = "01234567_";
      } else if (Accept("bB")) {
        digits = "01_";
      }
    }
    AcceptRun(digits);
    if (Accept(".")) AcceptRun(digits);
    if (digits.size() == 11 && Accept("eE")) {
      Accept("+-");
      AcceptRun("0123456789_");
    }
    if (digits.size() == 23 && Accept("pP")) {
      Accept("+-");
      AcceptRun("0123456789_");
    }
    Accept("i");
    if (IsAlphaNumeric(Peek())) {
      Next();
      return false;
    }
    return true;
  }

  State LexNumber() {
    if (!ScanNumber()) {
      std::string m = "bad number syntax: ";
      AppendQuote(&m, in_.substr(start_, pos_ - start_), false);
      return Errorf(m);
    }
    int sign = Peek();
    if (sign == '+' || sign == '-') {
      if (!ScanNumber() || in_[pos_ - 1] != 'i') {
        std::string m = "bad number syntax: ";
        AppendQuote(&m, in_.substr(start_, pos_ - start_), false);
        return Errorf(m);
      }
      Emit(Item::kComplex);
    } else {
      Emit(Item::kNumber);
    }
    return State::kInsideAction;
  }

  State LexQuote() {
    for (;;) {
      int r = Next();
      if (r == '\\') {
        r = Next();
        if (r != kEof && r != '\n') continue;
        return Errorf("unterminated quoted string");
      }
      if (r == kEof || r == '\n') return Errorf("unterminated quoted string");
      if (r == '"') break;
    }
    Emit(Item::kString);
    return State::kInsideAction;
  }

  State LexRawQuote() {
    for (;;) {
      int r = Next();
      if (r == kEof) return Errorf("unterminated raw quoted string");
      if (r == '`') break;
    }
    Emit(Item::kRawString);
    return State::kInsideAction;
  }

  std::string_view in_;
  std::vector<Token>* out_;
  std::string* msg_;
  size_t pos_ = 0;
  size_t start_ = 0;
  int width_ = 0;
  int paren_depth_ = 0;
};

}  // namespace

void Lex(std::string_view src, std::vector<Token>* out, std::string* msg) {
  Lexer l(src, out, msg);
  l.Run();
}

std::string TokenString(const Token& t) {
  if (t.typ == Item::kEOF) return "EOF";
  if (t.typ == Item::kError) return std::string(t.val);
  if (t.typ > Item::kKeyword) return "<" + std::string(t.val) + ">";
  std::string out;
  if (RuneCount(t.val) > 10) {
    size_t i = 0;
    for (int n = 0; n < 10; n++) {
      int32_t r;
      i += DecodeRune(t.val, i, &r);
    }
    AppendQuote(&out, t.val.substr(0, i), false);
    out += "...";
  } else {
    AppendQuote(&out, t.val, false);
  }
  return out;
}

}  // namespace lode::logql::tmpl
