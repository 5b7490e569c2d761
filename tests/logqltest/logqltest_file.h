// Parser of Loki's LogQL semantics scripts (`.logqltest`, Loki's
// pkg/logql/internal/logqltest): text -> list of commands with line numbers.
//
// Format (as Loki's runner reads it):
// - `#` starts a comment, except inside "..." or `...` quotes.
// - Top-level commands, not indented: `clear`, `load`, `eval instant at T
//   QUERY`, `eval range from A to B step S QUERY`.
// - `load` and `eval` own the block of indented lines that follows; the block
//   ends at a blank line, a non-indented line or EOF (comment lines, indented
//   or not, are skipped inside a block).
// - Load line: `{labels} "line" @ T [repeat every D for N] [metadata k="v" ...]`.
//   The line is double-quoted (Go escapes) or backtick-quoted (raw); `{{.i}}`
//   in it is replaced by the repeat index 0..N-1.
// - Expectation lines of an eval (exactly one kind per eval): `{labels} v v _`
//   series (one value per step; `_` = no point; `b+sxN` / `b-sxN` / `bxN`
//   expand to N+1 values b, b+s, ...), a bare scalar value, `{labels} "line"
//   @ T` log lines (for log queries), `expect empty`, `expect fail`,
//   `expect fail msg: TEXT`, `expect fail regex: RE`; plus the modifiers
//   `expect ordered` (series compared positionally) and
//   `skip values-comparison on "STACK"` (Loki execution stacks; recorded only).
// Times are Go durations (`20s`, `1m30s`, `500ms`) relative to the script
// epoch; they are returned in nanoseconds relative to that epoch.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/labels.h"
#include "base/status.h"

namespace lode::logqltest {

// One load line; it produces `count` entries at start_ns + i * every_ns.
struct LoadLine {
  int line = 0;      // 1-based source line
  Labels labels;     // sorted, as written (empty values kept)
  std::string text;  // the log line, escapes decoded
  int64_t start_ns = 0;
  int64_t every_ns = 0;
  int64_t count = 1;
  Labels metadata;  // structured metadata, in written order

  // The log line of repeat i (`{{.i}}` replaced by i).
  std::string TextAt(int64_t i) const;
};

struct ExpectedSample {
  bool present = false;  // false for `_`
  double value = 0;
};

struct ExpectedSeries {
  int line = 0;
  Labels labels;  // sorted, empty values kept, `{}` allowed
  std::vector<ExpectedSample> samples;
};

struct ExpectedLogLine {
  int line = 0;
  Labels labels;
  int64_t ts_ns = 0;
  std::string text;
};

enum class FailMatch { kAny, kSubstring, kRegex };

struct Expectation {
  enum class Kind { kSeries, kScalar, kEmpty, kFail, kStreams };
  Kind kind = Kind::kEmpty;
  FailMatch fail_match = FailMatch::kAny;   // kFail only
  std::string fail_text;                    // msg: substring or regex: pattern
  bool ordered = false;                     // kSeries only
  double scalar = 0;                        // kScalar only
  std::vector<ExpectedSeries> series;       // kSeries
  std::vector<ExpectedLogLine> log_lines;   // kStreams, in written order
  std::vector<std::string> skip_values_on;  // stacks of `skip values-comparison on`
};

struct EvalCommand {
  bool instant = true;
  int64_t start_ns = 0;  // instant: the evaluation time (== end_ns)
  int64_t end_ns = 0;
  int64_t step_ns = 0;  // range only, > 0
  std::string query;
  Expectation expect;

  // Evaluation times: {start} for instant, start, start+step, ... <= end.
  std::vector<int64_t> StepTimes() const;
};

struct Command {
  enum class Type { kClear, kLoad, kEval };
  Type type = Type::kClear;
  int line = 0;                // 1-based line of the command keyword
  std::vector<LoadLine> load;  // kLoad
  EvalCommand eval;            // kEval
};

// Parses a whole script. On error returns InvalidArgument whose message
// starts with the 1-based line number (`12: ...`); `out` then holds the
// commands before the error.
Status ParseScript(std::string_view text, std::vector<Command>* out);

// Building blocks, exposed for tests.

// Go time.ParseDuration: `[-+]` then one or more `<number><unit>`, units
// ns us µs ms s m h; `0` alone is allowed.
Status ParseGoDuration(std::string_view s, int64_t* ns);

// A float as Go's strconv.ParseFloat reads it, plus `NaN`, `Inf`, `+Inf`, `-Inf`.
Status ParseValue(std::string_view s, double* v);

// Removes a trailing `# ...` comment (a `#` inside "..." or `...` is kept)
// and the blanks before it.
std::string_view StripComment(std::string_view line);

// Parses `{a="1", b=""}` (also `{}`) into a sorted label set; `*end` receives
// the offset just past `}`. Quotes are honoured when looking for `}`.
Status ParseLabelSet(std::string_view s, Labels* out, size_t* end);

}  // namespace lode::logqltest
