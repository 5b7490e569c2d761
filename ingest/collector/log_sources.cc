#include "ingest/collector/log_sources.h"

#include <glob.h>
#include <re2/re2.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "ingest/collector/source_yaml.h"

namespace lode::collector {

namespace fs = std::filesystem;

namespace {

// Builds `origin:line: key: msg` (line is 1-based; yaml-cpp's Mark is 0-based).
Status Err(const std::string& origin, const YAML::Node& at, const std::string& key,
           const std::string& msg) {
  std::string where = origin;
  if (at.IsDefined() && at.Mark().line >= 0) where += ":" + std::to_string(at.Mark().line + 1);
  return Status::InvalidArgument("log-sources: " + where + ": " + key + ": " + msg);
}

bool ValidSourceName(const std::string& n) {
  if (n.empty() || n.size() > 128) return false;
  for (char c : n) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-'))
      return false;
  }
  return true;
}

Status StringList(const std::string& origin, const YAML::Node& n, const std::string& key,
                  std::vector<std::string>* out) {
  out->clear();
  if (n.IsScalar()) {
    out->push_back(n.as<std::string>());
    return Status::OK();
  }
  if (!n.IsSequence()) return Err(origin, n, key, "expected a list of strings");
  for (const auto& v : n) {
    if (!v.IsScalar() || v.as<std::string>().empty())
      return Err(origin, v, key, "expected a non-empty string");
    out->push_back(v.as<std::string>());
  }
  return Status::OK();
}

}  // namespace

Status ParseMultilineNode(const YAML::Node& v, const YamlError& err, const std::string& kk,
                          MultilineOptions* out) {
  if (!v.IsMap()) return err(v, kk, "expected a mapping with firstline");
  for (const auto& m : v) {
    std::string mk = m.first.as<std::string>();
    if (mk == "firstline") {
      out->firstline = m.second.as<std::string>();
      RE2 re(out->firstline, RE2::Quiet);
      if (!re.ok()) return err(m.second, kk + ".firstline", "invalid regex: " + re.error());
    } else if (mk == "max_lines") {
      long long ml = m.second.as<long long>();
      if (ml < 1 || ml > 100000) return err(m.second, kk + ".max_lines", "want 1..100000");
      out->max_lines = static_cast<size_t>(ml);
    } else if (mk == "max_wait") {
      int64_t ns;
      if (!ParseSimpleDuration(m.second.as<std::string>(), &ns) || ns <= 0 ||
          ns > 3600LL * 1000000000)
        return err(m.second, kk + ".max_wait",
                   "invalid duration \"" + m.second.as<std::string>() + "\"");
      out->max_wait_ns = ns;
    } else {
      return err(m.first, kk + "." + mk, "unknown key");
    }
  }
  if (out->firstline.empty()) return err(v, kk + ".firstline", "missing");
  return Status::OK();
}

Status ParseTimestampNode(const YAML::Node& v, const YamlError& err, const std::string& kk,
                          TimestampOptions* out) {
  TimestampOptions& t = *out;
  if (v.IsScalar()) {
    std::string m = v.as<std::string>();
    if (m == "auto") {
      t.mode = TimestampOptions::Mode::kAuto;
    } else if (m == "read_time") {
      t.mode = TimestampOptions::Mode::kReadTime;
    } else {
      return err(v, kk, "want auto, read_time or {field, format}, got \"" + m + "\"");
    }
  } else if (v.IsMap()) {
    t.mode = TimestampOptions::Mode::kField;
    t.format = "rfc3339";
    for (const auto& m : v) {
      std::string mk = m.first.as<std::string>();
      if (mk == "field") {
        t.field = m.second.as<std::string>();
      } else if (mk == "format") {
        t.format = m.second.as<std::string>();
        static const char* kFormats[] = {"rfc3339", "python",  "unix",
                                         "unix_ms", "unix_us", "unix_ns"};
        if (std::find_if(std::begin(kFormats), std::end(kFormats),
                         [&](const char* f) { return t.format == f; }) == std::end(kFormats))
          return err(
              m.second, kk + ".format",
              "want rfc3339, python, unix, unix_ms, unix_us or unix_ns, got \"" + t.format + "\"");
      } else {
        return err(m.first, kk + "." + mk, "unknown key");
      }
    }
    if (t.field.empty()) return err(v, kk + ".field", "missing");
  } else {
    return err(v, kk, "want auto, read_time or {field, format}");
  }
  return Status::OK();
}

namespace {

Status ParseSource(const YAML::Node& n, const std::string& origin, const std::string& base_dir,
                   bool require_absolute, const std::string& key, LogSource* s) {
  if (!n.IsMap()) return Err(origin, n, key, "expected a mapping with name and path");
  s->origin = origin;
  const YamlError err = [&origin](const YAML::Node& at, const std::string& key,
                                  const std::string& msg) { return Err(origin, at, key, msg); };
  bool has_name = false, has_path = false;
  for (const auto& kv : n) {
    std::string k = kv.first.as<std::string>();
    const YAML::Node& v = kv.second;
    std::string kk = key + "." + k;
    try {
      if (k == "name") {
        s->name = v.as<std::string>();
        if (!ValidSourceName(s->name))
          return Err(origin, v, kk, "invalid name \"" + s->name + "\" (want [A-Za-z0-9_.-]+)");
        has_name = true;
      } else if (k == "type") {
        if (v.as<std::string>() != "file")
          return Err(origin, v, kk,
                     "unsupported type \"" + v.as<std::string>() + "\" (only \"file\")");
      } else if (k == "path") {
        std::string p = v.as<std::string>();
        if (p.empty()) return Err(origin, v, kk, "empty path");
        if (fs::path(p).is_relative()) {
          if (require_absolute) return Err(origin, v, kk, "path must be absolute");
          p = (fs::path(base_dir) / p).lexically_normal().string();
        }
        while (p.size() > 1 && p.back() == '/') p.pop_back();
        s->path = p;
        has_path = true;
      } else if (k == "labels") {
        if (!v.IsMap()) return Err(origin, v, kk, "expected a mapping of label names to values");
        s->labels.clear();
        for (const auto& l : v) {
          std::string ln = l.first.as<std::string>();
          if (!IsValidLabelName(ln) || ln.rfind("__", 0) == 0)
            return Err(origin, l.first, kk, "invalid label name \"" + ln + "\"");
          if (ln == "filename")
            return Err(origin, l.first, kk, "label \"filename\" is set by the collector");
          if (!l.second.IsScalar())
            return Err(origin, l.second, kk + "." + ln, "expected a string value");
          std::string lv = l.second.as<std::string>();
          if (lv.empty()) return Err(origin, l.second, kk + "." + ln, "empty label value");
          s->labels.push_back({ln, lv});
        }
        SortLabels(&s->labels);
      } else if (k == "patterns") {
        LODE_RETURN_IF_ERROR(StringList(origin, v, kk, &s->patterns));
        if (s->patterns.empty()) return Err(origin, v, kk, "at least one pattern is needed");
      } else if (k == "exclude") {
        LODE_RETURN_IF_ERROR(StringList(origin, v, kk, &s->exclude));
      } else if (k == "start_at") {
        std::string a = v.as<std::string>();
        if (a != "beginning" && a != "end")
          return Err(origin, v, kk, "want beginning or end, got \"" + a + "\"");
        s->start_at_end = a == "end";
      } else if (k == "labels_from_path") {
        s->labels_from_path = v.as<std::string>();
        RE2 re(s->labels_from_path, RE2::Quiet);
        if (!re.ok()) return Err(origin, v, kk, "invalid regex: " + re.error());
        if (re.NamedCapturingGroups().empty())
          return Err(origin, v, kk, "the regex has no named group (?P<name>...)");
        for (const auto& [g, _] : re.NamedCapturingGroups()) {
          if (!IsValidLabelName(g) || g == "filename")
            return Err(origin, v, kk, "invalid label name \"" + g + "\"");
        }
      } else if (k == "multiline") {
        s->has_multiline = true;
        LODE_RETURN_IF_ERROR(ParseMultilineNode(v, err, kk, &s->multiline));
      } else if (k == "timestamp") {
        LODE_RETURN_IF_ERROR(ParseTimestampNode(v, err, kk, &s->timestamp));
      } else {
        return Err(origin, kv.first, kk, "unknown key");
      }
    } catch (const YAML::Exception& e) {
      return Err(origin, v, kk, "invalid value");
    }
  }
  if (!has_name) return Err(origin, n, key + ".name", "missing");
  if (!has_path) return Err(origin, n, key + ".path", "missing");
  return Status::OK();
}

Status ParseSourceList(const YAML::Node& list, const std::string& origin,
                       const std::string& base_dir, bool require_absolute, const std::string& key,
                       std::vector<LogSource>* out) {
  if (!list.IsSequence()) return Err(origin, list, key, "expected a list of sources");
  size_t i = 0;
  for (const auto& n : list) {
    LogSource s;
    LODE_RETURN_IF_ERROR(ParseSource(n, origin, base_dir, require_absolute,
                                     key + "[" + std::to_string(i) + "]", &s));
    out->push_back(std::move(s));
    ++i;
  }
  return CheckUniqueNames(*out);
}

}  // namespace

bool LogSource::operator==(const LogSource& o) const {
  return name == o.name && origin == o.origin && path == o.path && labels == o.labels &&
         patterns == o.patterns && exclude == o.exclude && start_at_end == o.start_at_end &&
         labels_from_path == o.labels_from_path && has_multiline == o.has_multiline &&
         multiline.firstline == o.multiline.firstline &&
         multiline.max_lines == o.multiline.max_lines &&
         multiline.max_wait_ns == o.multiline.max_wait_ns && timestamp.mode == o.timestamp.mode &&
         timestamp.field == o.timestamp.field && timestamp.format == o.timestamp.format;
}

bool ParseSimpleDuration(const std::string& s, int64_t* ns) {
  if (s.empty()) return false;
  if (s == "0") {
    *ns = 0;
    return true;
  }
  size_t i = 0;
  double total = 0;
  while (i < s.size()) {
    size_t j = i;
    while (j < s.size() && (std::isdigit(static_cast<unsigned char>(s[j])) || s[j] == '.')) ++j;
    if (j == i) return false;
    double v = std::strtod(s.substr(i, j - i).c_str(), nullptr);
    size_t k = j;
    while (k < s.size() && std::isalpha(static_cast<unsigned char>(s[k]))) ++k;
    std::string unit = s.substr(j, k - j);
    double mult;
    if (unit == "ns")
      mult = 1;
    else if (unit == "us")
      mult = 1e3;
    else if (unit == "ms")
      mult = 1e6;
    else if (unit == "s")
      mult = 1e9;
    else if (unit == "m")
      mult = 60e9;
    else if (unit == "h")
      mult = 3600e9;
    else
      return false;
    total += v * mult;
    i = k;
  }
  if (total > 9e18) return false;
  *ns = static_cast<int64_t>(total);
  return true;
}

Status ParseLogSourcesYaml(const std::string& text, const std::string& origin,
                           const std::string& base_dir, std::vector<LogSource>* out) {
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::ParserException& e) {
    return Status::InvalidArgument("log-sources: " + origin + ":" +
                                   std::to_string(e.mark.line + 1) + ": invalid YAML: " + e.msg);
  }
  if (!root.IsMap())
    return Err(origin, root, "log_sources", "expected a mapping with the key log_sources");
  bool found = false;
  for (const auto& kv : root) {
    std::string k = kv.first.as<std::string>();
    if (k != "log_sources") return Err(origin, kv.first, k, "unknown key");
    found = true;
  }
  if (!found) return Err(origin, root, "log_sources", "missing");
  std::vector<LogSource> parsed;
  if (!root["log_sources"].IsNull()) {
    LODE_RETURN_IF_ERROR(
        ParseSourceList(root["log_sources"], origin, base_dir, false, "log_sources", &parsed));
  }
  for (auto& s : parsed) out->push_back(std::move(s));
  return Status::OK();
}

Status ParseLogSourcesFile(const std::string& file, std::vector<LogSource>* out) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return Status::InvalidArgument("log-sources: " + file + ": cannot read the file");
  std::stringstream ss;
  ss << in.rdbuf();
  if (ss.str().size() > (4u << 20))
    return Status::InvalidArgument("log-sources: " + file + ": larger than 4 MiB");
  std::string dir = fs::absolute(fs::path(file)).parent_path().string();
  return ParseLogSourcesYaml(ss.str(), file, dir, out);
}

Status ParseLogSourcesJson(const std::string& body, const std::string& origin,
                           std::vector<LogSource>* out) {
  YAML::Node root;
  try {
    root = YAML::Load(body);  // JSON is YAML; yaml-cpp keeps line numbers
  } catch (const YAML::ParserException& e) {
    return Status::InvalidArgument("log-sources: " + origin + ":" +
                                   std::to_string(e.mark.line + 1) + ": invalid JSON: " + e.msg);
  }
  if (root.IsNull()) return Status::OK();
  std::vector<LogSource> parsed;
  LODE_RETURN_IF_ERROR(ParseSourceList(root, origin, "/", true, "[]", &parsed));
  for (auto& s : parsed) out->push_back(std::move(s));
  return Status::OK();
}

std::vector<std::string> ExpandLogSourcesGlobs(const std::vector<std::string>& args) {
  std::vector<std::string> out;
  for (const auto& a : args) {
    glob_t g{};
    if (glob(a.c_str(), 0, nullptr, &g) == 0) {
      for (size_t i = 0; i < g.gl_pathc; ++i)
        out.push_back(fs::absolute(g.gl_pathv[i]).lexically_normal().string());
    } else if (a.find_first_of("*?[") == std::string::npos) {
      out.push_back(fs::absolute(a).lexically_normal().string());
    }
    globfree(&g);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

Status CheckUniqueNames(const std::vector<LogSource>& sources) {
  std::map<std::string, const LogSource*> seen;
  for (const auto& s : sources) {
    auto [it, inserted] = seen.emplace(s.name, &s);
    if (!inserted) {
      return Status::InvalidArgument("log-sources: " + s.origin + ": source name \"" + s.name +
                                     "\" is already used in " + it->second->origin);
    }
  }
  return Status::OK();
}

}  // namespace lode::collector
