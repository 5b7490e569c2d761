// Rule files in Loki's (Prometheus's) format: a YAML document
//
//   groups:
//     - name: G
//       interval: 1m        # optional; default ruler.evaluation_interval
//       limit: 0            # optional; max alerts / series per rule, 0 = none
//       rules:
//         - alert: A        # or `record: name:metric`
//           expr: sum by (service) (rate({app="x"} |= "error" [5m])) > 1
//           for: 5m
//           keep_firing_for: 1m
//           labels: {severity: page}
//           annotations: {summary: "{{ $labels.service }} is noisy"}
//
// Parse() checks the whole file: unknown keys, duplicate group names, an
// alert or a record (not both), a LogQL metric expression (parse errors carry
// Loki's text), valid durations, label names and templates. Each error names
// the file, group and rule. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "base/status.h"

namespace lode::ruler {

using KeyValues = std::vector<std::pair<std::string, std::string>>;  // in file order

struct RuleDesc {
  std::string alert;   // alerting rule name, or
  std::string record;  // recording rule metric name
  std::string expr;
  int64_t for_ns = 0;
  int64_t keep_firing_for_ns = 0;
  KeyValues labels;
  KeyValues annotations;

  bool IsAlert() const { return !alert.empty(); }
  const std::string& Name() const { return IsAlert() ? alert : record; }
};

struct RuleGroup {
  std::string name;
  int64_t interval_ns = 0;  // 0: the ruler's evaluation_interval
  int64_t limit = 0;
  std::vector<RuleDesc> rules;
};

struct RuleFile {
  std::vector<RuleGroup> groups;
};

// Parses and validates a whole file. `file` names it in errors
// ("rules.yaml: group \"g\", rule \"A\": ...").
Status ParseRuleFile(const std::string& text, const std::string& file, RuleFile* out);

// Parses one group (the body of POST /loki/api/v1/rules/{namespace}).
Status ParseRuleGroup(const std::string& text, const std::string& where, RuleGroup* out);

// Validates a parsed group (ParseRule* call it).
Status ValidateGroup(const RuleGroup& g, const std::string& where);

// YAML text of a group / a whole file, as Loki's API answers them.
std::string GroupToYaml(const RuleGroup& g);
std::string FileToYaml(const RuleFile& f);
// `namespace: [groups...]` for every entry, as GET /loki/api/v1/rules answers.
std::string NamespacesToYaml(const std::vector<std::pair<std::string, const RuleFile*>>& nss);

// Go's duration text Prometheus prints ("5m", "1h30m", "30s").
std::string PromDuration(int64_t ns);

}  // namespace lode::ruler
