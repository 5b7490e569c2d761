// A Go text/template engine for line_format and label_format.
//
// Implements the text/template language (actions, pipelines, variables,
// if/else if/else/range/with/end, comments, trim markers `{{-` `-}}`) and the
// function set Loki documents for templates. Compile once per query; a
// Template is immutable and may be executed concurrently from several threads
// (each with its own TemplateContext / output buffer).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "base/labels.h"
#include "base/status.h"

namespace lode::logql {

// What a template sees when it runs: `.name` reads a label (empty string when
// missing), `__line__` is the current line, `__timestamp__` the entry time.
struct TemplateContext {
  const LabelView* labels = nullptr;  // sorted by name
  size_t n_labels = 0;
  std::string_view line;
  int64_t ts_ns = 0;
  double value = 0;  // Prometheus templates (CompilePrometheus): $value
};

class Template {
 public:
  // Fails on syntax errors with Go's message text, e.g.
  // `template: line:1: unclosed action`, or on an unknown function
  // (`function "foo" not defined`).
  static Status Compile(std::string_view source, std::unique_ptr<Template>* out);
  // Same, naming the template as Go's template.New(name) does: the name
  // appears in every error ("template: label:1: ..."). Loki names line_format
  // templates "line" (the default above) and label_format ones "label". The
  // caller adds Loki's prefix ("invalid line template: ...") if it wants it.
  static Status Compile(std::string_view source, std::string_view name,
                        std::unique_ptr<Template>* out);
  // A Prometheus alert template (rule labels and annotations): the dot and
  // `$labels` are the alert's labels, `$value` is TemplateContext::value (a
  // float64), and Prometheus's humanize, humanizePercentage,
  // humanizeDuration, toUpper and toLower are defined besides the functions
  // above.
  static Status CompilePrometheus(std::string_view source, std::string_view name,
                                  std::unique_ptr<Template>* out);
  virtual ~Template() = default;

  // Appends the output to *out (does not clear it). A runtime error (e.g. a
  // bad argument type) returns a non-OK status; the caller records it as
  // __error__=TemplateFormatErr, as Loki does.
  virtual Status Execute(const TemplateContext& ctx, std::string* out) const = 0;

  // True when the template is a plain string with no actions.
  virtual bool IsConstant() const = 0;

 private:
  static Status CompileImpl(std::string_view source, std::string_view name, bool prometheus,
                            std::unique_ptr<Template>* out);
};

}  // namespace lode::logql
