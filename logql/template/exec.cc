// Executor of a parsed template: a port of Go's text/template/exec.go with
// the option missingkey=zero (what Loki uses), over the Value model of
// template_internal.h. Errors carry Go's text:
//   template: line:1:9: executing "line" at <now>: wrong number of args ...
// A template of text and plain `{{.label}}` actions runs without allocating.

#include <algorithm>

#include "logql/template/tree.h"

namespace lode::logql::tmpl {
namespace {

// Go allows 100000 nested {{template}} calls; the C++ stack does not grow.
constexpr int kMaxTemplateDepth = 200;

// The arguments of a command as Go passes them: args[0] is the function or
// field itself. `n` may exceed what `p` holds when only the count matters.
struct Args {
  const std::unique_ptr<Node>* p = nullptr;
  size_t n = 0;
  const Node* at(size_t i) const { return p[i].get(); }
};

Args CmdArgs(const Node* cmd) { return Args{cmd->nodes.data(), cmd->nodes.size()}; }

class ArgBuf {
 public:
  void push_back(const Value& v) {
    if (n_ < kInline) {
      inline_[n_] = v;
    } else {
      if (n_ == kInline) heap_.assign(inline_, inline_ + kInline);
      heap_.push_back(v);
    }
    n_++;
  }
  const Value* data() const { return n_ <= kInline ? inline_ : heap_.data(); }
  size_t size() const { return n_; }

 private:
  static constexpr size_t kInline = 8;
  Value inline_[kInline];
  std::vector<Value> heap_;
  size_t n_ = 0;
};

std::string_view PTName(PT t) {
  switch (t) {
    case PT::kString:
      return "string";
    case PT::kInt:
      return "int";
    case PT::kFloat:
      return "float64";
    case PT::kTime:
      return "time.Time";
    case PT::kBool:
      return "bool";
    case PT::kAny:
      break;
  }
  return "interface {}";
}

enum class Ctl { kNone, kBreak, kContinue };

class Exec {
 public:
  Exec(const TemplateImpl& t, const TemplateContext& ctx, std::string* out) : t_(t), out_(out) {
    env_.ctx = &ctx;
    env_.arena = &arena_;
    root_ = Value::Labels(ctx.n_labels);
    exec_name_ = t.name_;
  }

  Status Run() {
    if (!Walk(root_, t_.root_.get())) return Status::InvalidArgument(err_);
    return Status::OK();
  }

 private:
  bool Errorf(std::string_view msg) {
    std::string name;
    AppendQuote(&name, exec_name_, false);
    if (at_ == nullptr) {
      err_ = "template: " + t_.name_ + ": " + std::string(msg);
      return false;
    }
    size_t pos = std::min<size_t>(static_cast<size_t>(at_->pos), t_.source_.size());
    std::string_view text = std::string_view(t_.source_).substr(0, pos);
    size_t nl = text.rfind('\n');
    size_t col = nl == std::string_view::npos ? pos : pos - (nl + 1);
    size_t line = 1 + static_cast<size_t>(std::count(text.begin(), text.end(), '\n'));
    err_ = "template: " + t_.name_ + ":" + std::to_string(line) + ":" + std::to_string(col) +
           ": executing " + name + " at <" + NodeString(at_) + ">: " + std::string(msg);
    return false;
  }

  // ---- variables ----
  bool VarValue(const std::string& name, Value* out) {
    for (size_t i = vars_.size(); i-- > 0;) {
      if (vars_[i].first == name) {
        *out = vars_[i].second;
        return true;
      }
    }
    if (name == "$") {
      *out = root_;
      return true;
    }
    return Errorf("undefined variable: " + name);
  }
  bool SetVar(const std::string& name, const Value& v) {
    for (size_t i = vars_.size(); i-- > 0;) {
      if (vars_[i].first == name) {
        vars_[i].second = v;
        return true;
      }
    }
    if (name == "$") {
      root_ = v;
      return true;
    }
    return Errorf("undefined variable: " + name);
  }

  // ---- walk ----
  bool Walk(const Value& dot, const Node* n) {
    at_ = n;
    switch (n->type) {
      case NodeType::kText:
        out_->append(n->text);
        return true;
      case NodeType::kAction: {
        if (n->simple_field && dot.kind == Kind::kLabels) {
          if (const std::string_view* v = env_.FindLabel(n->text)) out_->append(*v);
          return true;
        }
        Value v;
        if (!EvalPipeline(dot, n->pipe.get(), &v)) return false;
        if (n->pipe->decl.empty()) {
          at_ = n;
          if (v.kind == Kind::kInvalid) {
            out_->append("<no value>");
          } else {
            AppendValue(env_, v, out_);
          }
        }
        return true;
      }
      case NodeType::kList:
        for (const auto& c : n->nodes) {
          if (!Walk(dot, c.get())) return false;
          if (ctl_ != Ctl::kNone) return true;
        }
        return true;
      case NodeType::kIf:
      case NodeType::kWith:
        return WalkIfOrWith(dot, n);
      case NodeType::kRange:
        return WalkRange(dot, n);
      case NodeType::kBreak:
        ctl_ = Ctl::kBreak;
        return true;
      case NodeType::kContinue:
        ctl_ = Ctl::kContinue;
        return true;
      case NodeType::kTemplate:
        return WalkTemplate(dot, n);
      default:
        return Errorf("unknown node: " + NodeString(n));
    }
  }

  bool WalkIfOrWith(const Value& dot, const Node* n) {
    size_t mark = vars_.size();
    Value val;
    bool ok = EvalPipeline(dot, n->pipe.get(), &val);
    if (ok) {
      if (Truth(val)) {
        ok = Walk(n->type == NodeType::kWith ? val : dot, n->list.get());
      } else if (n->else_list) {
        ok = Walk(dot, n->else_list.get());
      }
    }
    vars_.resize(mark);
    return ok;
  }

  // One iteration of a range body; false on error. Sets *stop on break.
  bool Iterate(const Node* r, size_t mark, const Value& index, const Value& elem, bool* stop) {
    const Node* p = r->pipe.get();
    if (!p->decl.empty()) {
      if (p->is_assign) {
        if (!SetVar(p->decl[0]->idents[0], p->decl.size() > 1 ? index : elem)) return false;
      } else {
        vars_[vars_.size() - 1].second = elem;
      }
    }
    if (p->decl.size() > 1) {
      if (p->is_assign) {
        if (!SetVar(p->decl[1]->idents[0], elem)) return false;
      } else {
        vars_[vars_.size() - 2].second = index;
      }
    }
    bool ok = Walk(elem, r->list.get());
    vars_.resize(mark);
    if (ctl_ == Ctl::kBreak) *stop = true;
    ctl_ = Ctl::kNone;
    return ok;
  }

  bool WalkRange(const Value& dot, const Node* r) {
    at_ = r;
    size_t mark0 = vars_.size();
    Value val;
    if (!EvalPipeline(dot, r->pipe.get(), &val)) return false;
    size_t mark = vars_.size();
    bool stop = false;
    bool ran = false;
    bool ok = true;
    switch (val.kind) {
      case Kind::kList: {
        const auto& items = val.list()->items;
        for (size_t i = 0; ok && !stop && i < items.size(); i++) {
          ran = true;
          ok = Iterate(r, mark, Value::Int(static_cast<int64_t>(i)), items[i], &stop);
        }
        break;
      }
      case Kind::kMap: {
        const auto& items = val.map()->items;
        for (size_t i = 0; ok && !stop && i < items.size(); i++) {
          ran = true;
          ok = Iterate(r, mark, Value::Str(items[i].first), items[i].second, &stop);
        }
        break;
      }
      case Kind::kLabels: {
        const TemplateContext* ctx = env_.ctx;
        for (size_t i = 0; ok && !stop && i < ctx->n_labels; i++) {
          ran = true;
          ok = Iterate(r, mark, Value::Str(ctx->labels[i].name), Value::Str(ctx->labels[i].value),
                       &stop);
        }
        break;
      }
      case Kind::kInt: {
        if (r->pipe->decl.size() > 1) {
          std::string s;
          AppendValue(env_, val, &s);
          return Errorf("can't use " + s + " to iterate over more than one variable");
        }
        for (int64_t i = 0; ok && !stop && i < val.i; i++) {
          ran = true;
          ok = Iterate(r, mark, Value(), Value::Int(i, val.itype), &stop);
        }
        break;
      }
      case Kind::kInvalid:
      case Kind::kNil:
        break;
      default: {
        std::string s;
        AppendValue(env_, val, &s);
        return Errorf("range can't iterate over " + s);
      }
    }
    if (ok && !ran && r->else_list) ok = Walk(dot, r->else_list.get());
    vars_.resize(mark0);
    return ok;
  }

  bool WalkTemplate(const Value& dot, const Node* n) {
    at_ = n;
    const Node* body = t_.FindDef(n->text);
    if (body == nullptr) {
      std::string q;
      AppendQuote(&q, n->text, false);
      return Errorf("template " + q + " not defined");
    }
    if (depth_ >= kMaxTemplateDepth) {
      return Errorf("exceeded maximum template depth (" + std::to_string(kMaxTemplateDepth) + ")");
    }
    Value new_dot;
    if (n->pipe && !EvalPipeline(dot, n->pipe.get(), &new_dot)) return false;
    auto saved_vars = std::move(vars_);
    Value saved_root = root_;
    std::string_view saved_name = exec_name_;
    vars_.clear();
    root_ = new_dot;
    exec_name_ = n->text;
    depth_++;
    bool ok = Walk(new_dot, body);
    depth_--;
    vars_ = std::move(saved_vars);
    root_ = saved_root;
    exec_name_ = saved_name;
    return ok;
  }

  // ---- evaluation ----
  bool EvalPipeline(const Value& dot, const Node* pipe, Value* out) {
    at_ = pipe;
    Value value;
    bool has = false;
    for (const auto& cmd : pipe->nodes) {
      Value next;
      if (!EvalCommand(dot, cmd.get(), has ? &value : nullptr, &next)) return false;
      value = next;
      has = true;
      if (value.kind == Kind::kNil) value = Value();  // dig into interface{}
    }
    for (const auto& var : pipe->decl) {
      if (pipe->is_assign) {
        if (!SetVar(var->idents[0], value)) return false;
      } else {
        vars_.emplace_back(var->idents[0], value);
      }
    }
    *out = value;
    return true;
  }

  bool NotAFunction(Args args, const Value* final) {
    if (args.n > 1 || final != nullptr) {
      return Errorf("can't give argument to non-function " + NodeString(args.at(0)));
    }
    return true;
  }

  bool EvalCommand(const Value& dot, const Node* cmd, const Value* final, Value* out) {
    const Node* first = cmd->nodes[0].get();
    Args args = CmdArgs(cmd);
    switch (first->type) {
      case NodeType::kField:
        return EvalFieldNode(dot, first, args, final, out);
      case NodeType::kChain:
        return EvalChainNode(dot, first, args, final, out);
      case NodeType::kIdentifier:
        return EvalFunction(dot, first, cmd, args, final, out);
      case NodeType::kPipe:
        if (!NotAFunction(args, final)) return false;
        return EvalPipeline(dot, first, out);
      case NodeType::kVariable:
        return EvalVariableNode(dot, first, args, final, out);
      default:
        break;
    }
    at_ = first;
    if (!NotAFunction(args, final)) return false;
    switch (first->type) {
      case NodeType::kBool:
        *out = Value::Bool(first->boolean);
        return true;
      case NodeType::kDot:
        *out = dot;
        return true;
      case NodeType::kNil:
        return Errorf("nil is not a command");
      case NodeType::kNumber:
        return IdealConstant(first, out);
      case NodeType::kString:
        *out = Value::Str(first->text);
        return true;
      default:
        break;
    }
    return Errorf("can't evaluate command " + NodeString(first));
  }

  bool IdealConstant(const Node* n, Value* out) {
    at_ = n;
    std::string_view text = n->text;
    bool hex_int = text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X') &&
                   text.find_first_of("pP") == std::string_view::npos;
    bool rune_int = !text.empty() && text[0] == '\'';
    if (n->is_float && !hex_int && !rune_int &&
        text.find_first_of(".eEpP") != std::string_view::npos) {
      *out = Value::Float(n->f64);
      return true;
    }
    if (n->is_int) {
      *out = Value::Int(n->i64);
      return true;
    }
    if (n->is_uint) return Errorf(std::string(text) + " overflows int");
    *out = Value();
    return true;
  }

  bool EvalFieldNode(const Value& dot, const Node* field, Args args, const Value* final,
                     Value* out) {
    at_ = field;
    return EvalFieldChain(dot, dot, field, field->idents.data(), field->idents.size(), args, final,
                          out);
  }

  bool EvalChainNode(const Value& dot, const Node* chain, Args args, const Value* final,
                     Value* out) {
    at_ = chain;
    if (chain->chain_node->type == NodeType::kNil) {
      return Errorf("indirection through explicit nil in " + NodeString(chain));
    }
    Value pipe;
    if (!EvalArgUntyped(dot, chain->chain_node.get(), &pipe)) return false;
    return EvalFieldChain(dot, pipe, chain, chain->idents.data(), chain->idents.size(), args, final,
                          out);
  }

  bool EvalVariableNode(const Value& dot, const Node* var, Args args, const Value* final,
                        Value* out) {
    at_ = var;
    Value value;
    if (!VarValue(var->idents[0], &value)) return false;
    if (var->idents.size() == 1) {
      if (!NotAFunction(args, final)) return false;
      *out = value;
      return true;
    }
    return EvalFieldChain(dot, value, var, var->idents.data() + 1, var->idents.size() - 1, args,
                          final, out);
  }

  bool EvalFieldChain(const Value& dot, Value receiver, const Node* node, const std::string* ident,
                      size_t n, Args args, const Value* final, Value* out) {
    for (size_t i = 0; i + 1 < n; i++) {
      if (!EvalField(dot, ident[i], node, Args{}, nullptr, receiver, &receiver)) return false;
    }
    return EvalField(dot, ident[n - 1], node, args, final, receiver, out);
  }

  bool EvalField(const Value& dot, const std::string& name, const Node* node, Args args,
                 const Value* final, const Value& receiver, Value* out) {
    if (receiver.kind == Kind::kInvalid) {
      *out = Value();
      return true;
    }
    if (receiver.kind == Kind::kNil) return Errorf("nil pointer evaluating interface {}." + name);
    if (receiver.kind == Kind::kTime) {
      if (const FuncDef* m = FindTimeMethod(name)) {
        return EvalCall(dot, m, node, name, args, final, &receiver, nullptr, out);
      }
    }
    bool has_args = args.n > 1 || final != nullptr;
    if (receiver.kind == Kind::kLabels) {
      if (has_args) return Errorf(name + " is not a method but has arguments");
      const std::string_view* v = env_.FindLabel(name);
      *out = Value::Str(v ? *v : std::string_view());
      return true;
    }
    if (receiver.kind == Kind::kMap) {
      if (has_args) return Errorf(name + " is not a method but has arguments");
      const Value* v = receiver.map()->Find(name);
      *out = v ? *v : Value::Nil();
      return true;
    }
    return Errorf("can't evaluate field " + name + " in type " + std::string(TypeName(receiver)));
  }

  bool EvalFunction(const Value& dot, const Node* ident, const Node* cmd, Args args,
                    const Value* final, Value* out) {
    at_ = ident;
    const re2::RE2* re = cmd->type == NodeType::kCommand ? cmd->re.get() : nullptr;
    return EvalCall(dot, ident->func, cmd, ident->text, args, final, nullptr, re, out);
  }

  bool EvalCall(const Value& dot, const FuncDef* fn, const Node* node, const std::string& name,
                Args args, const Value* final, const Value* receiver, const re2::RE2* re,
                Value* out) {
    size_t nargs = args.n > 0 ? args.n - 1 : 0;
    size_t num_in = nargs + (final ? 1 : 0);
    size_t nparams = static_cast<size_t>(fn->nparams);
    size_t num_fixed = nargs;
    if (fn->variadic) {
      num_fixed = nparams - 1;
      if (num_in < num_fixed) {
        return Errorf("wrong number of args for " + name + ": want at least " +
                      std::to_string(num_fixed) + " got " + std::to_string(nargs));
      }
    } else if (num_in != nparams) {
      return Errorf("wrong number of args for " + name + ": want " + std::to_string(nparams) +
                    " got " + std::to_string(num_in));
    }
    if (fn->flags & (kFuncAnd | kFuncOr)) {
      bool is_or = fn->flags & kFuncOr;
      Value v;
      for (size_t i = 1; i < args.n; i++) {
        if (!EvalArg(dot, PT::kAny, args.at(i), &v)) return false;
        if (Truth(v) == is_or) {
          *out = v;
          return true;
        }
      }
      if (final) v = *final;
      *out = v;
      return true;
    }
    ArgBuf argv;
    if (receiver) argv.push_back(*receiver);
    size_t i = 0;
    for (; i < num_fixed && i < nargs; i++) {
      Value v;
      if (!EvalArg(dot, fn->params[i], args.at(i + 1), &v)) return false;
      argv.push_back(v);
    }
    if (fn->variadic) {
      for (; i < nargs; i++) {
        Value v;
        if (!EvalArg(dot, fn->params[nparams - 1], args.at(i + 1), &v)) return false;
        argv.push_back(v);
      }
    }
    if (final) {
      PT t = fn->params[nparams - 1];
      if (fn->variadic && num_in - 1 < num_fixed) t = fn->params[num_in - 1];
      Value v;
      if (!ValidateType(*final, t, &v)) return false;
      argv.push_back(v);
    }
    Call c;
    c.env = &env_;
    c.args = argv.data();
    c.n = argv.size();
    c.re = re;
    bool ok;
    if (fn->flags & kFuncCall) {
      const Value& f = c.args[0];
      ok = c.Fail(f.IsNilish() ? std::string("call of nil")
                               : "non-function " + NodeString(args.at(1)) + " of type " +
                                     std::string(TypeName(f)));
    } else {
      ok = fn->impl(c);
    }
    if (!ok) {
      at_ = node;
      return Errorf("error calling " + name + ": " + c.err);
    }
    *out = c.out;
    return true;
  }

  bool ValidateType(const Value& v, PT typ, Value* out) {
    if (typ == PT::kAny) {
      *out = v;
      return true;
    }
    if (v.kind == Kind::kInvalid)
      return Errorf("invalid value; expected " + std::string(PTName(typ)));
    bool ok = false;
    switch (typ) {
      case PT::kString:
        ok = v.kind == Kind::kString;
        break;
      case PT::kInt:
        ok = v.kind == Kind::kInt && v.itype == IntType::kInt;
        break;
      case PT::kFloat:
        ok = v.kind == Kind::kFloat;
        break;
      case PT::kTime:
        ok = v.kind == Kind::kTime;
        break;
      case PT::kBool:
        ok = v.kind == Kind::kBool;
        break;
      case PT::kAny:
        break;
    }
    if (!ok) {
      std::string_view got = v.kind == Kind::kNil ? std::string_view("interface {}") : TypeName(v);
      return Errorf("wrong type for value; expected " + std::string(PTName(typ)) + "; got " +
                    std::string(got));
    }
    *out = v;
    return true;
  }

  // evalArg with a nil type: the value as it is (chain receivers).
  bool EvalArgUntyped(const Value& dot, const Node* n, Value* out) {
    at_ = n;
    switch (n->type) {
      case NodeType::kDot:
        *out = dot;
        return true;
      case NodeType::kField:
        return EvalFieldNode(dot, n, Args{nullptr, 1}, nullptr, out);
      case NodeType::kVariable:
        return EvalVariableNode(dot, n, Args{}, nullptr, out);
      case NodeType::kPipe:
        return EvalPipeline(dot, n, out);
      case NodeType::kIdentifier:
        return EvalFunction(dot, n, n, Args{}, nullptr, out);
      case NodeType::kChain:
        return EvalChainNode(dot, n, Args{}, nullptr, out);
      default:
        return EvalArg(dot, PT::kAny, n, out);
    }
  }

  bool EvalArg(const Value& dot, PT typ, const Node* n, Value* out) {
    at_ = n;
    Value v;
    switch (n->type) {
      case NodeType::kDot:
        return ValidateType(dot, typ, out);
      case NodeType::kNil:
        if (typ == PT::kAny) {
          *out = Value();
          return true;
        }
        return Errorf("cannot assign nil to " + std::string(PTName(typ)));
      case NodeType::kField:
        if (!EvalFieldNode(dot, n, Args{nullptr, 1}, nullptr, &v)) return false;
        return ValidateType(v, typ, out);
      case NodeType::kVariable:
        if (!EvalVariableNode(dot, n, Args{}, nullptr, &v)) return false;
        return ValidateType(v, typ, out);
      case NodeType::kPipe:
        if (!EvalPipeline(dot, n, &v)) return false;
        return ValidateType(v, typ, out);
      case NodeType::kIdentifier:
        if (!EvalFunction(dot, n, n, Args{}, nullptr, &v)) return false;
        return ValidateType(v, typ, out);
      case NodeType::kChain:
        if (!EvalChainNode(dot, n, Args{}, nullptr, &v)) return false;
        return ValidateType(v, typ, out);
      default:
        break;
    }
    switch (typ) {
      case PT::kBool:
        if (n->type == NodeType::kBool) {
          *out = Value::Bool(n->boolean);
          return true;
        }
        return Errorf("expected bool; found " + NodeString(n));
      case PT::kFloat:
        if (n->type == NodeType::kNumber && n->is_float) {
          *out = Value::Float(n->f64);
          return true;
        }
        return Errorf("expected float; found " + NodeString(n));
      case PT::kInt:
        if (n->type == NodeType::kNumber && n->is_int) {
          *out = Value::Int(n->i64);
          return true;
        }
        return Errorf("expected integer; found " + NodeString(n));
      case PT::kString:
        if (n->type == NodeType::kString) {
          *out = Value::Str(n->text);
          return true;
        }
        return Errorf("expected string; found " + NodeString(n));
      case PT::kTime:
        return Errorf("can't handle " + NodeString(n) + " for arg of type time.Time");
      case PT::kAny:
        break;
    }
    switch (n->type) {
      case NodeType::kBool:
        *out = Value::Bool(n->boolean);
        return true;
      case NodeType::kNumber:
        return IdealConstant(n, out);
      case NodeType::kString:
        *out = Value::Str(n->text);
        return true;
      default:
        break;
    }
    return Errorf("can't handle assignment of " + NodeString(n) + " to empty interface argument");
  }

  const TemplateImpl& t_;
  std::string* out_;
  Env env_;
  Arena arena_;
  Value root_;
  std::vector<std::pair<std::string_view, Value>> vars_;
  const Node* at_ = nullptr;
  Ctl ctl_ = Ctl::kNone;
  int depth_ = 0;
  // The template being executed (Go names errors after it: `executing "T"`).
  std::string_view exec_name_;
  std::string err_;
};

}  // namespace

Status ExecuteTemplate(const TemplateImpl& t, const TemplateContext& ctx, std::string* out) {
  Exec e(t, ctx, out);
  return e.Run();
}

}  // namespace lode::logql::tmpl
