// Parse tree of a template (mirrors Go's text/template/parse nodes), the
// lexer's tokens, and the compiled template. Internal to template_*.cc.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "logql/template/internal.h"
#include "logql/template/template.h"

namespace lode::logql::tmpl {

// ---- lexer (template_lex.cc) -------------------------------------------------

enum class Item : uint8_t {
  kError,
  kBool,
  kChar,
  kCharConstant,
  kComplex,
  kAssign,
  kDeclare,
  kEOF,
  kField,
  kIdentifier,
  kLeftDelim,
  kLeftParen,
  kNumber,
  kPipe,
  kRawString,
  kRightDelim,
  kRightParen,
  kSpace,
  kString,
  kText,
  kVariable,
  kKeyword,  // marks the start of keywords
  kBlock,
  kBreak,
  kContinue,
  kDot,
  kDefine,
  kElse,
  kEnd,
  kIf,
  kNil,
  kRange,
  kTemplate,
  kWith,
};

struct Token {
  Item typ = Item::kEOF;
  int pos = 0;
  int line = 1;
  std::string_view val;  // for kError: the message (points into Lexer::errors)
};

// Splits the whole source into tokens, ending with kEOF or a kError token.
// `msg` stores the error text so a token can point at it.
void Lex(std::string_view src, std::vector<Token>* out, std::string* msg);
// Go's item.String(): EOF, <keyword>, "text" (quoted, cut at 10 runes).
std::string TokenString(const Token& t);

// ---- parse tree ---------------------------------------------------------------

enum class NodeType : uint8_t {
  kList,
  kText,
  kAction,
  kIf,
  kRange,
  kWith,
  kBreak,
  kContinue,
  kTemplate,
  kPipe,
  kCommand,
  kField,
  kChain,
  kIdentifier,
  kVariable,
  kDot,
  kNil,
  kBool,
  kNumber,
  kString,
  kElse,  // transient, only during parsing
  kEnd,   // transient, only during parsing
};

struct Node {
  // Out of line: members include a unique_ptr to the incomplete re2::RE2.
  Node(NodeType t, int p);
  ~Node();
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;

  NodeType type;
  int pos;  // byte offset in the source, for error context
  // kText: text; kString: unquoted value; kNumber: literal text;
  // kIdentifier: name; kTemplate: template name.
  std::string text;
  std::string quoted;               // kString: as written
  std::vector<std::string> idents;  // kField/kVariable/kChain: names
  // kList: items; kPipe: commands; kCommand: arguments.
  std::vector<std::unique_ptr<Node>> nodes;
  std::vector<std::unique_ptr<Node>> decl;  // kPipe: declared variables
  bool is_assign = false;                   // kPipe: `=` rather than `:=`
  std::unique_ptr<Node> pipe;               // kAction/kIf/kRange/kWith/kTemplate
  std::unique_ptr<Node> list;               // kIf/kRange/kWith
  std::unique_ptr<Node> else_list;          // kIf/kRange/kWith
  std::unique_ptr<Node> chain_node;         // kChain: the term before the fields
  // kNumber
  bool is_int = false, is_uint = false, is_float = false;
  int64_t i64 = 0;
  uint64_t u64 = 0;
  double f64 = 0;
  bool boolean = false;           // kBool
  const FuncDef* func = nullptr;  // kIdentifier
  // kCommand: the first argument of a regex function compiled at parse time
  // (only when it is a string literal that compiles).
  std::unique_ptr<re2::RE2> re;
  // kAction: a single `.label` with no arguments (label name in `text`);
  // executed without the general evaluator.
  bool simple_field = false;
};

// Go's Node.String(), used in error messages.
std::string NodeString(const Node* n);

// ---- compiled template (template.cc) --------------------------------------

class TemplateImpl : public Template {
 public:
  Status Execute(const TemplateContext& ctx, std::string* out) const override;
  bool IsConstant() const override { return constant_; }

  std::string name_;
  std::string source_;
  std::unique_ptr<Node> root_;
  // {{define}} and {{block}} templates.
  std::vector<std::pair<std::string, std::unique_ptr<Node>>> defs_;
  bool constant_ = false;
  bool simple_ = false;      // only text and `{{.label}}` actions
  bool prometheus_ = false;  // CompilePrometheus: Prometheus's functions too

  const Node* FindDef(std::string_view name) const;
};

// template_parse.cc: fills t->root_ and t->defs_ from t->source_.
Status ParseTemplate(TemplateImpl* t);

// template_exec.cc: runs the tree; on error returns the Go error text.
Status ExecuteTemplate(const TemplateImpl& t, const TemplateContext& ctx, std::string* out);

}  // namespace lode::logql::tmpl
