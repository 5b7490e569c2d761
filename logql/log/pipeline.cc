// Pipeline: compiles a LogSelectorExpr's stages once and hands out one
// StreamPipeline (labels builder + per-stage state) per stream.

#include "logql/log/pipeline.h"

#include "logql/log/labels_builder.h"
#include "logql/log/stage_chain.h"

namespace lode::logql {

namespace {

class StreamPipelineImpl : public StreamPipeline {
 public:
  StreamPipelineImpl(const std::vector<LogStagePtr>* stages, Labels stream)
      : lbs_(std::move(stream)), runner_(stages), labels_(&lbs_.Result()) {}

  bool Process(int64_t ts, std::string_view line, const LabelView* md, size_t n_md) override {
    StartLine(&lbs_, md, n_md);
    if (!runner_.Run(ts, &line, &lbs_)) return false;
    line_ = line;
    labels_ = &lbs_.Result();
    return true;
  }

  std::string_view line() const override { return line_; }
  const ResultLabels& labels() const override { return *labels_; }

 private:
  LabelsBuilder lbs_;
  ChainRunner runner_;
  std::string_view line_;
  const ResultLabels* labels_;
};

class PipelineImpl : public Pipeline {
 public:
  explicit PipelineImpl(StageChain chain) : chain_(std::move(chain)) {}

  std::unique_ptr<StreamPipeline> ForStream(const Labels& stream_labels) const override {
    Labels sorted = stream_labels;
    SortLabels(&sorted);
    return std::make_unique<StreamPipelineImpl>(&chain_.stages, std::move(sorted));
  }

  bool IsNoop() const override { return chain_.stages.empty(); }
  std::string RequiredLiteral() const override { return chain_.required_literal; }

 private:
  StageChain chain_;
};

}  // namespace

Status Pipeline::Create(const LogSelectorExpr& expr, std::unique_ptr<Pipeline>* out) {
  StageChain chain;
  LODE_RETURN_IF_ERROR(StageChain::Compile(expr.stages, &chain));
  *out = std::make_unique<PipelineImpl>(std::move(chain));
  return Status::OK();
}

}  // namespace lode::logql
