// Rule file parsing and validation (rules_file.h).

#include "ruler/rules_file.h"

#include <yaml-cpp/yaml.h>

#include <set>

#include "base/labels.h"
#include "logql/syntax/parser.h"
#include "logql/template/template.h"

namespace lode::ruler {
namespace {

std::string Where(const std::string& file, const std::string& group, const std::string& rule) {
  std::string w = file;
  if (!group.empty() || !rule.empty()) w += ": group " + GoQuote(group);
  if (!rule.empty()) w += ", rule " + GoQuote(rule);
  return w;
}

Status Bad(const std::string& where, const std::string& msg) {
  return Status::InvalidArgument(where + ": " + msg);
}

Status ScalarText(const YAML::Node& n, const std::string& where, const std::string& key,
                  std::string* out) {
  if (!n.IsScalar()) return Bad(where, "field '" + key + "' must be a string");
  *out = n.Scalar();
  return Status::OK();
}

Status Map(const YAML::Node& n, const std::string& where, const std::string& key, KeyValues* out) {
  if (n.IsNull()) return Status::OK();
  if (!n.IsMap()) return Bad(where, "field '" + key + "' must be a mapping");
  for (const auto& kv : n) {
    if (!kv.first.IsScalar() || !kv.second.IsScalar())
      return Bad(where, "field '" + key + "' must map strings to strings");
    out->emplace_back(kv.first.Scalar(), kv.second.Scalar());
  }
  return Status::OK();
}

Status Duration(const YAML::Node& n, const std::string& where, const std::string& key,
                int64_t* out) {
  std::string s;
  LODE_RETURN_IF_ERROR(ScalarText(n, where, key, &s));
  if (!logql::ParseDuration(s, out).ok() || *out < 0)
    return Bad(where, "invalid duration in field '" + key + "': " + GoQuote(s));
  return Status::OK();
}

Status ParseRule(const YAML::Node& n, const std::string& file, const std::string& group,
                 RuleDesc* r) {
  std::string where = Where(file, group, "");
  if (!n.IsMap()) return Bad(where, "each rule must be a mapping");
  for (const auto& kv : n) {
    std::string key = kv.first.Scalar();
    std::string rw = Where(file, group, r->Name().empty() ? "?" : r->Name());
    if (key == "alert") {
      LODE_RETURN_IF_ERROR(ScalarText(kv.second, where, key, &r->alert));
    } else if (key == "record") {
      LODE_RETURN_IF_ERROR(ScalarText(kv.second, where, key, &r->record));
    } else if (key == "expr") {
      LODE_RETURN_IF_ERROR(ScalarText(kv.second, where, key, &r->expr));
    } else if (key == "for") {
      LODE_RETURN_IF_ERROR(Duration(kv.second, where, key, &r->for_ns));
    } else if (key == "keep_firing_for") {
      LODE_RETURN_IF_ERROR(Duration(kv.second, where, key, &r->keep_firing_for_ns));
    } else if (key == "labels") {
      LODE_RETURN_IF_ERROR(Map(kv.second, where, key, &r->labels));
    } else if (key == "annotations") {
      LODE_RETURN_IF_ERROR(Map(kv.second, where, key, &r->annotations));
    } else {
      return Bad(where, "field " + key + " not found in type rulefmt.RuleNode");
    }
  }
  return Status::OK();
}

Status ParseGroupNode(const YAML::Node& n, const std::string& file, RuleGroup* g) {
  if (!n.IsMap()) return Bad(file, "each group must be a mapping");
  for (const auto& kv : n) {
    std::string key = kv.first.Scalar();
    if (key == "name") {
      LODE_RETURN_IF_ERROR(ScalarText(kv.second, file, key, &g->name));
    }
  }
  for (const auto& kv : n) {
    std::string key = kv.first.Scalar();
    std::string where = Where(file, g->name, "");
    if (key == "name") continue;
    if (key == "interval") {
      LODE_RETURN_IF_ERROR(Duration(kv.second, where, key, &g->interval_ns));
    } else if (key == "limit") {
      try {
        g->limit = kv.second.as<int64_t>();
      } catch (const YAML::Exception&) {
        return Bad(where, "field 'limit' must be an integer");
      }
      if (g->limit < 0) return Bad(where, "field 'limit' must not be negative");
    } else if (key == "rules") {
      if (kv.second.IsNull()) continue;
      if (!kv.second.IsSequence()) return Bad(where, "field 'rules' must be a list");
      for (const auto& rn : kv.second) {
        RuleDesc r;
        LODE_RETURN_IF_ERROR(ParseRule(rn, file, g->name, &r));
        g->rules.push_back(std::move(r));
      }
    } else if (key == "source_tenants" || key == "query_offset") {
      // Accepted for compatibility with Loki/Prometheus files; not used.
    } else {
      return Bad(where, "field " + key + " not found in type rulefmt.RuleGroup");
    }
  }
  return Status::OK();
}

Status LoadYaml(const std::string& text, const std::string& where, YAML::Node* out) {
  try {
    *out = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    return Bad(where, "yaml: " + e.msg + " (line " + std::to_string(e.mark.line + 1) + ")");
  }
  return Status::OK();
}

bool ValidMetricName(const std::string& s) {
  if (s.empty()) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' ||
              (i > 0 && c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

Status CheckTemplate(const std::string& where, const std::string& alert, const std::string& kind,
                     const std::string& name, const std::string& text) {
  std::unique_ptr<logql::Template> t;
  Status s = logql::Template::CompilePrometheus(text, "__alert_" + alert, &t);
  if (!s.ok())
    return Bad(where, "invalid " + kind + " template for " + GoQuote(name) + ": " + s.message());
  return Status::OK();
}

}  // namespace

Status ValidateGroup(const RuleGroup& g, const std::string& file) {
  if (g.name.empty()) return Bad(file, "groupname must not be empty");
  std::string gw = Where(file, g.name, "");
  if (g.rules.empty()) return Bad(gw, "a group must have at least one rule");
  for (size_t i = 0; i < g.rules.size(); ++i) {
    const RuleDesc& r = g.rules[i];
    std::string w = Where(file, g.name, r.Name().empty() ? "#" + std::to_string(i + 1) : r.Name());
    if (r.alert.empty() && r.record.empty())
      return Bad(w, "one of 'record' or 'alert' must be set");
    if (!r.alert.empty() && !r.record.empty())
      return Bad(w, "only one of 'record' and 'alert' must be set");
    if (r.expr.empty()) return Bad(w, "field 'expr' must be set in rule");
    logql::ExprPtr e;
    Status s = logql::ParseExpr(r.expr, &e);
    if (!s.ok()) return Bad(w, "could not parse expression: " + s.message());
    if (e->IsLogQuery())
      return Bad(w, "expression must be a metric query, not a log query: " + r.expr);
    if (!r.IsAlert()) {
      if (!ValidMetricName(r.record)) return Bad(w, "invalid recording rule name: " + r.record);
      if (!r.annotations.empty()) return Bad(w, "invalid field 'annotations' in recording rule");
      if (r.for_ns) return Bad(w, "invalid field 'for' in recording rule");
      if (r.keep_firing_for_ns) return Bad(w, "invalid field 'keep_firing_for' in recording rule");
    }
    for (const auto& [k, v] : r.labels) {
      if (!IsValidLabelName(k) || k == "__name__") return Bad(w, "invalid label name: " + k);
      if (r.IsAlert()) LODE_RETURN_IF_ERROR(CheckTemplate(w, r.alert, "label", k, v));
    }
    for (const auto& [k, v] : r.annotations) {
      if (!IsValidLabelName(k)) return Bad(w, "invalid annotation name: " + k);
      LODE_RETURN_IF_ERROR(CheckTemplate(w, r.alert, "annotation", k, v));
    }
  }
  return Status::OK();
}

Status ParseRuleFile(const std::string& text, const std::string& file, RuleFile* out) {
  out->groups.clear();
  YAML::Node root;
  LODE_RETURN_IF_ERROR(LoadYaml(text, file, &root));
  if (root.IsNull()) return Status::OK();
  if (!root.IsMap()) return Bad(file, "a rule file must be a mapping with a 'groups' list");
  std::set<std::string> names;
  for (const auto& kv : root) {
    std::string key = kv.first.Scalar();
    if (key != "groups") return Bad(file, "field " + key + " not found in type rulefmt.RuleGroups");
    if (kv.second.IsNull()) continue;
    if (!kv.second.IsSequence()) return Bad(file, "field 'groups' must be a list");
    for (const auto& gn : kv.second) {
      RuleGroup g;
      LODE_RETURN_IF_ERROR(ParseGroupNode(gn, file, &g));
      LODE_RETURN_IF_ERROR(ValidateGroup(g, file));
      if (!names.insert(g.name).second)
        return Bad(file, "groupname: " + GoQuote(g.name) + " is repeated in the same file");
      out->groups.push_back(std::move(g));
    }
  }
  return Status::OK();
}

Status ParseRuleGroup(const std::string& text, const std::string& where, RuleGroup* out) {
  *out = RuleGroup();
  YAML::Node root;
  LODE_RETURN_IF_ERROR(LoadYaml(text, where, &root));
  if (!root.IsMap()) return Bad(where, "a rule group must be a YAML mapping");
  LODE_RETURN_IF_ERROR(ParseGroupNode(root, where, out));
  return ValidateGroup(*out, where);
}

std::string PromDuration(int64_t ns) {
  if (ns == 0) return "0s";
  std::string out;
  int64_t ms = ns / 1000000;
  struct U {
    const char* s;
    int64_t ms;
  } units[] = {{"y", 365LL * 86400000},
               {"w", 7LL * 86400000},
               {"d", 86400000},
               {"h", 3600000},
               {"m", 60000},
               {"s", 1000},
               {"ms", 1}};
  for (const auto& u : units) {
    if (ms >= u.ms) {
      out += std::to_string(ms / u.ms) + u.s;
      ms %= u.ms;
    }
  }
  return out.empty() ? "0s" : out;
}

namespace {
void EmitGroup(const RuleGroup& g, YAML::Emitter* e) {
  *e << YAML::BeginMap << YAML::Key << "name" << YAML::Value << g.name;
  if (g.interval_ns) *e << YAML::Key << "interval" << YAML::Value << PromDuration(g.interval_ns);
  if (g.limit) *e << YAML::Key << "limit" << YAML::Value << g.limit;
  *e << YAML::Key << "rules" << YAML::Value << YAML::BeginSeq;
  for (const auto& r : g.rules) {
    *e << YAML::BeginMap;
    if (r.IsAlert()) {
      *e << YAML::Key << "alert" << YAML::Value << r.alert;
    } else {
      *e << YAML::Key << "record" << YAML::Value << r.record;
    }
    *e << YAML::Key << "expr" << YAML::Value << r.expr;
    if (r.for_ns) *e << YAML::Key << "for" << YAML::Value << PromDuration(r.for_ns);
    if (r.keep_firing_for_ns)
      *e << YAML::Key << "keep_firing_for" << YAML::Value << PromDuration(r.keep_firing_for_ns);
    for (const auto* kvs : {&r.labels, &r.annotations}) {
      if (kvs->empty()) continue;
      *e << YAML::Key << (kvs == &r.labels ? "labels" : "annotations") << YAML::Value
         << YAML::BeginMap;
      for (const auto& [k, v] : *kvs) *e << YAML::Key << k << YAML::Value << v;
      *e << YAML::EndMap;
    }
    *e << YAML::EndMap;
  }
  *e << YAML::EndSeq << YAML::EndMap;
}
}  // namespace

std::string GroupToYaml(const RuleGroup& g) {
  YAML::Emitter e;
  EmitGroup(g, &e);
  return std::string(e.c_str()) + "\n";
}

std::string FileToYaml(const RuleFile& f) {
  YAML::Emitter e;
  e << YAML::BeginMap << YAML::Key << "groups" << YAML::Value << YAML::BeginSeq;
  for (const auto& g : f.groups) EmitGroup(g, &e);
  e << YAML::EndSeq << YAML::EndMap;
  return std::string(e.c_str()) + "\n";
}

std::string NamespacesToYaml(const std::vector<std::pair<std::string, const RuleFile*>>& nss) {
  YAML::Emitter e;
  e << YAML::BeginMap;
  for (const auto& [ns, f] : nss) {
    e << YAML::Key << ns << YAML::Value << YAML::BeginSeq;
    for (const auto& g : f->groups) EmitGroup(g, &e);
    e << YAML::EndSeq;
  }
  e << YAML::EndMap;
  return std::string(e.c_str()) + "\n";
}

}  // namespace lode::ruler
