// Template::Compile and the small shared pieces of the engine: the function
// registry, label lookup, the per-execution arena and Go's Node.String().

#include "logql/template/template.h"

#include "logql/template/tree.h"

namespace lode::logql {

using tmpl::Node;
using tmpl::NodeType;

Status Template::Compile(std::string_view source, std::unique_ptr<Template>* out) {
  return Compile(source, "line", out);
}

Status Template::CompilePrometheus(std::string_view source, std::string_view name,
                                   std::unique_ptr<Template>* out) {
  // Prometheus defines $labels and $value with a prelude of the same kind.
  std::string text = "{{$labels := .}}{{$value := __value__}}" + std::string(source);
  return CompileImpl(text, name, true, out);
}

Status Template::Compile(std::string_view source, std::string_view name,
                         std::unique_ptr<Template>* out) {
  return CompileImpl(source, name, false, out);
}

Status Template::CompileImpl(std::string_view source, std::string_view name, bool prometheus,
                             std::unique_ptr<Template>* out) {
  auto t = std::make_unique<tmpl::TemplateImpl>();
  t->name_ = std::string(name);
  t->source_ = std::string(source);
  t->prometheus_ = prometheus;
  LODE_RETURN_IF_ERROR(tmpl::ParseTemplate(t.get()));
  bool constant = t->defs_.empty();
  bool simple = t->defs_.empty();
  for (const auto& n : t->root_->nodes) {
    if (n->type != NodeType::kText) constant = false;
    if (n->type != NodeType::kText && !(n->type == NodeType::kAction && n->simple_field))
      simple = false;
  }
  t->constant_ = constant;
  t->simple_ = simple;
  *out = std::move(t);
  return Status::OK();
}

namespace tmpl {

Status TemplateImpl::Execute(const TemplateContext& ctx, std::string* out) const {
  if (simple_) {
    // Text and `{{.label}}` only: no evaluator needed.
    Env env;
    env.ctx = &ctx;
    for (const auto& n : root_->nodes) {
      if (n->type == NodeType::kText) {
        out->append(n->text);
      } else if (const std::string_view* v = env.FindLabel(n->text)) {
        out->append(*v);
      }
    }
    return Status::OK();
  }
  return ExecuteTemplate(*this, ctx, out);
}

const Node* TemplateImpl::FindDef(std::string_view name) const {
  for (const auto& d : defs_) {
    if (d.first == name) return d.second.get();
  }
  return nullptr;
}

const FuncDef* FindFunc(std::string_view name) {
  const struct {
    const FuncDef* defs;
    size_t n;
  } tables[] = {{kBuiltinFuncs, kNumBuiltinFuncs},
                {kStringFuncs, kNumStringFuncs},
                {kEncodingFuncs, kNumEncodingFuncs},
                {kNumberFuncs, kNumNumberFuncs},
                {kTimeFuncs, kNumTimeFuncs}};
  for (const auto& t : tables) {
    for (size_t i = 0; i < t.n; i++) {
      if (t.defs[i].name == name) return &t.defs[i];
    }
  }
  return nullptr;
}

const FuncDef* FindTimeMethod(std::string_view name) {
  for (size_t i = 0; i < kNumTimeMethods; i++) {
    if (kTimeMethods[i].name == name) return &kTimeMethods[i];
  }
  return nullptr;
}

const std::string_view* Env::FindLabel(std::string_view name) const {
  if (ctx == nullptr || ctx->labels == nullptr) return nullptr;
  const LabelView* ls = ctx->labels;
  size_t n = ctx->n_labels;
  if (n <= 16) {
    for (size_t i = 0; i < n; i++) {
      if (ls[i].name == name) return &ls[i].value;
    }
    return nullptr;
  }
  size_t lo = 0, hi = n;
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    if (ls[mid].name < name) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  if (lo < n && ls[lo].name == name) return &ls[lo].value;
  return nullptr;
}

const Value* MapV::Find(std::string_view key) const {
  size_t lo = 0, hi = items.size();
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    if (items[mid].first < key) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  if (lo < items.size() && items[lo].first == key) return &items[lo].second;
  return nullptr;
}

std::string* Arena::NewString() {
  strings_.push_back(std::make_unique<std::string>());
  return strings_.back().get();
}

std::string_view Arena::Keep(std::string s) {
  strings_.push_back(std::make_unique<std::string>(std::move(s)));
  return *strings_.back();
}

ListV* Arena::NewList() {
  lists_.push_back(std::make_unique<ListV>());
  return lists_.back().get();
}

MapV* Arena::NewMap() {
  maps_.push_back(std::make_unique<MapV>());
  return maps_.back().get();
}

namespace {

void WriteNode(const Node* n, std::string* sb);

void WritePipe(const Node* p, std::string* sb) {
  if (!p->decl.empty()) {
    for (size_t i = 0; i < p->decl.size(); i++) {
      if (i > 0) sb->append(", ");
      WriteNode(p->decl[i].get(), sb);
    }
    sb->append(p->is_assign ? " = " : " := ");
  }
  for (size_t i = 0; i < p->nodes.size(); i++) {
    if (i > 0) sb->append(" | ");
    WriteNode(p->nodes[i].get(), sb);
  }
}

void WriteBranch(const Node* n, std::string_view name, std::string* sb) {
  sb->append("{{");
  sb->append(name);
  sb->push_back(' ');
  WritePipe(n->pipe.get(), sb);
  sb->append("}}");
  WriteNode(n->list.get(), sb);
  if (n->else_list) {
    sb->append("{{else}}");
    WriteNode(n->else_list.get(), sb);
  }
  sb->append("{{end}}");
}

void WriteNode(const Node* n, std::string* sb) {
  switch (n->type) {
    case NodeType::kList:
      for (const auto& c : n->nodes) WriteNode(c.get(), sb);
      return;
    case NodeType::kText:
      sb->append(n->text);
      return;
    case NodeType::kAction:
      sb->append("{{");
      WritePipe(n->pipe.get(), sb);
      sb->append("}}");
      return;
    case NodeType::kIf:
      WriteBranch(n, "if", sb);
      return;
    case NodeType::kRange:
      WriteBranch(n, "range", sb);
      return;
    case NodeType::kWith:
      WriteBranch(n, "with", sb);
      return;
    case NodeType::kBreak:
      sb->append("{{break}}");
      return;
    case NodeType::kContinue:
      sb->append("{{continue}}");
      return;
    case NodeType::kElse:
      sb->append("{{else}}");
      return;
    case NodeType::kEnd:
      sb->append("{{end}}");
      return;
    case NodeType::kTemplate:
      sb->append("{{template ");
      AppendQuote(sb, n->text, false);
      if (n->pipe) {
        sb->push_back(' ');
        WritePipe(n->pipe.get(), sb);
      }
      sb->append("}}");
      return;
    case NodeType::kPipe:
      WritePipe(n, sb);
      return;
    case NodeType::kCommand:
      for (size_t i = 0; i < n->nodes.size(); i++) {
        if (i > 0) sb->push_back(' ');
        const Node* arg = n->nodes[i].get();
        if (arg->type == NodeType::kPipe) {
          sb->push_back('(');
          WritePipe(arg, sb);
          sb->push_back(')');
        } else {
          WriteNode(arg, sb);
        }
      }
      return;
    case NodeType::kField:
      for (const auto& id : n->idents) {
        sb->push_back('.');
        sb->append(id);
      }
      return;
    case NodeType::kChain:
      if (n->chain_node->type == NodeType::kPipe) {
        sb->push_back('(');
        WritePipe(n->chain_node.get(), sb);
        sb->push_back(')');
      } else {
        WriteNode(n->chain_node.get(), sb);
      }
      for (const auto& id : n->idents) {
        sb->push_back('.');
        sb->append(id);
      }
      return;
    case NodeType::kVariable:
      for (size_t i = 0; i < n->idents.size(); i++) {
        if (i > 0) sb->push_back('.');
        sb->append(n->idents[i]);
      }
      return;
    case NodeType::kIdentifier:
      sb->append(n->text);
      return;
    case NodeType::kDot:
      sb->push_back('.');
      return;
    case NodeType::kNil:
      sb->append("nil");
      return;
    case NodeType::kBool:
      sb->append(n->boolean ? "true" : "false");
      return;
    case NodeType::kNumber:
      sb->append(n->text);
      return;
    case NodeType::kString:
      sb->append(n->quoted);
      return;
  }
}

}  // namespace

std::string NodeString(const Node* n) {
  std::string s;
  WriteNode(n, &s);
  return s;
}

}  // namespace tmpl
}  // namespace lode::logql
