// Rule group evaluation and the alert state machine (group.h). Mirrors
// Prometheus's rules/alerting.go and rules/recording.go.

#include "ruler/group.h"

#include <algorithm>
#include <chrono>

namespace lode::ruler {

const char* AlertStateName(AlertState s) {
  switch (s) {
    case AlertState::kInactive:
      return "inactive";
    case AlertState::kPending:
      return "pending";
    case AlertState::kFiring:
      return "firing";
  }
  return "inactive";
}

Status Group::Create(const std::string& tenant, const std::string& ns, const RuleGroup& g,
                     int64_t interval_ns, std::unique_ptr<Group>* out) {
  auto grp = std::make_unique<Group>();
  grp->tenant_ = tenant;
  grp->ns_ = ns;
  grp->desc_ = g;
  grp->interval_ns_ = interval_ns;
  for (const auto& rd : g.rules) {
    RuleState r;
    r.desc = rd;
    if (rd.IsAlert()) {
      for (const auto& [k, v] : rd.labels) {
        std::unique_ptr<logql::Template> t;
        LODE_RETURN_IF_ERROR(logql::Template::CompilePrometheus(v, "__alert_" + rd.alert, &t));
        r.label_tmpls.emplace_back(k, std::move(t));
      }
      for (const auto& [k, v] : rd.annotations) {
        std::unique_ptr<logql::Template> t;
        LODE_RETURN_IF_ERROR(logql::Template::CompilePrometheus(v, "__alert_" + rd.alert, &t));
        r.annotation_tmpls.emplace_back(k, std::move(t));
      }
    }
    grp->rules_.push_back(std::move(r));
  }
  *out = std::move(grp);
  return Status::OK();
}

std::string Group::RuleKey(size_t i) const {
  return ns_ + "\x1f" + desc_.name + "\x1f" + rules_[i].desc.Name() + "\x1f" + std::to_string(i);
}

void Group::Eval(int64_t ts, const QueryFn& query, std::vector<RecordedSample>* recorded) {
  auto g0 = std::chrono::steady_clock::now();
  for (auto& r : rules_) {
    auto t0 = std::chrono::steady_clock::now();
    std::vector<VecSample> vec;
    Status s = query(r.desc.expr, ts, &vec);
    r.last_error.clear();
    if (s.ok()) {
      if (r.desc.IsAlert()) {
        EvalAlert(&r, ts, vec);
      } else {
        EvalRecord(&r, ts, vec, recorded);
      }
    } else {
      r.last_error = s.message();
    }
    r.health = r.last_error.empty() ? "ok" : "err";
    r.last_eval_ns = ts;
    r.eval_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  }
  last_eval_ns_ = ts;
  eval_seconds_ = std::chrono::duration<double>(std::chrono::steady_clock::now() - g0).count();
}

namespace {

// Runs `tmpls` over the sample; a template error becomes the text
// Prometheus substitutes ("<error expanding template: ...>").
std::vector<std::pair<std::string, std::string>> Expand(
    const std::vector<std::pair<std::string, std::unique_ptr<logql::Template>>>& tmpls,
    const Labels& ls, double value) {
  std::vector<LabelView> views;
  views.reserve(ls.size());
  for (const auto& l : ls) views.push_back({l.name, l.value});
  logql::TemplateContext ctx;
  ctx.labels = views.data();
  ctx.n_labels = views.size();
  ctx.value = value;
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& [k, t] : tmpls) {
    std::string v;
    Status s = t->Execute(ctx, &v);
    if (!s.ok()) v = "<error expanding template: " + s.message() + ">";
    out.emplace_back(k, std::move(v));
  }
  return out;
}

void SetLabel(Labels* ls, const std::string& name, const std::string& value) {
  for (auto& l : *ls) {
    if (l.name == name) {
      l.value = value;
      return;
    }
  }
  ls->push_back({name, value});
}

}  // namespace

void Group::EvalAlert(RuleState* r, int64_t ts, const std::vector<VecSample>& vec) {
  const RuleDesc& d = r->desc;
  std::map<std::string, Alert> current;
  for (const auto& smp : vec) {
    Labels ls = smp.labels;
    for (auto& kv : Expand(r->label_tmpls, smp.labels, smp.value)) {
      const auto& k = kv.first;  // not a structured binding: the lambda below captures it
      auto& v = kv.second;
      if (v.empty()) {
        ls.erase(std::remove_if(ls.begin(), ls.end(), [&](const Label& l) { return l.name == k; }),
                 ls.end());
      } else {
        SetLabel(&ls, k, v);
      }
    }
    SetLabel(&ls, "alertname", d.alert);
    ls.erase(
        std::remove_if(ls.begin(), ls.end(), [](const Label& l) { return l.name == "__name__"; }),
        ls.end());
    SortLabels(&ls);
    Alert a;
    a.labels = ls;
    for (auto& [k, v] : Expand(r->annotation_tmpls, smp.labels, smp.value))
      a.annotations.push_back({k, v});
    SortLabels(&a.annotations);
    a.value = smp.value;
    std::string key = LabelsToString(ls);
    if (current.count(key)) {
      r->last_error = "vector contains metrics with the same labelset after applying alert labels";
      return;  // Prometheus keeps the previous state on this error
    }
    current.emplace(std::move(key), std::move(a));
  }
  if (desc_.limit > 0 && static_cast<int64_t>(current.size()) > desc_.limit) {
    r->alerts.clear();
    r->last_error = "exceeded limit of " + std::to_string(desc_.limit) + " with " +
                    std::to_string(current.size()) + " alerts";
    return;
  }
  for (auto& [key, a] : current) {
    auto it = r->alerts.find(key);
    if (it != r->alerts.end() && it->second.state != AlertState::kInactive) {
      it->second.value = a.value;
      it->second.annotations = a.annotations;
      it->second.keep_firing_since_ns = 0;
      continue;
    }
    a.state = AlertState::kPending;
    a.active_at_ns = ts;
    r->alerts[key] = std::move(a);
  }
  for (auto it = r->alerts.begin(); it != r->alerts.end();) {
    Alert& a = it->second;
    if (!current.count(it->first)) {
      if (a.state == AlertState::kFiring && d.keep_firing_for_ns > 0) {
        if (a.keep_firing_since_ns == 0) a.keep_firing_since_ns = ts;
        if (ts - a.keep_firing_since_ns < d.keep_firing_for_ns) {
          ++it;
          continue;
        }
      }
      if (a.state == AlertState::kPending ||
          (a.resolved_at_ns != 0 && ts - a.resolved_at_ns > kResolvedRetentionNs)) {
        it = r->alerts.erase(it);
        continue;
      }
      if (a.state != AlertState::kInactive) {
        a.state = AlertState::kInactive;
        a.resolved_at_ns = ts;
      }
      ++it;
      continue;
    }
    if (a.state == AlertState::kPending && ts - a.active_at_ns >= d.for_ns) {
      a.state = AlertState::kFiring;
      a.fired_at_ns = ts;
    }
    ++it;
  }
}

void Group::EvalRecord(RuleState* r, int64_t ts, const std::vector<VecSample>& vec,
                       std::vector<RecordedSample>* out) {
  std::vector<RecordedSample> samples;
  std::map<std::string, bool> seen;
  for (const auto& smp : vec) {
    RecordedSample rs;
    rs.labels = smp.labels;
    SetLabel(&rs.labels, "__name__", r->desc.record);
    for (const auto& [k, v] : r->desc.labels) SetLabel(&rs.labels, k, v);
    SortLabels(&rs.labels);
    if (!seen.emplace(LabelsToString(rs.labels), true).second) {
      r->last_error = "vector contains metrics with the same labelset after applying rule labels";
      return;
    }
    rs.value = smp.value;
    rs.ts_ns = ts;
    samples.push_back(std::move(rs));
  }
  if (desc_.limit > 0 && static_cast<int64_t>(samples.size()) > desc_.limit) {
    r->last_error = "exceeded limit of " + std::to_string(desc_.limit) + " with " +
                    std::to_string(samples.size()) + " series";
    return;
  }
  for (auto& s : samples) out->push_back(std::move(s));
}

std::vector<std::pair<size_t, Alert>> Group::Notifications(int64_t ts, int64_t resend_delay_ns) {
  std::vector<std::pair<size_t, Alert>> out;
  int64_t valid = 4 * std::max(interval_ns_, resend_delay_ns);
  for (size_t i = 0; i < rules_.size(); ++i) {
    for (auto& [key, a] : rules_[i].alerts) {
      if (a.state == AlertState::kPending) continue;
      bool due = a.resolved_at_ns > a.last_sent_ns ||
                 (a.state == AlertState::kFiring && a.last_sent_ns + resend_delay_ns <= ts);
      if (!due) continue;
      a.last_sent_ns = ts;
      a.valid_until_ns = ts + valid;
      out.emplace_back(i, a);
    }
  }
  return out;
}

void Group::CopyStateFrom(Group* old) {
  for (auto& r : rules_) {
    for (auto& o : old->rules_) {
      if (o.desc.Name() == r.desc.Name() && o.desc.labels == r.desc.labels &&
          o.desc.expr == r.desc.expr) {
        r.alerts = std::move(o.alerts);
        r.health = o.health;
        r.last_error = o.last_error;
        r.last_eval_ns = o.last_eval_ns;
        r.eval_seconds = o.eval_seconds;
        break;
      }
    }
  }
  last_eval_ns_ = old->last_eval_ns_;
  eval_seconds_ = old->eval_seconds_;
}

}  // namespace lode::ruler
