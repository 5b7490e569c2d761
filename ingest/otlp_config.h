// How OTLP attributes become stream labels, structured metadata or nothing:
// Loki 3's per-tenant `limits_config.otlp_config`. Plain data, parsed from
// YAML by server/ (otlp_config_yaml.h); immutable once built, so one config
// may be read by any number of threads.
//
// Rules are tried in order; the first that names an attribute (in
// `attributes`) or whose `regex` matches the whole attribute name decides its
// action. An attribute no rule names is structured metadata. Unless
// resource_attributes.ignore_defaults is set, Loki's default list of resource
// attributes (kDefaultIndexLabelAttributes) is an index_label rule placed
// before the configured ones.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace re2 {
class RE2;
}

namespace lode::ingest {

enum class OtlpAction { kIndexLabel, kStructuredMetadata, kDrop };

// "index_label", "structured_metadata", "drop".
std::string_view OtlpActionName(OtlpAction a);

struct OtlpAttributesRule {
  OtlpAction action = OtlpAction::kStructuredMetadata;
  std::vector<std::string> attributes;       // exact attribute names (before sanitising)
  std::string regex;                         // RE2 syntax, anchored at both ends; "" = none
  std::shared_ptr<const re2::RE2> compiled;  // set by Compile() when regex is set
};

struct OtlpConfig {
  bool ignore_defaults = false;                    // resource_attributes.ignore_defaults
  std::vector<OtlpAttributesRule> resource_rules;  // resource_attributes.attributes_config
  std::vector<OtlpAttributesRule> scope_rules;     // scope_attributes (no index_label)
  std::vector<OtlpAttributesRule> log_rules;       // log_attributes
  bool severity_text_as_label = false;             // severity_text_as_label

  OtlpAction ResourceAction(std::string_view attribute) const;
  OtlpAction ScopeAction(std::string_view attribute) const;
  OtlpAction LogAction(std::string_view attribute) const;
};

// Loki's distributor.otlp.default_resource_attributes_as_index_labels.
extern const std::vector<std::string_view> kDefaultIndexLabelAttributes;

// Loki's limits_config.discover_service_name default: when a resource has no
// service.name, the first of these index labels present gives service_name,
// else it is "unknown_service".
extern const std::vector<std::string_view> kDiscoverServiceName;

// Compiles a rule's regex (anchored). Returns an error message, "" when fine.
std::string CompileOtlpRule(OtlpAttributesRule* rule);

}  // namespace lode::ingest
