#include "logql/log/formatters.h"

#include <re2/re2.h>

#include <set>
#include <string>
#include <vector>

#include "logql/query_context.h"
#include "logql/template/template.h"

namespace lode::logql {

namespace {

// A formatted line or label larger than what the running query may still
// hold stops that query (its engine reports the memory limit): repeated
// label_format doubling a label must not grow without bound.
Status WithinQueryMemory(const std::string& out) {
  QueryContext* q = QueryContext::Current();
  if (q && !q->Fits(out.size())) return Status::LimitExceeded("query memory limit exceeded");
  return Status::OK();
}

// ---------------------------------------------------------------------------
// line_format
// ---------------------------------------------------------------------------

struct LineFormatState : StageState {
  std::vector<LabelView> views;
  std::string out;
};

class LineFormat : public LogStage {
 public:
  explicit LineFormat(std::unique_ptr<Template> t) : t_(std::move(t)) {}

  std::unique_ptr<StageState> NewState() const override {
    return std::make_unique<LineFormatState>();
  }

  bool Process(int64_t ts, std::string_view* line, LabelsBuilder* lbs,
               StageState* state) const override {
    auto* st = static_cast<LineFormatState*>(state);
    lbs->TemplateLabels(&st->views);
    TemplateContext ctx;
    ctx.labels = st->views.data();
    ctx.n_labels = st->views.size();
    ctx.line = *line;
    ctx.ts_ns = ts;
    st->out.clear();
    Status s = t_->Execute(ctx, &st->out);
    if (s.ok()) s = WithinQueryMemory(st->out);
    if (!s.ok()) {
      lbs->SetErr(kErrTemplateFormat);
      lbs->SetErrDetails(s.message());
      return true;
    }
    *line = st->out;
    return true;
  }

 private:
  std::unique_ptr<Template> t_;
};

// ---------------------------------------------------------------------------
// label_format
// ---------------------------------------------------------------------------

struct LabelFormatItemC {
  std::string dst;
  std::string src;                 // rename source
  std::unique_ptr<Template> tmpl;  // null for a rename
};

struct LabelFormatState : StageState {
  std::vector<LabelView> views;
  std::vector<Label> snapshot;
  std::vector<LabelView> snapshot_views;
  std::string out;
  std::string value;
};

class LabelFormat : public LogStage {
 public:
  explicit LabelFormat(std::vector<LabelFormatItemC> items) : items_(std::move(items)) {}

  std::unique_ptr<StageState> NewState() const override {
    return std::make_unique<LabelFormatState>();
  }

  bool Process(int64_t ts, std::string_view* line, LabelsBuilder* lbs,
               StageState* state) const override {
    auto* st = static_cast<LabelFormatState*>(state);
    bool have_snapshot = false;
    for (const auto& item : items_) {
      if (!item.tmpl) {
        std::string_view v;
        LabelCategory cat;
        if (lbs->Get(item.src, &v, &cat)) {
          st->value.assign(v);  // v points into the builder
          lbs->Set(cat, item.dst, st->value);
          lbs->Del(item.src);
        }
        continue;
      }
      if (!have_snapshot) {
        lbs->TemplateLabels(&st->views);
        if (st->snapshot.size() < st->views.size()) st->snapshot.resize(st->views.size());
        st->snapshot_views.clear();
        for (size_t i = 0; i < st->views.size(); ++i) {
          st->snapshot[i].name.assign(st->views[i].name);
          st->snapshot[i].value.assign(st->views[i].value);
          st->snapshot_views.push_back({st->snapshot[i].name, st->snapshot[i].value});
        }
        have_snapshot = !st->snapshot_views.empty();
      }
      TemplateContext ctx;
      ctx.labels = st->snapshot_views.data();
      ctx.n_labels = st->snapshot_views.size();
      ctx.line = *line;
      ctx.ts_ns = ts;
      st->out.clear();
      Status s = item.tmpl->Execute(ctx, &st->out);
      if (s.ok()) s = WithinQueryMemory(st->out);
      if (!s.ok()) {
        lbs->SetErr(kErrTemplateFormat);
        lbs->SetErrDetails(s.message());
        continue;
      }
      lbs->Set(LabelCategory::kParsed, item.dst, st->out);
    }
    return true;
  }

 private:
  std::vector<LabelFormatItemC> items_;
};

// ---------------------------------------------------------------------------
// decolorize
// ---------------------------------------------------------------------------

struct DecolorizeState : StageState {
  std::string out;
};

class Decolorize : public LogStage {
 public:
  Decolorize()
      : re_("[\\x{1B}\\x{9B}][[\\]()#;?]*(?:(?:(?:[a-zA-Z\\d]*(?:;[a-zA-Z\\d]*)*)?\\x{07})|"
            "(?:(?:\\d{1,4}(?:;\\d{0,4})*)?[\\dA-PRZcf-ntqry=><~]))") {}

  std::unique_ptr<StageState> NewState() const override {
    return std::make_unique<DecolorizeState>();
  }

  bool Process(int64_t, std::string_view* line, LabelsBuilder*, StageState* state) const override {
    // Only lines with an ESC or a CSI (U+009B) byte sequence can change.
    if (line->find('\x1b') == std::string_view::npos &&
        line->find("\xc2\x9b") == std::string_view::npos) {
      return true;
    }
    auto* st = static_cast<DecolorizeState*>(state);
    st->out.assign(*line);
    re2::RE2::GlobalReplace(&st->out, re_, "");
    *line = st->out;
    return true;
  }

 private:
  re2::RE2 re_;
};

}  // namespace

Status NewLineFormatStage(const LineFormatStage& f, LogStagePtr* out) {
  std::unique_ptr<Template> t;
  Status s = Template::Compile(f.tmpl, "line", &t);
  if (!s.ok()) return Status::InvalidArgument("invalid line template: " + s.message());
  *out = std::make_unique<LineFormat>(std::move(t));
  return Status::OK();
}

Status NewLabelFormatStage(const LabelFormatStage& f, LogStagePtr* out) {
  std::set<std::string> seen;
  for (const auto& item : f.items) {
    if (item.dst == kErrorLabel) {
      return Status::InvalidArgument(std::string(kErrorLabel) + " cannot be formatted");
    }
    if (!seen.insert(item.dst).second) {
      return Status::InvalidArgument("multiple label name '" + item.dst +
                                     "' not allowed in a single format operation");
    }
  }
  std::vector<LabelFormatItemC> items;
  for (const auto& item : f.items) {
    LabelFormatItemC c;
    c.dst = item.dst;
    if (item.is_template) {
      Status s = Template::Compile(item.src, "label", &c.tmpl);
      if (!s.ok()) {
        return Status::InvalidArgument("invalid template for label '" + item.dst +
                                       "': " + s.message());
      }
    } else {
      c.src = item.src;
    }
    items.push_back(std::move(c));
  }
  *out = std::make_unique<LabelFormat>(std::move(items));
  return Status::OK();
}

LogStagePtr NewDecolorizeStage() { return std::make_unique<Decolorize>(); }

}  // namespace lode::logql
