// The ruler's HTTP API (api_rules.h).

#include "server/api_rules.h"

#include "server/request.h"

namespace lode::server {
namespace {

const char kAccepted[] = "{\"status\":\"success\",\"data\":null,\"errorType\":\"\",\"error\":\"\"}";

Response Yaml(int status, std::string body) {
  Response r = Response::Text(status, std::move(body));
  r.content_type = "application/yaml";
  return r;
}

// Splits the path after `prefix` into namespace and group ("" when absent).
bool SplitPath(const std::string& path, const std::string& prefix, std::string* ns,
               std::string* group) {
  if (path.size() <= prefix.size()) return true;
  std::string rest = path.substr(prefix.size());
  if (rest[0] != '/') return false;
  rest.erase(0, 1);
  size_t slash = rest.find('/');
  *ns = rest.substr(0, slash);
  if (slash != std::string::npos) {
    *group = rest.substr(slash + 1);
    if (group->find('/') != std::string::npos || group->empty()) return false;
  }
  return true;
}

std::string NamespacesYaml(const ruler::Namespaces& nss) {
  std::vector<std::pair<std::string, const ruler::RuleFile*>> list;
  for (const auto& [ns, f] : nss) list.emplace_back(ns, &f);
  return ruler::NamespacesToYaml(list);
}

Response Manage(const std::string& prefix, ruler::Ruler* ruler, const Request& req,
                const std::string& tenant) {
  if (!ruler) return Response::Text(404, "ruler is not configured");
  std::string ns, group;
  if (!SplitPath(req.path, prefix, &ns, &group)) return Response::Text(404, "404 page not found");
  ruler::RuleStore* store = ruler->store();
  if (!ns.empty()) {
    Status s = ruler::RuleStore::CheckName("namespace", ns);
    if (!s.ok()) return Response::Text(400, s.message());
  }
  Status ts = ruler::RuleStore::CheckName("tenant", tenant);
  if (!ts.ok()) return Response::Text(400, ts.message());
  if (req.method == "GET") {
    std::vector<ruler::LoadError> errors;
    ruler::Namespaces nss = store->Load(tenant, &errors);
    if (!ns.empty()) {
      auto it = nss.find(ns);
      if (it == nss.end()) return Response::Text(404, "no rule groups found");
      if (!group.empty()) {
        for (const auto& g : it->second.groups) {
          if (g.name == group) return Yaml(200, ruler::GroupToYaml(g));
        }
        return Response::Text(404, "group does not exist");
      }
      ruler::Namespaces one;
      one[ns] = it->second;
      nss = std::move(one);
    }
    if (nss.empty()) return Response::Text(404, "no rule groups found");
    return Yaml(200, NamespacesYaml(nss));
  }
  if (req.method == "POST") {
    if (ns.empty() || !group.empty()) return Response::Text(405, "method not allowed");
    ruler::RuleGroup g;
    Status s = ruler::ParseRuleGroup(req.body, ns, &g);
    if (s.ok()) s = store->SetGroup(tenant, ns, g);
    if (!s.ok()) return Response::Text(HttpStatusFor(s), s.message());
    ruler->Reload();
    Response r = Response::Json(kAccepted);
    r.status = 202;
    return r;
  }
  if (req.method == "DELETE") {
    if (ns.empty()) return Response::Text(405, "method not allowed");
    Status s =
        group.empty() ? store->DeleteNamespace(tenant, ns) : store->DeleteGroup(tenant, ns, group);
    if (!s.ok()) return Response::Text(HttpStatusFor(s), s.message());
    ruler->Reload();
    Response r = Response::Json(kAccepted);
    r.status = 202;
    return r;
  }
  return Response::Text(405, "method not allowed");
}

}  // namespace

void RegisterRulesRoutes(HttpServer* http, const Config* cfg, ruler::Ruler* ruler) {
  for (std::string prefix : {"/loki/api/v1/rules", "/api/prom/rules"}) {
    auto h = WithTenant(cfg, [prefix, ruler](const Request& req, const std::string& tenant) {
      return Manage(prefix, ruler, req, tenant);
    });
    http->Route(prefix, h);
    http->Route(prefix + "/*", h);
  }
  http->Route("/prometheus/api/v1/rules",
              WithTenant(cfg, [ruler](const Request& req, const std::string& tenant) {
                std::string type = req.Param("type");
                if (type != "" && type != "alert" && type != "record") {
                  return Response::Text(400, "unsupported rule type \"" + type + "\"");
                }
                if (!ruler)
                  return Response::Json("{\"status\":\"success\",\"data\":{\"groups\":[]}}");
                return Response::Json(ruler->RulesJson(tenant, type));
              }));
  http->Route("/prometheus/api/v1/alerts",
              WithTenant(cfg, [ruler](const Request&, const std::string& tenant) {
                if (!ruler)
                  return Response::Json("{\"status\":\"success\",\"data\":{\"alerts\":[]}}");
                return Response::Json(ruler->AlertsJson(tenant));
              }));
}

void SetRulerMetrics(const ruler::RulerStats& st, Metrics* m) {
  auto counter = [m](const char* name, const char* help, uint64_t v) {
    m->Help(name, "counter", help);
    m->Set(name, {}, static_cast<double>(v));
  };
  counter("lode_ruler_evaluations_total", "Rule group evaluations.", st.evaluations);
  counter("lode_ruler_missed_iterations_total",
          "Group evaluations skipped because the ruler fell behind.", st.missed);
  counter("lode_ruler_rule_failures_total", "Rule evaluations that failed.", st.rule_failures);
  counter("lode_ruler_notifications_sent_total", "Alerts delivered to Alertmanager.",
          st.notifier.sent);
  counter("lode_ruler_notifications_dropped_total",
          "Alerts dropped because the notification queue was full.", st.notifier.dropped);
  counter("lode_ruler_notifications_errors_total", "Failed POSTs to Alertmanager.",
          st.notifier.errors);
  counter("lode_ruler_remote_write_samples_sent_total",
          "Recorded samples accepted by the remote-write receiver.", st.remote_write.sent);
  counter("lode_ruler_remote_write_samples_dropped_total",
          "Recorded samples dropped because the queue was full.", st.remote_write.dropped);
  counter("lode_ruler_remote_write_samples_failed_total",
          "Recorded samples given up after retries or a 4xx.", st.remote_write.failed);
  m->Help("lode_ruler_notification_queue_length", "gauge", "Alerts waiting to be sent.");
  m->Set("lode_ruler_notification_queue_length", {}, static_cast<double>(st.notifier.queued));
}

}  // namespace lode::server
