#include "ingest/otlp_config.h"

#include <re2/re2.h>

namespace lode::ingest {

const std::vector<std::string_view> kDefaultIndexLabelAttributes = {
    "service.name",
    "service.namespace",
    "service.instance.id",
    "deployment.environment",
    "deployment.environment.name",
    "cloud.region",
    "cloud.availability_zone",
    "k8s.cluster.name",
    "k8s.namespace.name",
    "k8s.pod.name",
    "k8s.container.name",
    "container.name",
    "k8s.replicaset.name",
    "k8s.deployment.name",
    "k8s.statefulset.name",
    "k8s.daemonset.name",
    "k8s.cronjob.name",
    "k8s.job.name",
};

const std::vector<std::string_view> kDiscoverServiceName = {
    "service",
    "app",
    "application",
    "app_name",
    "name",
    "app_kubernetes_io_name",
    "container",
    "container_name",
    "k8s_container_name",
    "component",
    "workload",
    "job",
    "k8s_job_name",
};

std::string_view OtlpActionName(OtlpAction a) {
  switch (a) {
    case OtlpAction::kIndexLabel:
      return "index_label";
    case OtlpAction::kStructuredMetadata:
      return "structured_metadata";
    case OtlpAction::kDrop:
      return "drop";
  }
  return "";
}

namespace {

// Loki's actionForAttribute: per rule, the regex first, then the names.
const OtlpAttributesRule* Match(const std::vector<OtlpAttributesRule>& rules,
                                std::string_view attr) {
  for (const auto& r : rules) {
    if (r.compiled && RE2::FullMatch(attr, *r.compiled)) return &r;
    for (const auto& a : r.attributes)
      if (a == attr) return &r;
  }
  return nullptr;
}

}  // namespace

OtlpAction OtlpConfig::ResourceAction(std::string_view attribute) const {
  if (!ignore_defaults) {
    for (auto d : kDefaultIndexLabelAttributes)
      if (d == attribute) return OtlpAction::kIndexLabel;
  }
  const OtlpAttributesRule* r = Match(resource_rules, attribute);
  return r ? r->action : OtlpAction::kStructuredMetadata;
}

OtlpAction OtlpConfig::ScopeAction(std::string_view attribute) const {
  const OtlpAttributesRule* r = Match(scope_rules, attribute);
  return r ? r->action : OtlpAction::kStructuredMetadata;
}

OtlpAction OtlpConfig::LogAction(std::string_view attribute) const {
  const OtlpAttributesRule* r = Match(log_rules, attribute);
  return r ? r->action : OtlpAction::kStructuredMetadata;
}

std::string CompileOtlpRule(OtlpAttributesRule* rule) {
  rule->compiled.reset();
  if (rule->regex.empty()) return "";
  RE2::Options opts;
  opts.set_log_errors(false);
  auto re = std::make_shared<re2::RE2>(rule->regex, opts);
  if (!re->ok()) return "invalid regex \"" + rule->regex + "\": " + re->error();
  rule->compiled = std::move(re);
  return "";
}

}  // namespace lode::ingest
