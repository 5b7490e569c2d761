// LogStage: one step of a log pipeline (a line filter, a parser, a label
// filter, a formatter, ...), compiled once per query.
//
// A LogStage is immutable and shared by every stream of a query; anything it
// needs to mutate per line (output buffers, scratch strings) lives in the
// StageState it creates, one per StreamPipeline. Process() may replace
// *line with a view into its state's storage; that view stays valid until
// the same stage processes the next line.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>

#include "logql/log/labels_builder.h"

namespace lode::logql {

class StageState {
 public:
  virtual ~StageState() = default;
};

class LogStage {
 public:
  virtual ~LogStage() = default;

  // Per-stream mutable state, or nullptr when the stage needs none.
  virtual std::unique_ptr<StageState> NewState() const { return nullptr; }

  // Returns false when the line is filtered out.
  virtual bool Process(int64_t ts, std::string_view* line, LabelsBuilder* lbs,
                       StageState* state) const = 0;
};

using LogStagePtr = std::unique_ptr<LogStage>;

}  // namespace lode::logql
