#include "logql/log/stage_chain.h"

#include "logql/log/drop_keep.h"
#include "logql/log/formatters.h"
#include "logql/log/json_parser.h"
#include "logql/log/label_filter.h"
#include "logql/log/line_filter.h"
#include "logql/log/logfmt_parser.h"
#include "logql/log/regexp_parser.h"

namespace lode::logql {

Status CompileStage(const Stage& s, LogStagePtr* out) {
  switch (s.kind) {
    case Stage::Kind::kLineFilter:
      return NewLineFilterStage(s.line_filter, out);
    case Stage::Kind::kParser:
      switch (s.parser.kind) {
        case ParserKind::kJson:
          return NewJsonStage(s.parser, out);
        case ParserKind::kLogfmt:
          return NewLogfmtStage(s.parser, out);
        case ParserKind::kRegexp:
          return NewRegexpStage(s.parser.pattern, out);
        case ParserKind::kPattern:
          return NewPatternStage(s.parser.pattern, out);
        case ParserKind::kUnpack:
          *out = NewUnpackStage();
          return Status::OK();
      }
      break;
    case Stage::Kind::kLabelFilter:
      if (!s.label_filter.expr) return Status::Internal("label filter stage without expression");
      return NewLabelFilterStage(*s.label_filter.expr, out);
    case Stage::Kind::kLineFormat:
      return NewLineFormatStage(s.line_format, out);
    case Stage::Kind::kLabelFormat:
      return NewLabelFormatStage(s.label_format, out);
    case Stage::Kind::kDecolorize:
      *out = NewDecolorizeStage();
      return Status::OK();
    case Stage::Kind::kDropKeep:
      *out = NewDropKeepStage(s.drop_keep);
      return Status::OK();
  }
  return Status::Internal("unknown pipeline stage");
}

Status StageChain::Compile(const std::vector<Stage>& ast, StageChain* out) {
  std::vector<const Stage*> ptrs;
  ptrs.reserve(ast.size());
  for (const auto& s : ast) ptrs.push_back(&s);
  return Compile(ptrs, out);
}

Status StageChain::Compile(const std::vector<const Stage*>& ast, StageChain* out) {
  out->stages.clear();
  out->required_literal.clear();
  bool line_unchanged = true;
  for (const Stage* sp : ast) {
    const Stage& s = *sp;
    LogStagePtr stage;
    LODE_RETURN_IF_ERROR(CompileStage(s, &stage));
    out->stages.push_back(std::move(stage));
    switch (s.kind) {
      case Stage::Kind::kLineFilter: {
        const auto& f = s.line_filter;
        if (line_unchanged && f.op == LineFilterOp::kContains && f.values.size() == 1 &&
            !f.values[0].is_ip && f.values[0].value.size() > out->required_literal.size()) {
          out->required_literal = f.values[0].value;
        }
        break;
      }
      case Stage::Kind::kParser:
      case Stage::Kind::kLineFormat:
      case Stage::Kind::kDecolorize:
        line_unchanged = false;
        break;
      default:
        break;
    }
  }
  return Status::OK();
}

ChainRunner::ChainRunner(const std::vector<LogStagePtr>* stages) : stages_(stages) {
  states_.reserve(stages->size());
  for (const auto& s : *stages) states_.push_back(s->NewState());
}

}  // namespace lode::logql
