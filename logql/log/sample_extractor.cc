// SampleExtractor: the samples of a range aggregation (pkg/logql/log/
// metrics_extraction.go and syntax/extractor.go).
//
// Without unwrap each line that passes the pipeline gives 1 (rate,
// count_over_time, absent_over_time) or its length in bytes (bytes_rate,
// bytes_over_time). With unwrap the label is converted (float, duration in
// seconds, bytes); a missing or empty label gives no sample, a conversion
// error gives __error__=SampleExtractionErr; the post filters run after the
// conversion. The unwrapped label is removed from the series (grouping
// `without` it) unless the range aggregation has a `by` grouping.
//
// As Loki's optimiser does, a line_format that no later parser or line
// filter reads is skipped unless the aggregation measures bytes. When the
// series labels are reduced to a known set (a `by` grouping, or none),
// parsers only extract the labels that the samples depend on (Loki's parser
// hints); JSON syntax errors are still detected.

#include <algorithm>

#include "base/go_parse.h"
#include "logql/log/label_filter.h"
#include "logql/log/labels_builder.h"
#include "logql/log/pipeline.h"
#include "logql/log/stage_chain.h"

namespace lode::logql {

namespace {

enum class LineValue { kCount, kBytes };

struct ExtractorSpec {
  StageChain chain;
  // Parser hints: the only labels the samples can depend on, when known.
  std::vector<std::string> hints;
  bool use_hints = false;
  std::vector<LogStagePtr> post;  // unwrap post filters
  GroupingSpec grouping;
  bool unwrap = false;
  std::string label;
  UnwrapConv conv = UnwrapConv::kNone;
  LineValue line_value = LineValue::kCount;
};

bool Convert(UnwrapConv conv, std::string_view s, double* v, std::string* err) {
  switch (conv) {
    case UnwrapConv::kNone:
      return GoParseFloat(s, v, err);
    case UnwrapConv::kDuration:
    case UnwrapConv::kDurationSeconds: {
      int64_t ns = 0;
      if (!GoParseDuration(s, &ns, err)) {
        *v = 0;
        return false;
      }
      *v = DurationSeconds(ns);
      return true;
    }
    case UnwrapConv::kBytes: {
      uint64_t b = 0;
      if (!HumanizeParseBytes(s, &b, err)) {
        *v = 0;
        return false;
      }
      *v = static_cast<double>(b);
      return true;
    }
  }
  return false;
}

class StreamExtractorImpl : public StreamSampleExtractor {
 public:
  StreamExtractorImpl(const ExtractorSpec* spec, Labels stream)
      : spec_(spec),
        lbs_(std::move(stream)),
        runner_(&spec->chain.stages),
        post_(&spec->post),
        labels_(&lbs_.Result()) {
    if (spec_->use_hints) lbs_.SetParserHints(&spec_->hints);
  }

  bool Process(int64_t ts, std::string_view line, const LabelView* md, size_t n_md,
               double* value) override {
    StartLine(&lbs_, md, n_md);
    if (!runner_.Run(ts, &line, &lbs_)) return false;
    if (!spec_->unwrap) {
      *value = spec_->line_value == LineValue::kCount ? 1.0 : static_cast<double>(line.size());
      labels_ = &lbs_.GroupedResult(spec_->grouping);
      return true;
    }
    std::string_view s;
    if (!lbs_.Get(spec_->label, &s) || s.empty()) return false;
    double v = 0;
    if (!Convert(spec_->conv, s, &v, &err_)) {
      lbs_.SetErr(kErrSampleExtraction);
      lbs_.SetErrDetails(err_);
    }
    if (!post_.Run(ts, &line, &lbs_)) return false;
    *value = v;
    labels_ = &lbs_.GroupedResult(spec_->grouping);
    return true;
  }

  const ResultLabels& labels() const override { return *labels_; }

 private:
  const ExtractorSpec* spec_;
  LabelsBuilder lbs_;
  ChainRunner runner_;
  ChainRunner post_;
  const ResultLabels* labels_;
  std::string err_;
};

class SampleExtractorImpl : public SampleExtractor {
 public:
  explicit SampleExtractorImpl(std::unique_ptr<ExtractorSpec> spec) : spec_(std::move(spec)) {}

  std::unique_ptr<StreamSampleExtractor> ForStream(const Labels& stream_labels) const override {
    Labels sorted = stream_labels;
    SortLabels(&sorted);
    return std::make_unique<StreamExtractorImpl>(spec_.get(), std::move(sorted));
  }

  std::string RequiredLiteral() const override { return spec_->chain.required_literal; }

 private:
  std::unique_ptr<ExtractorSpec> spec_;
};

bool IsParserOrLineFilter(const Stage& s) {
  return s.kind == Stage::Kind::kParser || s.kind == Stage::Kind::kLineFilter;
}

void AddFilterNames(const LabelFilterExpr& e, std::vector<std::string>* names) {
  if (e.left) AddFilterNames(*e.left, names);
  if (e.right) AddFilterNames(*e.right, names);
  if (e.kind == LabelFilterExpr::Kind::kString && e.matcher) names->push_back(e.matcher->name());
  if (!e.name.empty()) names->push_back(e.name);
}

// The label names the stages read, or false when a stage may read any label
// (templates).
bool StageLabelNames(const std::vector<const Stage*>& stages, std::vector<std::string>* names) {
  for (const Stage* s : stages) {
    switch (s->kind) {
      case Stage::Kind::kLabelFilter:
        if (s->label_filter.expr) AddFilterNames(*s->label_filter.expr, names);
        break;
      case Stage::Kind::kDropKeep:
        for (const auto& item : s->drop_keep.items) {
          names->push_back(item.matcher ? item.matcher->name() : item.name);
        }
        break;
      case Stage::Kind::kLineFormat:
      case Stage::Kind::kLabelFormat:
        return false;
      default:
        break;
    }
  }
  return true;
}

}  // namespace

Status SampleExtractor::Create(const Expr& range, std::unique_ptr<SampleExtractor>* out) {
  return Create(range, nullptr, out);
}

Status SampleExtractor::Create(const Expr& range, const Grouping* outer_sum_grouping,
                               std::unique_ptr<SampleExtractor>* out) {
  if (range.kind != Expr::Kind::kRangeAgg) {
    return Status::Internal("sample extractor needs a range aggregation");
  }
  const LogRange& lr = range.log_range;
  auto spec = std::make_unique<ExtractorSpec>();

  const Grouping* grouping = range.grouping ? &*range.grouping : nullptr;
  if (!grouping && outer_sum_grouping) {
    switch (range.range_op) {
      case RangeOp::kRate:
      case RangeOp::kCountOverTime:
      case RangeOp::kBytesRate:
      case RangeOp::kBytesOverTime:
      case RangeOp::kSumOverTime:
        grouping = outer_sum_grouping;
        break;
      default:
        break;
    }
  }
  bool without = false, no_labels = false;
  std::vector<std::string> groups;
  if (grouping) {
    groups = grouping->labels;
    without = grouping->without;
    no_labels = groups.empty() && !without;
  }
  if (range.range_op == RangeOp::kAbsentOverTime) no_labels = true;

  const bool reads_bytes =
      range.range_op == RangeOp::kBytesRate || range.range_op == RangeOp::kBytesOverTime;
  if (!lr.unwrap) {
    switch (range.range_op) {
      case RangeOp::kRate:
      case RangeOp::kCountOverTime:
      case RangeOp::kAbsentOverTime:
        spec->line_value = LineValue::kCount;
        break;
      case RangeOp::kBytesRate:
      case RangeOp::kBytesOverTime:
        spec->line_value = LineValue::kBytes;
        break;
      default:
        return Status::InvalidArgument(
            std::string("unsupported range vector aggregation operation: ") +
            RangeOpName(range.range_op));
    }
  }

  // Skip a line_format whose output nothing reads (Loki's removeLineformat).
  const auto& ast = lr.selector.stages;
  std::vector<const Stage*> kept;
  for (size_t i = 0; i < ast.size(); ++i) {
    if (!reads_bytes && ast[i].kind == Stage::Kind::kLineFormat &&
        std::none_of(ast.begin() + static_cast<std::ptrdiff_t>(i), ast.end(),
                     IsParserOrLineFilter)) {
      continue;
    }
    kept.push_back(&ast[i]);
  }
  LODE_RETURN_IF_ERROR(StageChain::Compile(kept, &spec->chain));

  if (lr.unwrap) {
    spec->unwrap = true;
    spec->label = lr.unwrap->label;
    spec->conv = lr.unwrap->conv;
    for (const auto& pf : lr.unwrap->post_filters) {
      if (!pf.expr) return Status::Internal("unwrap post filter without expression");
      LogStagePtr st;
      LODE_RETURN_IF_ERROR(NewLabelFilterStage(*pf.expr, &st));
      spec->post.push_back(std::move(st));
    }
    if (groups.empty() || without) {
      without = true;
      groups.push_back(spec->label);
    }
  }
  std::sort(groups.begin(), groups.end());
  groups.erase(std::unique(groups.begin(), groups.end()), groups.end());

  // Parsers only need the labels the samples can depend on when the result
  // is reduced to a known set (`by`, or no labels). An errored line keeps
  // all its labels, but only those extracted, as in Loki.
  if ((no_labels || (!without && !groups.empty())) && StageLabelNames(kept, &spec->hints)) {
    if (lr.unwrap) {
      for (const auto& pf : lr.unwrap->post_filters) {
        if (pf.expr) AddFilterNames(*pf.expr, &spec->hints);
      }
      spec->hints.push_back(lr.unwrap->label);
    }
    if (!no_labels) spec->hints.insert(spec->hints.end(), groups.begin(), groups.end());
    std::sort(spec->hints.begin(), spec->hints.end());
    spec->hints.erase(std::unique(spec->hints.begin(), spec->hints.end()), spec->hints.end());
    spec->use_hints = true;
  }
  spec->grouping.groups = std::move(groups);
  spec->grouping.without = without;
  spec->grouping.no_labels = no_labels;
  *out = std::make_unique<SampleExtractorImpl>(std::move(spec));
  return Status::OK();
}

}  // namespace lode::logql
