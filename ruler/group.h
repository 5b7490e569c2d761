// One rule group being evaluated: its rules in order, each with its health
// and, for alerting rules, the alert state machine of Prometheus
// (inactive -> pending -> firing, `for`, `keep_firing_for`, resolved alerts
// kept 15 minutes so their resolution is sent).
//
// A Group does no I/O and reads no clock: Eval(ts, query) runs every rule at
// time `ts` through `query` and updates the state; Notifications(ts, ...) says
// which alerts are due to be sent. Not thread-safe: the Evaluator serializes
// access with its own mutex.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "base/labels.h"
#include "base/status.h"
#include "logql/template/template.h"
#include "ruler/rules_file.h"

namespace lode::ruler {

// One sample of an instant query result.
struct VecSample {
  Labels labels;
  double value = 0;
};

// Runs an instant metric query at ts_ns for the group's tenant.
using QueryFn =
    std::function<Status(const std::string& expr, int64_t ts_ns, std::vector<VecSample>* out)>;

enum class AlertState { kInactive, kPending, kFiring };
const char* AlertStateName(AlertState s);  // "inactive", "pending", "firing"

struct Alert {
  Labels labels;       // series labels + rule labels + alertname
  Labels annotations;  // templated
  AlertState state = AlertState::kPending;
  double value = 0;
  int64_t active_at_ns = 0;
  int64_t fired_at_ns = 0;
  int64_t resolved_at_ns = 0;  // 0 while active
  int64_t last_sent_ns = 0;
  int64_t valid_until_ns = 0;        // endsAt of the last message
  int64_t keep_firing_since_ns = 0;  // condition gone, kept firing by keep_firing_for
};

// A recorded sample (recording rules), ready for remote write.
struct RecordedSample {
  Labels labels;  // with __name__
  double value = 0;
  int64_t ts_ns = 0;
};

struct RuleState {
  RuleDesc desc;
  std::vector<std::pair<std::string, std::unique_ptr<logql::Template>>> label_tmpls,
      annotation_tmpls;
  std::map<std::string, Alert> alerts;  // by LabelsToString(alert labels)
  std::string health = "unknown";       // "ok" | "err" | "unknown"
  std::string last_error;
  int64_t last_eval_ns = 0;
  double eval_seconds = 0;
};

class Group {
 public:
  // Compiles the templates of `g` (already validated). `interval_ns` is the
  // group's effective interval.
  static Status Create(const std::string& tenant, const std::string& ns, const RuleGroup& g,
                       int64_t interval_ns, std::unique_ptr<Group>* out);

  const std::string& tenant() const { return tenant_; }
  const std::string& ns() const { return ns_; }
  const RuleGroup& desc() const { return desc_; }
  int64_t interval_ns() const { return interval_ns_; }
  std::vector<RuleState>& rules() { return rules_; }
  const std::vector<RuleState>& rules() const { return rules_; }
  int64_t last_eval_ns() const { return last_eval_ns_; }
  double eval_seconds() const { return eval_seconds_; }

  // Evaluates every rule in order at ts_ns. Samples of recording rules are
  // appended to *recorded. A failing rule records its error and the others
  // still run.
  void Eval(int64_t ts_ns, const QueryFn& query, std::vector<RecordedSample>* recorded);

  // Alerts due to be sent at ts_ns, with the index of their rule (firing
  // ones every resend_delay, resolved ones once); marks them sent with
  // endsAt (valid_until) = ts + 4 * max(interval, resend_delay).
  std::vector<std::pair<size_t, Alert>> Notifications(int64_t ts_ns, int64_t resend_delay_ns);

  // Takes over the alert state of rules with the same name and labels from
  // `old` (a reloaded group keeps its alerts).
  void CopyStateFrom(Group* old);

  // A stable key of a rule for persisted state: ns/group/name/index.
  std::string RuleKey(size_t i) const;

 private:
  void EvalAlert(RuleState* r, int64_t ts, const std::vector<VecSample>& vec);
  void EvalRecord(RuleState* r, int64_t ts, const std::vector<VecSample>& vec,
                  std::vector<RecordedSample>* out);

  std::string tenant_, ns_;
  RuleGroup desc_;
  int64_t interval_ns_ = 0;
  std::vector<RuleState> rules_;
  int64_t last_eval_ns_ = 0;
  double eval_seconds_ = 0;
};

// How long Prometheus keeps a resolved alert (to send its resolution).
constexpr int64_t kResolvedRetentionNs = 15LL * 60 * 1000000000;

}  // namespace lode::ruler
