// The ruler: loads every tenant's rule groups from the RuleStore, evaluates
// each group at its interval on aligned timestamps (multiples of the
// interval) in one background thread, sends due alerts to the Notifier and
// recorded samples to the RemoteWriter, and persists the pending/firing alert
// state to `<rule_path>/ruler-state.json` (atomically, when it changed) so
// `for` survives a restart.
//
// Rules are re-read every poll interval and at once after Reload() (the API
// calls it after a change); groups whose rules did not change keep their
// alert state. Files that fail to parse are skipped and logged, the rest run.
//
// Bounds: one evaluation thread; a group whose evaluation falls behind skips
// the missed slots (counted in Stats().missed). Thread-safe.
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "logql/engine.h"
#include "ruler/group.h"
#include "ruler/notifier.h"
#include "ruler/remote_write.h"
#include "ruler/rule_store.h"

namespace lode::ruler {

// Runs an instant query for a tenant.
using TenantQueryFn = std::function<Status(const std::string& tenant, const std::string& expr,
                                           int64_t ts_ns, std::vector<VecSample>* out)>;

// Instant queries through the LogQL engine (vector and scalar results; a
// scalar becomes one sample without labels).
TenantQueryFn EngineQuery(logql::Engine* engine);

struct RulerOptions {
  std::string rules_dir;                         // ruler.storage.local.directory
  std::string rule_path;                         // ruler.rule_path (state file)
  int64_t evaluation_interval_ns = 60000000000;  // ruler.evaluation_interval
  int64_t poll_interval_ns = 60000000000;        // ruler.poll_interval
  int64_t resend_delay_ns = 60000000000;         // ruler.resend_delay
  std::string external_url;                      // ruler.external_url (Grafana)
  std::string datasource_uid;                    // ruler.datasource_uid
  std::vector<std::string> alertmanager_urls;    // ruler.alertmanager_url
  size_t notification_queue_capacity = 10000;    // ruler.notification_queue_capacity
  std::string remote_write_url;                  // ruler.remote_write.client.url when enabled
  size_t remote_write_queue_capacity = 100000;
  std::function<int64_t()> clock;  // ns since the epoch
};

struct RulerStats {
  uint64_t evaluations = 0;  // group evaluations
  uint64_t missed = 0;       // skipped slots
  uint64_t rule_failures = 0;
  NotifierStats notifier;
  RemoteWriteStats remote_write;
};

class Ruler {
 public:
  static Status Open(RulerOptions opts, TenantQueryFn query, std::unique_ptr<Ruler>* out);
  ~Ruler();  // stops the thread

  RuleStore* store() { return store_.get(); }
  // Re-reads the rules now (asynchronously, before the next evaluation).
  void Reload();
  // Loads the rules and evaluates every group once at ts (tests).
  void EvalAllAt(int64_t ts_ns);

  // Prometheus's GET /api/v1/rules and /api/v1/alerts JSON for a tenant;
  // `type` is "", "alert" or "record".
  std::string RulesJson(const std::string& tenant, const std::string& type);
  std::string AlertsJson(const std::string& tenant);

  RulerStats Stats();
  const RulerOptions& options() const { return opts_; }

  // The Grafana Explore link of an expression (generatorURL).
  std::string GeneratorUrl(const std::string& expr) const;

 private:
  struct Slot {
    std::unique_ptr<Group> group;
    int64_t next_ns = 0;
  };
  Ruler() = default;
  void Run();
  void LoadRulesLocked();
  void EvalGroupLocked(Slot* s, int64_t ts);
  void SaveStateLocked();
  void LoadState();
  std::string StatePath() const { return opts_.rule_path + "/ruler-state.json"; }

  RulerOptions opts_;
  TenantQueryFn query_;
  std::unique_ptr<RuleStore> store_;
  std::unique_ptr<Notifier> notifier_;
  std::unique_ptr<RemoteWriter> remote_;

  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::atomic<bool> reload_{true};  // set without mu_: Reload() never waits for an evaluation
  int64_t next_poll_ns_ = 0;
  std::map<std::string, Slot> slots_;                   // tenant \x1f ns \x1f group
  std::map<std::string, std::vector<Alert>> restored_;  // tenant \x1f rule key -> alerts
  std::string last_state_;
  std::mutex stats_mu_;  // guards stats_ (so /metrics never waits for an evaluation)
  RulerStats stats_;
  std::thread thread_;
};

}  // namespace lode::ruler
