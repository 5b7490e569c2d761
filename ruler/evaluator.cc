// The ruler's evaluation loop and state persistence (evaluator.h).

#include "ruler/evaluator.h"

#include <pthread.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

namespace lode::ruler {

TenantQueryFn EngineQuery(logql::Engine* engine) {
  return [engine](const std::string& tenant, const std::string& expr, int64_t ts,
                  std::vector<VecSample>* out) {
    logql::QueryRequest q;
    q.tenant = tenant;
    q.query = expr;
    q.start_ns = q.end_ns = ts;
    q.instant = true;
    logql::QueryResult r;
    LODE_RETURN_IF_ERROR(engine->Query(q, &r));
    if (r.type == logql::QueryResult::Type::kScalar) {
      double v = r.metric.series.empty() || r.metric.series[0].points.empty()
                     ? 0
                     : r.metric.series[0].points[0].v;
      out->push_back({Labels(), v});
      return Status::OK();
    }
    if (r.type != logql::QueryResult::Type::kVector) {
      return Status::InvalidArgument("rule result is not a vector or scalar");
    }
    for (auto& s : r.metric.series) {
      if (s.points.empty()) continue;
      out->push_back({std::move(s.metric), s.points.back().v});
    }
    return Status::OK();
  };
}

Status Ruler::Open(RulerOptions opts, TenantQueryFn query, std::unique_ptr<Ruler>* out) {
  std::unique_ptr<Ruler> r(new Ruler());
  if (!opts.clock) {
    opts.clock = [] {
      return std::chrono::duration_cast<std::chrono::nanoseconds>(
                 std::chrono::system_clock::now().time_since_epoch())
          .count();
    };
  }
  if (opts.evaluation_interval_ns <= 0)
    return Status::InvalidArgument("ruler.evaluation_interval must be positive");
  std::error_code ec;
  std::filesystem::create_directories(opts.rules_dir, ec);
  if (ec) return Status::IOError("ruler: cannot create " + opts.rules_dir + ": " + ec.message());
  if (opts.rule_path.empty()) opts.rule_path = opts.rules_dir + "/.ruler";
  std::filesystem::create_directories(opts.rule_path, ec);
  if (ec) return Status::IOError("ruler: cannot create " + opts.rule_path + ": " + ec.message());
  r->store_ = std::make_unique<RuleStore>(opts.rules_dir);
  if (!opts.alertmanager_urls.empty()) {
    NotifierOptions no;
    no.urls = opts.alertmanager_urls;
    no.queue_capacity = opts.notification_queue_capacity;
    LODE_RETURN_IF_ERROR(Notifier::Create(no, &r->notifier_));
  }
  if (!opts.remote_write_url.empty()) {
    RemoteWriteOptions ro;
    ro.url = opts.remote_write_url;
    ro.queue_capacity = opts.remote_write_queue_capacity;
    LODE_RETURN_IF_ERROR(RemoteWriter::Create(ro, &r->remote_));
  }
  r->opts_ = std::move(opts);
  r->query_ = std::move(query);
  r->LoadState();
  r->thread_ = std::thread([p = r.get()] { p->Run(); });
  *out = std::move(r);
  return Status::OK();
}

Ruler::~Ruler() {
  {
    std::lock_guard<std::mutex> l(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Ruler::Reload() {
  // No lock: an evaluation in progress holds mu_. A wakeup lost between the
  // loop's check and its wait costs at most the loop's 1 s wait.
  reload_ = true;
  cv_.notify_all();
}

std::string Ruler::GeneratorUrl(const std::string& expr) const {
  if (opts_.external_url.empty()) return "";
  nlohmann::json q = {{"refId", "A"}, {"expr", expr}, {"queryType", "range"}};
  nlohmann::json left = {{"range", {{"from", "now-1h"}, {"to", "now"}}}};
  if (!opts_.datasource_uid.empty()) {
    q["datasource"] = {{"type", "loki"}, {"uid", opts_.datasource_uid}};
    left["datasource"] = opts_.datasource_uid;
  }
  left["queries"] = nlohmann::json::array({q});
  std::string text = left.dump(), esc;
  static const char* hex = "0123456789ABCDEF";
  for (unsigned char c : text) {
    if (isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      esc.push_back(static_cast<char>(c));
    } else {
      esc += '%';
      esc += hex[c >> 4];
      esc += hex[c & 15];
    }
  }
  std::string base = opts_.external_url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  return base + "/explore?left=" + esc;
}

void Ruler::LoadRulesLocked() {
  std::vector<LoadError> errors;
  auto all = store_->LoadAll(&errors);
  for (const auto& e : errors) fprintf(stderr, "lode: ruler: skipping %s\n", e.message.c_str());
  std::map<std::string, Slot> next;
  int64_t now = opts_.clock();
  for (auto& [tenant, nss] : all) {
    for (auto& [ns, file] : nss) {
      for (auto& g : file.groups) {
        std::string key = tenant + "\x1f" + ns + "\x1f" + g.name;
        int64_t interval = g.interval_ns > 0 ? g.interval_ns : opts_.evaluation_interval_ns;
        auto old = slots_.find(key);
        if (old != slots_.end() && old->second.group->interval_ns() == interval &&
            GroupToYaml(old->second.group->desc()) == GroupToYaml(g)) {
          next[key] = std::move(old->second);
          continue;
        }
        Slot s;
        Status st = Group::Create(tenant, ns, g, interval, &s.group);
        if (!st.ok()) {
          fprintf(stderr, "lode: ruler: %s/%s: %s\n", tenant.c_str(), ns.c_str(),
                  st.message().c_str());
          continue;
        }
        if (old != slots_.end()) {
          s.group->CopyStateFrom(old->second.group.get());
        } else {
          for (size_t i = 0; i < s.group->rules().size(); ++i) {
            auto it = restored_.find(tenant + "\x1f" + s.group->RuleKey(i));
            if (it == restored_.end()) continue;
            for (auto& a : it->second) s.group->rules()[i].alerts[LabelsToString(a.labels)] = a;
            restored_.erase(it);
          }
        }
        s.next_ns = (now / interval + 1) * interval;
        next[key] = std::move(s);
      }
    }
  }
  slots_ = std::move(next);
}

void Ruler::EvalGroupLocked(Slot* s, int64_t ts) {
  Group* g = s->group.get();
  const std::string tenant = g->tenant();
  std::vector<RecordedSample> recorded;
  g->Eval(
      ts,
      [&](const std::string& expr, int64_t t, std::vector<VecSample>* out) {
        return query_(tenant, expr, t, out);
      },
      &recorded);
  {
    std::lock_guard<std::mutex> sl(stats_mu_);
    stats_.evaluations++;
    for (const auto& r : g->rules()) {
      if (r.health == "err") stats_.rule_failures++;
    }
  }
  if (notifier_) {
    std::map<size_t, std::vector<Alert>> by_rule;
    for (auto& [i, a] : g->Notifications(ts, opts_.resend_delay_ns))
      by_rule[i].push_back(std::move(a));
    for (auto& [i, list] : by_rule) notifier_->Send(list, GeneratorUrl(g->rules()[i].desc.expr));
  }
  if (remote_) remote_->Append(std::move(recorded));
}

void Ruler::EvalAllAt(int64_t ts) {
  std::lock_guard<std::mutex> l(mu_);
  LoadRulesLocked();
  reload_ = false;
  for (auto& [k, s] : slots_) EvalGroupLocked(&s, ts);
  SaveStateLocked();
}

void Ruler::Run() {
  pthread_setname_np(pthread_self(),
                     "lode-ruler");  // for per-thread CPU accounting (bench/ruler_bench.sh)
  std::unique_lock<std::mutex> l(mu_);
  while (!stop_) {
    int64_t now = opts_.clock();
    if (reload_ || now >= next_poll_ns_) {
      LoadRulesLocked();
      reload_ = false;
      next_poll_ns_ = now + opts_.poll_interval_ns;
    }
    bool evaluated = false;
    int64_t wake = next_poll_ns_;
    for (auto& [k, s] : slots_) {
      if (s.next_ns <= now) {
        int64_t interval = s.group->interval_ns();
        int64_t ts = now / interval * interval;  // the latest aligned slot
        {
          std::lock_guard<std::mutex> sl(stats_mu_);
          stats_.missed += static_cast<uint64_t>((ts - s.next_ns) / interval);
        }
        EvalGroupLocked(&s, ts);
        s.next_ns = ts + interval;
        evaluated = true;
      }
      wake = std::min(wake, s.next_ns);
    }
    if (evaluated) SaveStateLocked();
    int64_t wait_ns = std::clamp<int64_t>(wake - opts_.clock(), 1000000, 1000000000);
    cv_.wait_for(l, std::chrono::nanoseconds(wait_ns), [&] { return stop_ || reload_; });
  }
}

namespace {
nlohmann::json LabelsJson(const Labels& ls) {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& l : ls) j[l.name] = l.value;
  return j;
}
Labels JsonLabels(const nlohmann::json& j) {
  Labels ls;
  for (auto it = j.begin(); it != j.end(); ++it)
    ls.push_back({it.key(), it.value().get<std::string>()});
  SortLabels(&ls);
  return ls;
}
}  // namespace

void Ruler::SaveStateLocked() {
  nlohmann::json alerts = nlohmann::json::array();
  for (auto& [k, s] : slots_) {
    for (size_t i = 0; i < s.group->rules().size(); ++i) {
      for (const auto& [lk, a] : s.group->rules()[i].alerts) {
        alerts.push_back({{"tenant", s.group->tenant()},
                          {"rule", s.group->RuleKey(i)},
                          {"labels", LabelsJson(a.labels)},
                          {"annotations", LabelsJson(a.annotations)},
                          {"state", AlertStateName(a.state)},
                          {"value", a.value},
                          {"active_at", a.active_at_ns},
                          {"fired_at", a.fired_at_ns},
                          {"resolved_at", a.resolved_at_ns},
                          {"last_sent", a.last_sent_ns},
                          {"valid_until", a.valid_until_ns}});
      }
    }
  }
  // Restored alerts of groups not loaded (yet) are kept.
  for (const auto& [key, list] : restored_) {
    size_t sep = key.find('\x1f');
    for (const auto& a : list) {
      alerts.push_back({{"tenant", key.substr(0, sep)},
                        {"rule", key.substr(sep + 1)},
                        {"labels", LabelsJson(a.labels)},
                        {"annotations", LabelsJson(a.annotations)},
                        {"state", AlertStateName(a.state)},
                        {"value", a.value},
                        {"active_at", a.active_at_ns},
                        {"fired_at", a.fired_at_ns},
                        {"resolved_at", a.resolved_at_ns},
                        {"last_sent", a.last_sent_ns},
                        {"valid_until", a.valid_until_ns}});
    }
  }
  std::string text = nlohmann::json({{"alerts", alerts}})
                         .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  if (text == last_state_) return;
  Status s = WriteFileAtomic(StatePath(), text);
  if (!s.ok()) {
    fprintf(stderr, "lode: ruler: saving alert state: %s\n", s.message().c_str());
    return;
  }
  last_state_ = std::move(text);
}

void Ruler::LoadState() {
  std::ifstream in(StatePath());
  if (!in) return;
  std::stringstream ss;
  ss << in.rdbuf();
  try {
    auto j = nlohmann::json::parse(ss.str());
    for (const auto& e : j.at("alerts")) {
      Alert a;
      a.labels = JsonLabels(e.at("labels"));
      a.annotations = JsonLabels(e.at("annotations"));
      std::string st = e.at("state").get<std::string>();
      a.state = st == "firing"    ? AlertState::kFiring
                : st == "pending" ? AlertState::kPending
                                  : AlertState::kInactive;
      a.value = e.at("value").get<double>();
      a.active_at_ns = e.at("active_at").get<int64_t>();
      a.fired_at_ns = e.at("fired_at").get<int64_t>();
      a.resolved_at_ns = e.at("resolved_at").get<int64_t>();
      a.last_sent_ns = e.at("last_sent").get<int64_t>();
      a.valid_until_ns = e.at("valid_until").get<int64_t>();
      restored_[e.at("tenant").get<std::string>() + "\x1f" + e.at("rule").get<std::string>()]
          .push_back(std::move(a));
    }
  } catch (const std::exception& e) {
    fprintf(stderr, "lode: ruler: ignoring unreadable %s: %s\n", StatePath().c_str(), e.what());
    restored_.clear();
  }
}

RulerStats Ruler::Stats() {
  RulerStats s;
  {
    std::lock_guard<std::mutex> l(stats_mu_);
    s = stats_;
  }
  if (notifier_) s.notifier = notifier_->Stats();
  if (remote_) s.remote_write = remote_->Stats();
  return s;
}

}  // namespace lode::ruler
