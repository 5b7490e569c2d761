#include "ingest/collector/docker_config.h"

#include <yaml-cpp/yaml.h>

#include <cinttypes>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <set>

#include "ingest/collector/docker_client.h"
#include "ingest/collector/source_yaml.h"

namespace lode::collector {

namespace {

Status Err(const std::string& key, const std::string& msg) {
  return Status::InvalidArgument("config: " + key + ": " + msg);
}

bool ValidName(const std::string& n) {
  if (n.empty() || n.size() > 128) return false;
  for (char c : n) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-'))
      return false;
  }
  return true;
}

// Labels the collector sets itself.
bool Reserved(const std::string& n) {
  return n == "container" || n == "stream" || n == "compose_service" || n == "compose_project";
}

Status LabelName(const std::string& key, const std::string& n) {
  if (!IsValidLabelName(n) || n.rfind("__", 0) == 0)
    return Err(key, "invalid label name \"" + n + "\"");
  if (Reserved(n)) return Err(key, "label \"" + n + "\" is set by the collector");
  return Status::OK();
}

Status ParseOne(const YAML::Node& n, const std::string& key, DockerSourceConfig* s) {
  if (!n.IsMap()) return Err(key, "expected a mapping");
  const YamlError err = [](const YAML::Node&, const std::string& k, const std::string& msg) {
    return Err(k, msg);
  };
  for (const auto& kv : n) {
    std::string k = kv.first.as<std::string>();
    const YAML::Node& v = kv.second;
    std::string kk = key + "." + k;
    try {
      if (k == "name") {
        s->name = v.as<std::string>();
        if (!ValidName(s->name))
          return Err(kk, "invalid name \"" + s->name + "\" (want [A-Za-z0-9_.-]+)");
      } else if (k == "host") {
        s->host = v.as<std::string>();
        std::string path;
        Status st = ParseDockerHost(s->host, &path);
        if (!st.ok()) return Err(kk, st.message());
      } else if (k == "filters") {
        if (!v.IsMap() && !v.IsNull())
          return Err(kk, "expected a mapping of filter names to lists, e.g. {label: [\"a=b\"]}");
        s->filters.clear();
        for (const auto& f : v) {
          std::string fk = f.first.as<std::string>();
          auto& vals = s->filters[fk];
          if (f.second.IsScalar()) {
            vals.push_back(f.second.as<std::string>());
          } else if (f.second.IsSequence()) {
            for (const auto& e : f.second) {
              if (!e.IsScalar()) return Err(kk + "." + fk, "expected strings");
              vals.push_back(e.as<std::string>());
            }
          } else {
            return Err(kk + "." + fk, "expected a string or a list of strings");
          }
        }
      } else if (k == "labels") {
        if (!v.IsMap() && !v.IsNull())
          return Err(kk, "expected a mapping of label names to values");
        s->labels.clear();
        for (const auto& l : v) {
          std::string ln = l.first.as<std::string>();
          LODE_RETURN_IF_ERROR(LabelName(kk, ln));
          if (!l.second.IsScalar() || l.second.as<std::string>().empty())
            return Err(kk + "." + ln, "expected a non-empty string value");
          s->labels.push_back({ln, l.second.as<std::string>()});
        }
        SortLabels(&s->labels);
      } else if (k == "labels_from_container_labels") {
        s->labels_from_container_labels.clear();
        if (v.IsMap()) {
          for (const auto& l : v) {
            std::string ln = l.first.as<std::string>();
            LODE_RETURN_IF_ERROR(LabelName(kk, ln));
            if (!l.second.IsScalar() || l.second.as<std::string>().empty())
              return Err(kk + "." + ln, "expected the name of a container label");
            s->labels_from_container_labels.push_back({ln, l.second.as<std::string>()});
          }
        } else if (v.IsSequence()) {
          for (const auto& l : v) {
            if (!l.IsScalar() || l.as<std::string>().empty())
              return Err(kk, "expected names of container labels");
            std::string ln = SanitizeLabelName(l.as<std::string>());
            LODE_RETURN_IF_ERROR(LabelName(kk, ln));
            s->labels_from_container_labels.push_back({ln, l.as<std::string>()});
          }
        } else if (!v.IsNull()) {
          return Err(kk, "expected a mapping {lode label: container label} or a list");
        }
      } else if (k == "multiline") {
        s->has_multiline = true;
        LODE_RETURN_IF_ERROR(ParseMultilineNode(v, err, kk, &s->multiline));
      } else if (k == "timestamp") {
        if (v.IsScalar() && v.as<std::string>() == "docker") {
          s->line_timestamp = false;
        } else if (v.IsScalar() && v.as<std::string>() != "auto") {
          return Err(kk,
                     "want docker, auto or {field, format}, got \"" + v.as<std::string>() + "\"");
        } else {
          s->line_timestamp = true;
          LODE_RETURN_IF_ERROR(ParseTimestampNode(v, err, kk, &s->timestamp));
        }
      } else if (k == "refresh") {
        int64_t ns;
        if (!ParseSimpleDuration(v.as<std::string>(), &ns) || ns < 1000000000LL)
          return Err(kk, "invalid duration \"" + v.as<std::string>() + "\" (at least 1s)");
        s->refresh_ns = ns;
      } else {
        return Err(kk, "unknown key");
      }
    } catch (const YAML::Exception&) {
      return Err(kk, "invalid value");
    }
  }
  return Status::OK();
}

}  // namespace

bool DockerSourceConfig::operator==(const DockerSourceConfig& o) const {
  return name == o.name && host == o.host && filters == o.filters && labels == o.labels &&
         labels_from_container_labels == o.labels_from_container_labels &&
         has_multiline == o.has_multiline && multiline.firstline == o.multiline.firstline &&
         multiline.max_lines == o.multiline.max_lines &&
         multiline.max_wait_ns == o.multiline.max_wait_ns && line_timestamp == o.line_timestamp &&
         timestamp.mode == o.timestamp.mode && timestamp.field == o.timestamp.field &&
         timestamp.format == o.timestamp.format && refresh_ns == o.refresh_ns;
}

Status ParseDockerSourcesYaml(const std::string& text, std::vector<DockerSourceConfig>* out) {
  out->clear();
  if (text.empty()) return Status::OK();
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    return Err("docker_sources", std::string("invalid YAML: ") + e.what());
  }
  if (root.IsNull()) return Status::OK();
  if (!root.IsSequence()) return Err("docker_sources", "expected a list of sources");
  std::set<std::string> names;
  size_t i = 0;
  for (const auto& n : root) {
    DockerSourceConfig s;
    std::string key = "docker_sources[" + std::to_string(i++) + "]";
    LODE_RETURN_IF_ERROR(ParseOne(n, key, &s));
    if (!names.insert(s.name).second)
      return Err(key + ".name", "source name \"" + s.name + "\" is already used");
    out->push_back(std::move(s));
  }
  return Status::OK();
}

std::string DockerFiltersJson(const std::map<std::string, std::vector<std::string>>& filters) {
  if (filters.empty()) return "";
  nlohmann::json j = nlohmann::json::object();
  for (const auto& [k, v] : filters) j[k] = v;
  return j.dump();
}

std::string SanitizeLabelName(std::string_view name) {
  std::string o;
  for (size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    bool ok = std::isalpha(static_cast<unsigned char>(c)) || c == '_' ||
              (i > 0 && std::isdigit(static_cast<unsigned char>(c)));
    o += ok ? c : '_';
  }
  return o;
}

std::string DockerPositionKey(std::string_view source, std::string_view container_id) {
  return std::string(kDockerPositionPrefix) + std::string(source) + "/" + std::string(container_id);
}

std::string EncodeDockerPosition(const DockerPosition& p) {
  char b[128];
  std::snprintf(b, sizeof b, "1 %" PRId64 " %" PRIu64 " %" PRId64 " %" PRIu64 " ", p.out.ts,
                p.out.n, p.err.ts, p.err.n);
  return b + p.name;
}

bool DecodeDockerPosition(std::string_view key, std::string_view value, std::string* source,
                          std::string* container_id, DockerPosition* p) {
  if (key.substr(0, kDockerPositionPrefix.size()) != kDockerPositionPrefix) return false;
  key.remove_prefix(kDockerPositionPrefix.size());
  size_t slash = key.find('/');
  if (slash == std::string_view::npos || slash == 0 || slash + 1 == key.size()) return false;
  *source = std::string(key.substr(0, slash));
  *container_id = std::string(key.substr(slash + 1));
  std::string v(value);
  int consumed = 0;
  if (std::sscanf(v.c_str(), "1 %" SCNd64 " %" SCNu64 " %" SCNd64 " %" SCNu64 " %n", &p->out.ts,
                  &p->out.n, &p->err.ts, &p->err.n, &consumed) != 4 ||
      consumed <= 0)
    return false;
  p->name = v.substr(static_cast<size_t>(consumed));
  return true;
}

}  // namespace lode::collector
