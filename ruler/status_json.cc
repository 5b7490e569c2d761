// Prometheus's rule and alert status JSON (Ruler::RulesJson, AlertsJson in
// evaluator.h): the shapes of GET /api/v1/rules and /api/v1/alerts.

#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "ruler/evaluator.h"

namespace lode::ruler {
namespace {

// Go's strconv.FormatFloat(v, 'e', -1, 64): the shortest 'e' form.
std::string FormatE(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[64];
  for (int prec = 0; prec < 17; ++prec) {
    snprintf(buf, sizeof buf, "%.*e", prec, v);
    if (std::strtod(buf, nullptr) == v) break;
  }
  return buf;
}

std::string Time(int64_t ns) { return ns == 0 ? "0001-01-01T00:00:00Z" : Rfc3339Ms(ns); }

nlohmann::json KvJson(const KeyValues& kvs) {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& [k, v] : kvs) j[k] = v;
  return j;
}

nlohmann::json LabelsObj(const Labels& ls) {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& l : ls) j[l.name] = l.value;
  return j;
}

nlohmann::json AlertObj(const Alert& a) {
  return {{"labels", LabelsObj(a.labels)},
          {"annotations", LabelsObj(a.annotations)},
          {"state", AlertStateName(a.state)},
          {"activeAt", Time(a.active_at_ns)},
          {"value", FormatE(a.value)}};
}

}  // namespace

std::string Ruler::RulesJson(const std::string& tenant, const std::string& type) {
  std::lock_guard<std::mutex> l(mu_);
  nlohmann::json groups = nlohmann::json::array();
  for (const auto& [key, s] : slots_) {
    const Group& g = *s.group;
    if (g.tenant() != tenant) continue;
    nlohmann::json rules = nlohmann::json::array();
    for (const auto& r : g.rules()) {
      nlohmann::json j;
      if (r.desc.IsAlert()) {
        if (type == "record") continue;
        AlertState st = AlertState::kInactive;
        nlohmann::json alerts = nlohmann::json::array();
        for (const auto& [k, a] : r.alerts) {
          if (a.state == AlertState::kInactive) continue;
          if (a.state == AlertState::kFiring) st = AlertState::kFiring;
          if (a.state == AlertState::kPending && st == AlertState::kInactive)
            st = AlertState::kPending;
          alerts.push_back(AlertObj(a));
        }
        j = {{"state", AlertStateName(st)},
             {"name", r.desc.alert},
             {"query", r.desc.expr},
             {"duration", static_cast<double>(r.desc.for_ns) / 1e9},
             {"keepFiringFor", static_cast<double>(r.desc.keep_firing_for_ns) / 1e9},
             {"labels", KvJson(r.desc.labels)},
             {"annotations", KvJson(r.desc.annotations)},
             {"alerts", alerts},
             {"type", "alerting"}};
      } else {
        if (type == "alert") continue;
        j = {{"name", r.desc.record},
             {"query", r.desc.expr},
             {"labels", KvJson(r.desc.labels)},
             {"type", "recording"}};
      }
      j["health"] = r.health;
      j["lastError"] = r.last_error;
      j["evaluationTime"] = r.eval_seconds;
      j["lastEvaluation"] = Time(r.last_eval_ns);
      rules.push_back(std::move(j));
    }
    if (!type.empty() && rules.empty()) continue;
    groups.push_back({{"name", g.desc().name},
                      {"file", g.ns()},
                      {"rules", rules},
                      {"interval", static_cast<double>(g.interval_ns()) / 1e9},
                      {"limit", g.desc().limit},
                      {"evaluationTime", g.eval_seconds()},
                      {"lastEvaluation", Time(g.last_eval_ns())}});
  }
  nlohmann::json out = {{"status", "success"}, {"data", {{"groups", groups}}}};
  return out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string Ruler::AlertsJson(const std::string& tenant) {
  std::lock_guard<std::mutex> l(mu_);
  nlohmann::json alerts = nlohmann::json::array();
  for (const auto& [key, s] : slots_) {
    if (s.group->tenant() != tenant) continue;
    for (const auto& r : s.group->rules()) {
      for (const auto& [k, a] : r.alerts) {
        if (a.state != AlertState::kInactive) alerts.push_back(AlertObj(a));
      }
    }
  }
  nlohmann::json out = {{"status", "success"}, {"data", {{"alerts", alerts}}}};
  return out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace lode::ruler
