#include "server/otlp_config_yaml.h"

namespace lode::server {

namespace {

Status Bad(const std::string& key, const std::string& what) {
  return Status::InvalidArgument("config: " + key + ": " + what);
}

Status ParseBool(const std::string& key, const YAML::Node& n, bool* out) {
  if (!n.IsScalar() || (n.Scalar() != "true" && n.Scalar() != "false"))
    return Bad(key, "expected true or false");
  *out = n.Scalar() == "true";
  return Status::OK();
}

Status ParseRules(const std::string& key, const YAML::Node& n, bool allow_index_label,
                  std::vector<ingest::OtlpAttributesRule>* out) {
  out->clear();
  if (n.IsNull()) return Status::OK();
  if (!n.IsSequence()) return Bad(key, "expected a list");
  for (size_t i = 0; i < n.size(); ++i) {
    const YAML::Node& item = n[i];
    std::string ik = key + "[" + std::to_string(i) + "]";
    if (!item.IsMap()) return Bad(ik, "expected a mapping with action and attributes or regex");
    ingest::OtlpAttributesRule r;
    std::string action = "structured_metadata";
    for (const auto& kv : item) {
      std::string name = kv.first.as<std::string>();
      const YAML::Node& v = kv.second;
      if (name == "action") {
        if (!v.IsScalar()) return Bad(ik + ".action", "expected a string");
        action = v.Scalar();
      } else if (name == "attributes") {
        if (v.IsNull()) continue;
        if (!v.IsSequence()) return Bad(ik + ".attributes", "expected a list of attribute names");
        for (const auto& a : v) {
          if (!a.IsScalar()) return Bad(ik + ".attributes", "expected a list of attribute names");
          r.attributes.push_back(a.Scalar());
        }
      } else if (name == "regex") {
        if (v.IsNull()) continue;
        if (!v.IsScalar()) return Bad(ik + ".regex", "expected a string");
        r.regex = v.Scalar();
      } else {
        return Status::InvalidArgument("config: unknown key \"" + ik + "." + name + "\"");
      }
    }
    if (action.empty() || action == "structured_metadata") {
      r.action = ingest::OtlpAction::kStructuredMetadata;
    } else if (action == "drop") {
      r.action = ingest::OtlpAction::kDrop;
    } else if (action == "index_label") {
      if (!allow_index_label)
        return Bad(ik, "index_label action is only supported for resource_attributes");
      r.action = ingest::OtlpAction::kIndexLabel;
    } else {
      return Bad(ik,
                 "unsupported action, it must be one of: drop, index_label, structured_metadata");
    }
    if (r.attributes.empty() && r.regex.empty()) return Bad(ik, "attributes or regex must be set");
    if (!r.attributes.empty() && !r.regex.empty())
      return Bad(ik, "only one of attributes or regex must be set");
    std::string err = ingest::CompileOtlpRule(&r);
    if (!err.empty()) return Bad(ik + ".regex", err);
    out->push_back(std::move(r));
  }
  return Status::OK();
}

void EmitRules(const std::vector<ingest::OtlpAttributesRule>& rules, YAML::Emitter* e) {
  *e << YAML::BeginSeq;
  for (const auto& r : rules) {
    *e << YAML::BeginMap << YAML::Key << "action" << YAML::Value
       << std::string(ingest::OtlpActionName(r.action));
    if (!r.attributes.empty())
      *e << YAML::Key << "attributes" << YAML::Value << YAML::Flow << r.attributes;
    if (!r.regex.empty()) *e << YAML::Key << "regex" << YAML::Value << r.regex;
    *e << YAML::EndMap;
  }
  *e << YAML::EndSeq;
}

}  // namespace

Status ParseOtlpConfig(const std::string& key, const std::string& yaml_text,
                       ingest::OtlpConfig* out) {
  *out = ingest::OtlpConfig();
  YAML::Node n;
  try {
    n = YAML::Load(yaml_text);
  } catch (const YAML::Exception& ex) {
    return Bad(key, ex.what());
  }
  if (n.IsNull()) return Status::OK();
  if (!n.IsMap()) return Bad(key, "expected a mapping");
  for (const auto& kv : n) {
    std::string name = kv.first.as<std::string>();
    const YAML::Node& v = kv.second;
    std::string k = key + "." + name;
    if (name == "resource_attributes") {
      if (v.IsNull()) continue;
      if (!v.IsMap()) return Bad(k, "expected a mapping");
      for (const auto& rkv : v) {
        std::string rname = rkv.first.as<std::string>();
        if (rname == "ignore_defaults") {
          LODE_RETURN_IF_ERROR(
              ParseBool(k + ".ignore_defaults", rkv.second, &out->ignore_defaults));
        } else if (rname == "attributes_config") {
          LODE_RETURN_IF_ERROR(
              ParseRules(k + ".attributes_config", rkv.second, true, &out->resource_rules));
        } else {
          return Status::InvalidArgument("config: unknown key \"" + k + "." + rname + "\"");
        }
      }
    } else if (name == "scope_attributes") {
      LODE_RETURN_IF_ERROR(ParseRules(k, v, false, &out->scope_rules));
    } else if (name == "log_attributes") {
      LODE_RETURN_IF_ERROR(ParseRules(k, v, true, &out->log_rules));
    } else if (name == "severity_text_as_label") {
      LODE_RETURN_IF_ERROR(ParseBool(k, v, &out->severity_text_as_label));
    } else {
      return Status::InvalidArgument("config: unknown key \"" + k + "\"");
    }
  }
  return Status::OK();
}

void EmitOtlpConfig(const ingest::OtlpConfig& c, YAML::Emitter* e) {
  *e << YAML::BeginMap;
  *e << YAML::Key << "resource_attributes" << YAML::Value << YAML::BeginMap;
  *e << YAML::Key << "ignore_defaults" << YAML::Value << (c.ignore_defaults ? "true" : "false");
  *e << YAML::Key << "attributes_config" << YAML::Value;
  EmitRules(c.resource_rules, e);
  *e << YAML::EndMap;
  *e << YAML::Key << "scope_attributes" << YAML::Value;
  EmitRules(c.scope_rules, e);
  *e << YAML::Key << "log_attributes" << YAML::Value;
  EmitRules(c.log_rules, e);
  *e << YAML::Key << "severity_text_as_label" << YAML::Value
     << (c.severity_text_as_label ? "true" : "false");
  *e << YAML::EndMap;
}

}  // namespace lode::server
