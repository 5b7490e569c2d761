// StageChain: the compiled stages of a LogSelectorExpr, shared by Pipeline
// and SampleExtractor, and ChainRunner, the per-stream state that runs them.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "logql/log/log_stage.h"
#include "logql/syntax/ast.h"

namespace lode::logql {

struct StageChain {
  std::vector<LogStagePtr> stages;
  // The longest `|=` literal before the first stage that changes the line
  // or parses it (parser, line_format, decolorize), or "".
  std::string required_literal;

  // Compiles `ast` in order; the first failing stage's error is returned.
  static Status Compile(const std::vector<Stage>& ast, StageChain* out);
  static Status Compile(const std::vector<const Stage*>& ast, StageChain* out);
};

// Compiles one stage.
Status CompileStage(const Stage& s, LogStagePtr* out);

class ChainRunner {
 public:
  explicit ChainRunner(const std::vector<LogStagePtr>* stages);

  // Runs every stage on *line (which may be replaced by a view into a
  // stage's buffer). Returns false when a stage filters the line out.
  bool Run(int64_t ts, std::string_view* line, LabelsBuilder* lbs) {
    for (size_t i = 0; i < stages_->size(); ++i) {
      if (!(*stages_)[i]->Process(ts, line, lbs, states_[i].get())) return false;
    }
    return true;
  }

  bool empty() const { return stages_->empty(); }

 private:
  const std::vector<LogStagePtr>* stages_;
  std::vector<std::unique_ptr<StageState>> states_;
};

// Loads the entry's structured metadata into a freshly reset builder.
inline void StartLine(LabelsBuilder* lbs, const LabelView* md, size_t n_md) {
  lbs->Reset();
  for (size_t i = 0; i < n_md; ++i) lbs->AddMetadata(md[i].name, md[i].value);
}

}  // namespace lode::logql
