// Parser for Go's text/template: a port of text/template/parse/parse.go
// (Go 1.22) producing the same tree shapes and the same error texts
// ("template: line:1: unexpected \"}\" in operand").

#include <re2/re2.h>

#include <cmath>

#include "logql/template/tree.h"

namespace lode::logql::tmpl {

Node::Node(NodeType t, int p) : type(t), pos(p) {}
Node::~Node() = default;

namespace {

// Go allows 10000 nested parentheses; the C++ stack is not growable, so
// nesting of parentheses and control structures together is capped lower:
// 256, as LogQL's own nesting bound. Each level is four recursive frames
// (Pipeline, Command, Operand, Term); at 1000 levels an ASan build overflowed
// the 8 MiB stack, and handler and scan threads must not come near theirs.
constexpr int kMaxStackDepth = 256;

class Parser {
 public:
  explicit Parser(TemplateImpl* t) : t_(t) {}

  Status Run() {
    std::string lex_msg;
    Lex(t_->source_, &toks_, &lex_msg);
    lex_msg_ = std::move(lex_msg);
    // Tokens of kind kError point into lex_msg; re-point at our copy.
    if (!toks_.empty() && toks_.back().typ == Item::kError) toks_.back().val = lex_msg_;
    vars_ = {"$"};
    auto root = ParseTop();
    if (failed_) return Status::InvalidArgument(err_);
    t_->root_ = std::move(root);
    return Status::OK();
  }

 private:
  // ---- tokens ----
  const Token& At(size_t i) {
    if (i >= toks_.size()) i = toks_.size() - 1;
    if (i > hw_) hw_ = i;
    return toks_[i];
  }
  const Token& Next() { return At(idx_++); }
  void Backup() { idx_--; }
  const Token& Peek() { return At(idx_); }
  const Token& NextNonSpace() {
    for (;;) {
      const Token& t = Next();
      if (t.typ != Item::kSpace) return t;
    }
  }
  const Token& PeekNonSpace() {
    const Token& t = NextNonSpace();
    Backup();
    return t;
  }

  // ---- errors ----
  std::nullptr_t Errorf(const std::string& msg) {
    if (!failed_) {
      failed_ = true;
      err_ = "template: " + t_->name_ + ":" + std::to_string(At(hw_).line) + ": " + msg;
    }
    return nullptr;
  }
  std::nullptr_t Unexpected(const Token& tok, std::string_view context) {
    if (tok.typ == Item::kError) {
      std::string extra;
      if (action_line_ != 0 && action_line_ != tok.line) {
        extra = " in action started at " + t_->name_ + ":" + std::to_string(action_line_);
        if (tok.val.size() >= 7 && tok.val.substr(tok.val.size() - 7) == " action") {
          extra = extra.substr(std::string_view(" in action").size());
        }
      }
      return Errorf(std::string(tok.val) + extra);
    }
    return Errorf("unexpected " + TokenString(tok) + " in " + std::string(context));
  }
  bool Expect(Item typ, std::string_view context, Token* out) {
    const Token& t = NextNonSpace();
    if (t.typ != typ) {
      Unexpected(t, context);
      return false;
    }
    *out = t;
    return true;
  }

  static std::unique_ptr<Node> New(NodeType type, int pos) {
    return std::make_unique<Node>(type, pos);
  }

  // ---- grammar ----
  std::unique_ptr<Node> ParseTop() {
    auto root = New(NodeType::kList, Peek().pos);
    while (Peek().typ != Item::kEOF) {
      if (Peek().typ == Item::kLeftDelim) {
        size_t save = idx_;
        Next();
        if (NextNonSpace().typ == Item::kDefine) {
          ParseDefinition();
          if (failed_) return nullptr;
          continue;
        }
        idx_ = save;
      }
      auto n = TextOrAction();
      if (failed_) return nullptr;
      if (n->type == NodeType::kEnd || n->type == NodeType::kElse) {
        return Errorf("unexpected " + NodeString(n.get()));
      }
      root->nodes.push_back(std::move(n));
    }
    return root;
  }

  void AddDef(std::string name, std::unique_ptr<Node> list) {
    for (auto& d : t_->defs_) {
      if (d.first == name) {
        if (!IsEmptyTree(d.second.get()) && !IsEmptyTree(list.get())) {
          std::string q;
          AppendQuote(&q, name, false);
          Errorf("template: multiple definition of template " + q);
          return;
        }
        if (!IsEmptyTree(list.get())) d.second = std::move(list);
        return;
      }
    }
    t_->defs_.emplace_back(std::move(name), std::move(list));
  }

  static bool IsEmptyTree(const Node* n) {
    if (n == nullptr) return true;
    if (n->type == NodeType::kList) {
      for (const auto& c : n->nodes) {
        if (!IsEmptyTree(c.get())) return false;
      }
      return true;
    }
    if (n->type == NodeType::kText) {
      for (char c : n->text) {
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r' && c != '\v' && c != '\f') return false;
      }
      return true;
    }
    return false;
  }

  // Parses a nested template body with fresh variables, as Go's new Tree does.
  std::unique_ptr<Node> ParseNestedBody(std::string_view context) {
    std::vector<std::string> saved_vars = std::move(vars_);
    int saved_range = range_depth_;
    vars_ = {"$"};
    range_depth_ = 0;
    std::unique_ptr<Node> end;
    auto list = ItemList(&end);
    vars_ = std::move(saved_vars);
    range_depth_ = saved_range;
    if (failed_) return nullptr;
    if (end->type != NodeType::kEnd) {
      return Errorf("unexpected " + NodeString(end.get()) + " in " + std::string(context));
    }
    return list;
  }

  void ParseDefinition() {
    constexpr std::string_view kContext = "define clause";
    const Token& name = NextNonSpace();
    if (name.typ != Item::kString && name.typ != Item::kRawString) {
      Unexpected(name, kContext);
      return;
    }
    std::string unq;
    if (!GoUnquote(name.val, &unq)) {
      Errorf("invalid syntax");
      return;
    }
    Token tok;
    if (!Expect(Item::kRightDelim, kContext, &tok)) return;
    auto list = ParseNestedBody(kContext);
    if (failed_) return;
    AddDef(std::move(unq), std::move(list));
  }

  std::unique_ptr<Node> ItemList(std::unique_ptr<Node>* end) {
    auto list = New(NodeType::kList, PeekNonSpace().pos);
    while (PeekNonSpace().typ != Item::kEOF) {
      auto n = TextOrAction();
      if (failed_) return nullptr;
      if (n->type == NodeType::kEnd || n->type == NodeType::kElse) {
        *end = std::move(n);
        return list;
      }
      list->nodes.push_back(std::move(n));
    }
    return Errorf("unexpected EOF");
  }

  std::unique_ptr<Node> TextOrAction() {
    const Token& tok = NextNonSpace();
    switch (tok.typ) {
      case Item::kText: {
        auto n = New(NodeType::kText, tok.pos);
        n->text = std::string(tok.val);
        return n;
      }
      case Item::kLeftDelim: {
        action_line_ = tok.line;
        auto n = Action();
        action_line_ = 0;
        return n;
      }
      default:
        return Unexpected(tok, "input");
    }
  }

  std::unique_ptr<Node> Action() {
    const Token tok = NextNonSpace();
    switch (tok.typ) {
      case Item::kBlock:
        return BlockControl();
      case Item::kBreak:
        return BreakControl(tok, NodeType::kBreak, "{{break}}");
      case Item::kContinue:
        return BreakControl(tok, NodeType::kContinue, "{{continue}}");
      case Item::kElse:
        return ElseControl();
      case Item::kEnd:
        return EndControl();
      case Item::kIf:
        return Control(NodeType::kIf, "if");
      case Item::kRange:
        return Control(NodeType::kRange, "range");
      case Item::kTemplate:
        return TemplateControl();
      case Item::kWith:
        return Control(NodeType::kWith, "with");
      default:
        break;
    }
    Backup();
    const Token& at = Peek();
    auto n = New(NodeType::kAction, at.pos);
    n->pipe = Pipeline("command", Item::kRightDelim);
    if (failed_) return nullptr;
    MarkSimpleField(n.get());
    return n;
  }

  static void MarkSimpleField(Node* action) {
    const Node* p = action->pipe.get();
    if (!p->decl.empty() || p->nodes.size() != 1) return;
    const Node* cmd = p->nodes[0].get();
    if (cmd->nodes.size() != 1 || cmd->nodes[0]->type != NodeType::kField) return;
    if (cmd->nodes[0]->idents.size() != 1) return;
    action->simple_field = true;
    action->text = cmd->nodes[0]->idents[0];
  }

  std::unique_ptr<Node> BreakControl(const Token& at, NodeType type, std::string_view context) {
    const Token& tok = NextNonSpace();
    if (tok.typ != Item::kRightDelim) return Unexpected(tok, context);
    if (range_depth_ == 0) return Errorf(std::string(context) + " outside {{range}}");
    return New(type, at.pos);
  }

  std::unique_ptr<Node> Pipeline(std::string_view context, Item end) {
    auto pipe = New(NodeType::kPipe, PeekNonSpace().pos);
  decls:
    if (PeekNonSpace().typ == Item::kVariable) {
      size_t before = idx_;
      const Token v = Next();
      const Token& nxt = PeekNonSpace();
      if (nxt.typ == Item::kAssign || nxt.typ == Item::kDeclare) {
        pipe->is_assign = nxt.typ == Item::kAssign;
        NextNonSpace();
        pipe->decl.push_back(NewVariable(v.pos, v.val));
        vars_.emplace_back(v.val);
      } else if (nxt.typ == Item::kChar && nxt.val == ",") {
        NextNonSpace();
        pipe->decl.push_back(NewVariable(v.pos, v.val));
        vars_.emplace_back(v.val);
        if (context == "range" && pipe->decl.size() < 2) {
          Item k = PeekNonSpace().typ;
          if (k == Item::kVariable || k == Item::kRightDelim || k == Item::kRightParen) goto decls;
          return Errorf("range can only initialize variables");
        }
        return Errorf("too many declarations in " + std::string(context));
      } else {
        idx_ = before;
      }
    }
    for (;;) {
      const Token& tok = NextNonSpace();
      if (tok.typ == end) {
        CheckPipeline(pipe.get(), context);
        if (failed_) return nullptr;
        return pipe;
      }
      switch (tok.typ) {
        case Item::kBool:
        case Item::kCharConstant:
        case Item::kComplex:
        case Item::kDot:
        case Item::kField:
        case Item::kIdentifier:
        case Item::kNumber:
        case Item::kNil:
        case Item::kRawString:
        case Item::kString:
        case Item::kVariable:
        case Item::kLeftParen: {
          Backup();
          auto cmd = Command();
          if (failed_) return nullptr;
          pipe->nodes.push_back(std::move(cmd));
          break;
        }
        default:
          return Unexpected(tok, context);
      }
    }
  }

  void CheckPipeline(Node* pipe, std::string_view context) {
    if (pipe->nodes.empty()) {
      Errorf("missing value for " + std::string(context));
      return;
    }
    for (size_t i = 1; i < pipe->nodes.size(); i++) {
      switch (pipe->nodes[i]->nodes[0]->type) {
        case NodeType::kBool:
        case NodeType::kDot:
        case NodeType::kNil:
        case NodeType::kNumber:
        case NodeType::kString:
          Errorf("non executable command in pipeline stage " + std::to_string(i + 1));
          return;
        default:
          break;
      }
    }
  }

  std::unique_ptr<Node> Control(NodeType type, std::string_view context) {
    if (stack_depth_ >= kMaxStackDepth) return Errorf("max expression depth exceeded");
    stack_depth_++;
    auto n = ControlBody(type, context);
    stack_depth_--;
    return n;
  }

  std::unique_ptr<Node> ControlBody(NodeType type, std::string_view context) {
    size_t nvars = vars_.size();
    auto n = New(type, 0);
    n->pipe = Pipeline(context, Item::kRightDelim);
    if (failed_) return nullptr;
    n->pos = n->pipe->pos;
    if (type == NodeType::kRange) range_depth_++;
    std::unique_ptr<Node> next;
    n->list = ItemList(&next);
    if (type == NodeType::kRange) range_depth_--;
    if (failed_) return nullptr;
    if (next->type == NodeType::kElse) {
      if (type == NodeType::kIf && Peek().typ == Item::kIf) {
        Next();
        n->else_list = New(NodeType::kList, next->pos);
        auto nested = Control(NodeType::kIf, "if");
        if (failed_) return nullptr;
        n->else_list->nodes.push_back(std::move(nested));
      } else if (type == NodeType::kWith && Peek().typ == Item::kWith) {
        Next();
        n->else_list = New(NodeType::kList, next->pos);
        auto nested = Control(NodeType::kWith, "with");
        if (failed_) return nullptr;
        n->else_list->nodes.push_back(std::move(nested));
      } else {
        std::unique_ptr<Node> end;
        n->else_list = ItemList(&end);
        if (failed_) return nullptr;
        if (end->type != NodeType::kEnd)
          return Errorf("expected end; found " + NodeString(end.get()));
      }
    }
    vars_.resize(nvars);
    return n;
  }

  std::unique_ptr<Node> EndControl() {
    Token tok;
    if (!Expect(Item::kRightDelim, "end", &tok)) return nullptr;
    return New(NodeType::kEnd, tok.pos);
  }

  std::unique_ptr<Node> ElseControl() {
    const Token& peek = PeekNonSpace();
    if (peek.typ == Item::kIf || peek.typ == Item::kWith) return New(NodeType::kElse, peek.pos);
    Token tok;
    if (!Expect(Item::kRightDelim, "else", &tok)) return nullptr;
    return New(NodeType::kElse, tok.pos);
  }

  bool TemplateName(const Token& tok, std::string_view context, std::string* name) {
    if (tok.typ != Item::kString && tok.typ != Item::kRawString) {
      Unexpected(tok, context);
      return false;
    }
    if (!GoUnquote(tok.val, name)) {
      Errorf("invalid syntax");
      return false;
    }
    return true;
  }

  std::unique_ptr<Node> BlockControl() {
    constexpr std::string_view kContext = "block clause";
    const Token tok = NextNonSpace();
    auto n = New(NodeType::kTemplate, tok.pos);
    if (!TemplateName(tok, kContext, &n->text)) return nullptr;
    n->pipe = Pipeline(kContext, Item::kRightDelim);
    if (failed_) return nullptr;
    auto body = ParseNestedBody(kContext);
    if (failed_) return nullptr;
    AddDef(n->text, std::move(body));
    if (failed_) return nullptr;
    return n;
  }

  std::unique_ptr<Node> TemplateControl() {
    constexpr std::string_view kContext = "template clause";
    const Token tok = NextNonSpace();
    auto n = New(NodeType::kTemplate, tok.pos);
    if (!TemplateName(tok, kContext, &n->text)) return nullptr;
    if (NextNonSpace().typ != Item::kRightDelim) {
      Backup();
      n->pipe = Pipeline(kContext, Item::kRightDelim);
      if (failed_) return nullptr;
    }
    return n;
  }

  std::unique_ptr<Node> Command() {
    auto cmd = New(NodeType::kCommand, PeekNonSpace().pos);
    for (;;) {
      PeekNonSpace();
      auto operand = Operand();
      if (failed_) return nullptr;
      if (operand) cmd->nodes.push_back(std::move(operand));
      const Token& tok = Next();
      if (tok.typ == Item::kSpace) continue;
      if (tok.typ == Item::kRightDelim || tok.typ == Item::kRightParen) {
        Backup();
      } else if (tok.typ != Item::kPipe) {
        return Unexpected(tok, "operand");
      }
      break;
    }
    if (cmd->nodes.empty()) return Errorf("empty command");
    PrecompileRegex(cmd.get());
    return cmd;
  }

  static void PrecompileRegex(Node* cmd) {
    if (cmd->nodes.size() < 2) return;
    const Node* fn = cmd->nodes[0].get();
    if (fn->type != NodeType::kIdentifier || !(fn->func->flags & kFuncRegexArg0)) return;
    const Node* arg = cmd->nodes[1].get();
    if (arg->type != NodeType::kString) return;
    RE2::Options opt;
    opt.set_log_errors(false);
    auto re = std::make_unique<RE2>(arg->text, opt);
    if (re->ok()) cmd->re = std::move(re);
  }

  std::unique_ptr<Node> Operand() {
    auto node = Term();
    if (failed_ || !node) return node;
    if (Peek().typ == Item::kField) {
      auto chain = New(NodeType::kChain, Peek().pos);
      while (Peek().typ == Item::kField) chain->idents.emplace_back(Next().val.substr(1));
      switch (node->type) {
        case NodeType::kField:
        case NodeType::kVariable: {
          for (auto& id : chain->idents) node->idents.push_back(std::move(id));
          node->pos = chain->pos;
          return node;
        }
        case NodeType::kBool:
        case NodeType::kString:
        case NodeType::kNumber:
        case NodeType::kNil:
        case NodeType::kDot: {
          std::string q;
          AppendQuote(&q, NodeString(node.get()), false);
          return Errorf("unexpected . after term " + q);
        }
        default:
          chain->chain_node = std::move(node);
          return chain;
      }
    }
    return node;
  }

  std::unique_ptr<Node> NewVariable(int pos, std::string_view name) {
    auto n = New(NodeType::kVariable, pos);
    SplitIdents(name, &n->idents);
    return n;
  }

  static void SplitIdents(std::string_view s, std::vector<std::string>* out) {
    size_t start = 0;
    for (;;) {
      size_t dot = s.find('.', start);
      out->emplace_back(
          s.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start));
      if (dot == std::string_view::npos) return;
      start = dot + 1;
    }
  }

  std::unique_ptr<Node> Term() {
    const Token tok = NextNonSpace();
    switch (tok.typ) {
      case Item::kIdentifier: {
        const FuncDef* f = FindFunc(tok.val);
        if (f == nullptr && t_->prometheus_) f = FindPromFunc(tok.val);
        if (f == nullptr) {
          std::string q;
          AppendQuote(&q, tok.val, false);
          return Errorf("function " + q + " not defined");
        }
        auto n = New(NodeType::kIdentifier, tok.pos);
        n->text = std::string(tok.val);
        n->func = f;
        return n;
      }
      case Item::kDot:
        return New(NodeType::kDot, tok.pos);
      case Item::kNil:
        return New(NodeType::kNil, tok.pos);
      case Item::kVariable: {
        auto n = NewVariable(tok.pos, tok.val);
        for (const auto& v : vars_) {
          if (v == n->idents[0]) return n;
        }
        std::string q;
        AppendQuote(&q, n->idents[0], false);
        return Errorf("undefined variable " + q);
      }
      case Item::kField: {
        auto n = New(NodeType::kField, tok.pos);
        SplitIdents(tok.val.substr(1), &n->idents);
        return n;
      }
      case Item::kBool: {
        auto n = New(NodeType::kBool, tok.pos);
        n->boolean = tok.val == "true";
        return n;
      }
      case Item::kCharConstant:
      case Item::kComplex:
      case Item::kNumber:
        return NewNumber(tok);
      case Item::kLeftParen: {
        if (stack_depth_ >= kMaxStackDepth) return Errorf("max expression depth exceeded");
        stack_depth_++;
        auto p = Pipeline("parenthesized pipeline", Item::kRightParen);
        stack_depth_--;
        return p;
      }
      case Item::kString:
      case Item::kRawString: {
        auto n = New(NodeType::kString, tok.pos);
        if (!GoUnquote(tok.val, &n->text)) return Errorf("invalid syntax");
        n->quoted = std::string(tok.val);
        return n;
      }
      default:
        Backup();
        return nullptr;
    }
  }

  // Go's parse.newNumber (complex constants are not supported).
  std::unique_ptr<Node> NewNumber(const Token& tok) {
    auto n = New(NodeType::kNumber, tok.pos);
    std::string_view text = tok.val;
    n->text = std::string(text);
    if (tok.typ == Item::kCharConstant) {
      int32_t r;
      bool malformed;
      if (!GoUnquoteChar(text, &r, &malformed)) {
        return Errorf(malformed ? "malformed character constant: " + std::string(text)
                                : "invalid syntax");
      }
      n->i64 = r;
      n->u64 = static_cast<uint64_t>(r);
      n->f64 = r;
      n->is_int = n->is_uint = n->is_float = true;
      return n;
    }
    if (tok.typ == Item::kComplex || (!text.empty() && text.back() == 'i')) {
      return Errorf("complex numbers are not supported: " + std::string(text));
    }
    uint64_t u;
    if (GoParseUint(text, 0, &u)) {
      n->is_uint = true;
      n->u64 = u;
    }
    int64_t i;
    bool range_err;
    if (GoParseInt(text, 0, &i, &range_err)) {
      n->is_int = true;
      n->i64 = i;
      if (i == 0) {
        n->is_uint = true;
        n->u64 = 0;
      }
    }
    if (n->is_int) {
      n->is_float = true;
      n->f64 = static_cast<double>(n->i64);
    } else if (n->is_uint) {
      n->is_float = true;
      n->f64 = static_cast<double>(n->u64);
    } else {
      double f;
      if (ParseGoFloat(text, &f, &range_err)) {
        if (text.find_first_of(".eEpP") == std::string_view::npos) {
          std::string q;
          AppendQuote(&q, text, false);
          return Errorf("integer overflow: " + q);
        }
        n->is_float = true;
        n->f64 = f;
        if (std::isfinite(f) && f >= -9223372036854775808.0 && f < 9223372036854775808.0 &&
            static_cast<double>(static_cast<int64_t>(f)) == f) {
          n->is_int = true;
          n->i64 = static_cast<int64_t>(f);
        }
        if (std::isfinite(f) && f >= 0 && f < 18446744073709551616.0 &&
            static_cast<double>(static_cast<uint64_t>(f)) == f) {
          n->is_uint = true;
          n->u64 = static_cast<uint64_t>(f);
        }
      }
    }
    if (!n->is_int && !n->is_uint && !n->is_float) {
      std::string q;
      AppendQuote(&q, text, false);
      return Errorf("illegal number syntax: " + q);
    }
    return n;
  }

  TemplateImpl* t_;
  std::vector<Token> toks_;
  std::string lex_msg_;
  size_t idx_ = 0;
  size_t hw_ = 0;
  std::vector<std::string> vars_;
  int action_line_ = 0;
  int range_depth_ = 0;
  int stack_depth_ = 0;
  bool failed_ = false;
  std::string err_;
};

}  // namespace

Status ParseTemplate(TemplateImpl* t) {
  Parser p(t);
  return p.Run();
}

}  // namespace lode::logql::tmpl
