// Log pipeline: runs the stages of a LogSelectorExpr over the entries of one
// stream, and extracts samples for metric queries.
//
// Usage: build a Pipeline once per query (compiles regexes, templates, ...),
// then call ForStream() once per stream and Process() once per entry. A
// Pipeline is immutable and shareable across threads; a StreamPipeline is
// used by one thread at a time. Process() does no heap allocation on the
// common paths (filters, parsers writing into reused buffers).
//
// Label semantics are Loki's (pkg/logql/log): parsers add labels with
// sanitised names; a name already present as a stream label or structured
// metadata gets the `_extracted` suffix; the first value wins on duplicates;
// errors set `__error__` / `__error_details__` without dropping the line.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "base/labels.h"
#include "base/status.h"
#include "logql/syntax/ast.h"

namespace lode::logql {

// The labels of a processed entry, split into Loki's categories. All label
// vectors are sorted by name. `all` is the union used for grouping results.
struct ResultLabels {
  Labels all;
  Labels stream;               // indexed stream labels (after drop/keep/label_format)
  Labels structured_metadata;  // from the entry's metadata
  Labels parsed;               // added by parsers / label_format
  uint64_t hash = 0;           // HashLabels(all)
};

class StreamPipeline {
 public:
  virtual ~StreamPipeline() = default;

  // Runs every stage on one entry. Returns false when the line is filtered
  // out. On true, line() and labels() describe the result until the next call.
  virtual bool Process(int64_t ts, std::string_view line, const LabelView* md, size_t n_md) = 0;
  virtual std::string_view line() const = 0;
  // Interned per distinct label set: the pointer stays valid for the life of
  // the StreamPipeline, so callers may group by it.
  virtual const ResultLabels& labels() const = 0;
};

class Pipeline {
 public:
  // Compiles the stages of `expr`. Fails with Loki's message on invalid
  // regexes, templates, ip patterns, ...
  static Status Create(const LogSelectorExpr& expr, std::unique_ptr<Pipeline>* out);
  virtual ~Pipeline() = default;

  virtual std::unique_ptr<StreamPipeline> ForStream(const Labels& stream_labels) const = 0;

  // True when the pipeline has no stages (every line passes unchanged).
  virtual bool IsNoop() const = 0;

  // A literal that every line passing the line filters must contain (the
  // longest of the `|=` literals before any parser), or empty. Used by storage
  // to skip blocks.
  virtual std::string RequiredLiteral() const = 0;
};

// Sample extraction for range aggregations: the pipeline, then either a
// constant per line (count/rate: 1, bytes: line length) or the unwrapped
// label converted to a float, then the unwrap's post filters.
class StreamSampleExtractor {
 public:
  virtual ~StreamSampleExtractor() = default;
  // Returns false when the entry yields no sample. On true, *value is set and
  // labels() describes the series until the next call (the unwrapped label is
  // removed; a conversion error adds __error__=SampleExtractionErr).
  virtual bool Process(int64_t ts, std::string_view line, const LabelView* md, size_t n_md,
                       double* value) = 0;
  virtual const ResultLabels& labels() const = 0;
};

class SampleExtractor {
 public:
  // `range` is a kRangeAgg expression; grouping on the range aggregation
  // (`sum_over_time(...) by (x)`) is applied to the labels here.
  static Status Create(const Expr& range, std::unique_ptr<SampleExtractor>* out);
  // Same, with the grouping of an enclosing `sum by/without (...)` pushed
  // down as Loki does (canInjectVectorGrouping): used only when `range` has
  // no grouping of its own and is rate, count_over_time, bytes_rate,
  // bytes_over_time or sum_over_time, where summing the finer series gives
  // the same result. Fewer distinct label sets reach the caller.
  static Status Create(const Expr& range, const Grouping* outer_sum_grouping,
                       std::unique_ptr<SampleExtractor>* out);
  virtual ~SampleExtractor() = default;
  virtual std::unique_ptr<StreamSampleExtractor> ForStream(const Labels& stream_labels) const = 0;
  virtual std::string RequiredLiteral() const = 0;
};

}  // namespace lode::logql
