#include "server/api_detected.h"

#include <algorithm>
#include <map>
#include <memory>
#include <set>
#include <unordered_map>

#include "base/go_parse.h"
#include "logql/log/detected_level.h"
#include "logql/log/json_parser.h"
#include "logql/log/json_scan.h"
#include "logql/log/pipeline.h"
#include "logql/syntax/parser.h"
#include "server/encode.h"
#include "server/request.h"
#include "server/value_types.h"

namespace lode::server {

namespace {

constexpr int64_t kHour = 3600LL * 1000000000LL;
constexpr int64_t kDefaultFieldLimit = 1000;

bool IsErrorLabel(std::string_view name) {
  return name == "__error__" || name == "__error_details__" || name == "__preserve_error__";
}

// ---------------------------------------------------------------------------
// detected_labels
// ---------------------------------------------------------------------------

// Loki's shouldRejectLabel: no values, or every value a number or a UUID
// (a label taking only the values 0 and 1 is kept).
bool ShouldRejectLabel(const std::set<std::string>& values) {
  if (values.empty()) return true;
  if (values.size() <= 2) {
    bool boolean = true;
    for (const auto& v : values) boolean &= v == "0" || v == "1";
    if (boolean) return false;
  }
  for (const auto& v : values) {
    if (!IsGoFloat(v) && !IsUuid(v)) return false;
  }
  return true;
}

}  // namespace

Response DetectedLabels(const GrafanaDeps& deps, const Request& req, const std::string& tenant) {
  int64_t start, end;
  Status s = ParseBounds(req, kHour, &start, &end);
  std::vector<MatcherPtr> matchers;
  if (s.ok() && !req.Param("query").empty())
    s = logql::ParseMatchers(req.Param("query"), &matchers);
  std::vector<StreamRef> refs;
  if (s.ok()) s = deps.store->SelectStreams(tenant, matchers, start, end, &refs);
  if (!s.ok()) return ErrorResponse(s);
  std::map<std::string, std::set<std::string>> values;
  for (const auto& r : refs) {
    for (const auto& l : r.labels) values[l.name].insert(l.value);
  }
  static const std::set<std::string> kStatic = {"cluster", "namespace", "instance", "pod"};
  std::string out = "{\"detectedLabels\":[";
  bool first = true;
  for (const auto& [name, vals] : values) {
    if (!kStatic.count(name) && ShouldRejectLabel(vals)) continue;
    if (!first) out.push_back(',');
    first = false;
    out += "{\"label\":";
    AppendJsonString(&out, name);
    out += ",\"cardinality\":" + std::to_string(vals.size()) + "}";
  }
  out += "]}";
  return Response::Json(std::move(out));
}

// ---------------------------------------------------------------------------
// detected_fields, detected_field/<name>/values
// ---------------------------------------------------------------------------

namespace {

struct DetectedRequest {
  std::string tenant;
  logql::QueryRequest query;
  size_t limit = kDefaultFieldLimit;
};

// ParseDetectedFieldsQuery: query (a log selector), bounds, line_limit,
// limit (or field_limit), step.
Status ParseDetectedRequest(const Request& req, DetectedRequest* d) {
  logql::ExprPtr expr;
  LODE_RETURN_IF_ERROR(logql::ParseExpr(req.Param("query"), &expr));
  if (!expr->IsLogQuery()) return Status::InvalidArgument("only log selector is supported");
  auto& q = d->query;
  q.tenant = d->tenant;
  q.query = req.Param("query");
  q.direction = Direction::kBackward;
  LODE_RETURN_IF_ERROR(ParseBounds(req, kHour, &q.start_ns, &q.end_ns));
  int64_t line_limit, limit, step;
  LODE_RETURN_IF_ERROR(ParseIntParam(req, "line_limit", kDefaultFieldLimit, &line_limit));
  if (line_limit <= 0) return Status::InvalidArgument("limit must be a positive value");
  std::string limit_name = req.Param("limit").empty() ? "field_limit" : "limit";
  LODE_RETURN_IF_ERROR(ParseIntParam(req, limit_name, kDefaultFieldLimit, &limit));
  if (limit <= 0) return Status::InvalidArgument("limit must be a positive value");
  LODE_RETURN_IF_ERROR(ParseRangeStep(req, q.start_ns, q.end_ns, &step));
  q.limit = static_cast<uint32_t>(std::min<int64_t>(line_limit, UINT32_MAX));
  d->limit = static_cast<size_t>(limit);
  return Status::OK();
}

// Maps each label name `| json` would give a line to the key path it came
// from (nested objects joined with `_`, keys sanitised as the json stage
// does).
class JsonPathCollector : public logql::json::MemberVisitor {
 public:
  explicit JsonPathCollector(std::map<std::string, std::vector<std::string>>* out) : out_(out) {}

  void Collect(std::string_view line) {
    out_->clear();
    path_.clear();
    prefix_.clear();
    Walk(line, 0);
  }

  const char* Visit(std::string_view key, const logql::json::Value& v, int depth) override {
    using logql::json::Type;
    if (v.type != Type::kString && v.type != Type::kNumber && v.type != Type::kBoolean &&
        v.type != Type::kObject) {
      return nullptr;
    }
    std::string part;
    logql::SanitizeLabelKey(key, &part);
    // Below the top level a leading digit gets no `_` (Loki's appendSanitized).
    std::string_view k = key;
    while (!k.empty() && (k.front() == ' ' || k.front() == '\t')) k.remove_prefix(1);
    if (!prefix_.empty() && !k.empty() && k.front() >= '0' && k.front() <= '9' && !part.empty() &&
        part[0] == '_') {
      part.erase(0, 1);
    }
    std::string name = prefix_.empty() ? part : prefix_ + "_" + part;
    path_.emplace_back(key);
    if (v.type == Type::kObject) {
      std::string saved = prefix_;
      prefix_ = name;
      Walk(v.raw, depth + 1);
      prefix_ = std::move(saved);
    } else {
      out_->try_emplace(name, path_);
    }
    path_.pop_back();
    return nullptr;
  }

 private:
  void Walk(std::string_view obj, int depth) {
    if (key_bufs_.size() <= static_cast<size_t>(depth))
      key_bufs_.resize(static_cast<size_t>(depth) + 1);
    logql::json::ObjectEach(obj, this, &key_bufs_[static_cast<size_t>(depth)], depth);
  }

  std::map<std::string, std::vector<std::string>>* out_;
  std::vector<std::string> path_;
  std::string prefix_;
  std::vector<std::string> key_bufs_;
};

struct FieldInfo {
  const char* type = "string";
  std::set<std::string> values;
  std::vector<std::string> parsers;
  std::vector<std::string> json_path;
};

// Runs the detection parsers on the lines of a detected-fields query.
class FieldDetector {
 public:
  Status Init() {
    for (auto kind : {logql::ParserKind::kJson, logql::ParserKind::kLogfmt}) {
      logql::LogSelectorExpr e;
      logql::Stage st{};
      st.kind = logql::Stage::Kind::kParser;
      st.parser.kind = kind;
      e.stages.push_back(std::move(st));
      LODE_RETURN_IF_ERROR(
          logql::Pipeline::Create(e, kind == logql::ParserKind::kJson ? &json_ : &logfmt_));
    }
    return Status::OK();
  }

  // Loki's parseEntry: the labels the query's parsers added, plus what
  // `| json` (else `| logfmt`) finds in the line; *parser is "" when
  // neither parser accepts the line.
  void Parse(const logql::StreamResult& stream, const logql::ResultEntry& e,
             std::map<std::string, std::set<std::string>>* parsed, std::string* parser) {
    parsed->clear();
    Labels base;
    for (const auto& l : stream.stream) {
      if (!FindLabel(e.parsed, l.name)) base.push_back(l);
    }
    for (const auto& l : e.parsed) {
      if (!IsErrorLabel(l.name)) (*parsed)[l.name].insert(l.value);
    }
    std::string key = LabelsToString(base);
    const logql::ResultLabels* rl = Run(&json_streams_, *json_, key, base, e);
    *parser = "json";
    if (FindLabel(rl->parsed, "__error__")) {
      rl = Run(&logfmt_streams_, *logfmt_, key, base, e);
      *parser = "logfmt";
      if (FindLabel(rl->parsed, "__error__")) {
        parser->clear();
        return;
      }
    }
    for (const auto& l : rl->parsed) {
      if (!IsErrorLabel(l.name)) (*parsed)[l.name].insert(l.value);
    }
  }

 private:
  using Cache = std::unordered_map<std::string, std::unique_ptr<logql::StreamPipeline>>;

  static const logql::ResultLabels* Run(Cache* cache, const logql::Pipeline& p,
                                        const std::string& key, const Labels& base,
                                        const logql::ResultEntry& e) {
    auto& sp = (*cache)[key];
    if (!sp) sp = p.ForStream(base);
    sp->Process(e.ts, e.line, nullptr, 0);
    return &sp->labels();
  }

  std::unique_ptr<logql::Pipeline> json_, logfmt_;
  Cache json_streams_, logfmt_streams_;
};

// Runs the query of a detected-fields request; streams come back sorted by
// their stream labels, entries newest first.
Status RunDetectedQuery(const GrafanaDeps& deps, const DetectedRequest& d,
                        logql::QueryResult* result) {
  LODE_RETURN_IF_ERROR(deps.engine->Query(d.query, result));
  std::stable_sort(result->streams.begin(), result->streams.end(),
                   [](const logql::StreamResult& a, const logql::StreamResult& b) {
                     return a.stream < b.stream;
                   });
  return Status::OK();
}

// The structured metadata of an entry as Loki stores it: with
// `detected_level` added (its distributor discovers levels at ingest; lode
// computes the same value at query time).
void EntryMetadata(const logql::StreamResult& stream, const logql::ResultEntry& e,
                   std::vector<LabelView>* md) {
  md->clear();
  bool has_level = false;
  for (const auto& l : e.structured_metadata) {
    md->push_back({l.name, l.value});
    has_level |= l.name == "detected_level";
  }
  if (!has_level)
    md->push_back(
        {"detected_level", logql::DetectLevel(stream.stream, md->data(), md->size(), e.line)});
}

const std::vector<std::string>* FindPath(
    const std::map<std::string, std::vector<std::string>>& paths, const std::string& name) {
  auto it = paths.find(name);
  if (it == paths.end() && name.size() > 10 &&
      name.compare(name.size() - 10, 10, "_extracted") == 0) {
    it = paths.find(name.substr(0, name.size() - 10));
  }
  return it == paths.end() ? nullptr : &it->second;
}

void AppendStringArray(std::string* out, const std::vector<std::string>& v) {
  out->push_back('[');
  for (size_t i = 0; i < v.size(); ++i) {
    if (i) out->push_back(',');
    AppendJsonString(out, v[i]);
  }
  out->push_back(']');
}

}  // namespace

namespace {

// The shared start of detected_fields and detected_field/<name>/values: the
// parameters, the detector, and the log query over the range.
Status StartDetected(const GrafanaDeps& deps, const Request& req, const std::string& tenant,
                     DetectedRequest* d, FieldDetector* detector, logql::QueryResult* result) {
  d->tenant = tenant;
  LODE_RETURN_IF_ERROR(ParseDetectedRequest(req, d));
  LODE_RETURN_IF_ERROR(detector->Init());
  return RunDetectedQuery(deps, *d, result);
}

}  // namespace

Response DetectedFields(const GrafanaDeps& deps, const Request& req, const std::string& tenant) {
  DetectedRequest d;
  logql::QueryResult result;
  FieldDetector detector;
  Status s = StartDetected(deps, req, tenant, &d, &detector, &result);
  if (!s.ok()) return ErrorResponse(s);

  std::map<std::string, FieldInfo> fields;
  std::map<std::string, std::set<std::string>> parsed;
  std::map<std::string, std::vector<std::string>> paths;
  JsonPathCollector collector(&paths);
  std::string parser;
  auto field = [&](const std::string& name) -> FieldInfo* {
    auto it = fields.find(name);
    if (it != fields.end()) return &it->second;
    if (fields.size() >= d.limit) return nullptr;
    return &fields[name];
  };
  std::vector<LabelView> md;
  for (const auto& stream : result.streams) {
    for (const auto& e : stream.entries) {
      EntryMetadata(stream, e, &md);
      for (const auto& l : md) {
        FieldInfo* f = field(std::string(l.name));
        if (!f) continue;
        f->type = DetectFieldType(l.value);
        f->values.emplace(l.value);
      }
      detector.Parse(stream, e, &parsed, &parser);
      bool paths_ready = false;
      for (const auto& [name, vals] : parsed) {
        FieldInfo* f = field(name);
        if (!f) continue;
        if (!parser.empty() &&
            std::find(f->parsers.begin(), f->parsers.end(), parser) == f->parsers.end()) {
          f->parsers.push_back(parser);
        }
        if (parser == "json" && f->json_path.empty()) {
          if (!paths_ready) collector.Collect(e.line);
          paths_ready = true;
          if (const auto* p = FindPath(paths, name)) f->json_path = *p;
        }
        f->type = DetectFieldType(*vals.begin());
        f->values.insert(vals.begin(), vals.end());
      }
    }
  }

  std::string out = "{\"fields\":[";
  bool first = true;
  for (const auto& [name, f] : fields) {
    if (!first) out.push_back(',');
    first = false;
    out += "{\"label\":";
    AppendJsonString(&out, name);
    out += ",\"type\":\"" + std::string(f.type) +
           "\",\"cardinality\":" + std::to_string(f.values.size()) + ",\"parsers\":";
    if (f.parsers.empty()) {
      out += "null";
    } else {
      AppendStringArray(&out, f.parsers);
    }
    if (!f.json_path.empty()) {
      out += ",\"jsonPath\":";
      AppendStringArray(&out, f.json_path);
    }
    out.push_back('}');
  }
  out += "]";
  if (!fields.empty()) out += ",\"limit\":" + std::to_string(d.limit);
  out += "}";
  return Response::Json(std::move(out));
}

namespace {

// Loki's special case for byte sizes in field values: "10 KiB" and "10KB"
// are both shown as humanize.Bytes without the space.
std::string NormaliseValue(const std::string& v) {
  static const char* kUnits[] = {"b",   "kib", "kb",  "mib", "mb", "gib", "gb", "tib", "tb",
                                 "pib", "pb",  "eib", "eb",  "ki", "k",   "mi", "m",   "gi",
                                 "g",   "ti",  "t",   "pi",  "p",  "ei",  "e"};
  uint64_t n;
  std::string err;
  if (!HumanizeParseBytes(v, &n, &err)) return v;
  std::string lower = v;
  for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (const char* u : kUnits) {
    std::string_view unit(u);
    if (lower.size() >= unit.size() &&
        lower.compare(lower.size() - unit.size(), unit.size(), unit) == 0) {
      std::string h = HumanizeBytes(n);
      size_t sp = h.find(' ');
      if (sp != std::string::npos) h.erase(sp, 1);
      return h;
    }
  }
  return v;
}

}  // namespace

Response DetectedFieldValues(const GrafanaDeps& deps, const Request& req,
                             const std::string& tenant) {
  std::string name;
  if (!PathSegment(req.path, "/loki/api/v1/detected_field/", "/values", &name)) {
    return Response::Text(404, "404 page not found");
  }
  DetectedRequest d;
  logql::QueryResult result;
  FieldDetector detector;
  Status s = StartDetected(deps, req, tenant, &d, &detector, &result);
  if (!s.ok()) return ErrorResponse(s);

  std::set<std::string> values;
  std::map<std::string, std::set<std::string>> parsed;
  std::string parser;
  std::vector<LabelView> md;
  for (const auto& stream : result.streams) {
    for (const auto& e : stream.entries) {
      if (values.size() >= d.limit) break;
      EntryMetadata(stream, e, &md);
      for (const auto& l : md) {
        if (l.name == name) values.emplace(l.value);
      }
      detector.Parse(stream, e, &parsed, &parser);
      auto it = parsed.find(name);
      if (it == parsed.end()) continue;
      for (const auto& v : it->second) values.insert(NormaliseValue(v));
    }
  }
  std::string out = "{\"values\":[";
  bool first = true;
  for (const auto& v : values) {
    if (!first) out.push_back(',');
    first = false;
    AppendJsonString(&out, v);
  }
  out += "]";
  if (!values.empty()) out += ",\"limit\":" + std::to_string(d.limit);
  out += "}";
  return Response::Json(std::move(out));
}

// ---------------------------------------------------------------------------
// drilldown-limits
// ---------------------------------------------------------------------------

namespace {

// Prometheus model.Duration.String(): years and weeks only when exact.
std::string ModelDuration(int64_t ns) {
  int64_t ms = ns / 1000000;
  if (ms == 0) return "0s";
  std::string r;
  auto unit = [&](const char* name, int64_t mult, bool exact) {
    if (exact && ms % mult != 0) return;
    if (int64_t v = ms / mult; v > 0) {
      r += std::to_string(v) + name;
      ms -= v * mult;
    }
  };
  const int64_t day = 24LL * 3600 * 1000;
  unit("y", 365 * day, true);
  unit("w", 7 * day, true);
  unit("d", day, false);
  unit("h", 3600LL * 1000, false);
  unit("m", 60LL * 1000, false);
  unit("s", 1000, false);
  unit("ms", 1, false);
  return r;
}

}  // namespace

Response DrilldownLimits(const GrafanaDeps& deps, const Request&, const std::string& tenant) {
  const Config& c = *deps.cfg;
  const TenantLimits& tl = c.LimitsFor(tenant);
  std::string out = "{\"limits\":{";
  out += "\"discover_log_levels\":true,";
  out += "\"discover_service_name\":[],";
  out +=
      "\"log_level_fields\":[\"level\",\"LEVEL\",\"Level\",\"Severity\",\"severity\",\"SEVERITY\","
      "\"lvl\","
      "\"LVL\",\"Lvl\",\"severity_text\",\"Severity_Text\",\"SEVERITY_TEXT\"],";
  out += "\"max_entries_limit_per_query\":" + std::to_string(c.engine.max_entries_limit) + ",";
  out += "\"max_line_size_truncate\":false,";
  out += "\"max_query_bytes_read\":\"0B\",";
  out += "\"max_query_length\":\"" + ModelDuration(c.max_query_length_ns) + "\",";
  out += "\"max_query_lookback\":\"0s\",";
  out += "\"max_query_range\":\"0s\",";
  out += "\"max_query_series\":" + std::to_string(c.engine.max_query_series) + ",";
  out += "\"metric_aggregation_enabled\":false,";
  out +=
      "\"otlp_config\":{\"LogAttributes\":null,\"ResourceAttributes\":{\"AttributesConfig\":[],"
      "\"IgnoreDefaults\":false},\"ScopeAttributes\":null,\"SeverityTextAsLabel\":false},";
  out += "\"pattern_persistence_enabled\":false,";
  out += "\"query_timeout\":\"5m\",";
  out += "\"retention_period\":\"" + ModelDuration(tl.retention_period_ns) + "\",";
  out += "\"retention_stream\":[";
  for (size_t i = 0; i < tl.retention_stream.size(); ++i) {
    const auto& r = tl.retention_stream[i];
    if (i) out.push_back(',');
    out += "{\"selector\":";
    AppendJsonString(&out, r.selector);
    out += ",\"priority\":" + std::to_string(r.priority) + ",\"period\":\"" +
           ModelDuration(r.period_ns) + "\"}";
  }
  out += "],";
  out += "\"volume_enabled\":true,";
  out += "\"volume_max_series\":1000";
  out += "},\"pattern_ingester_enabled\":true,\"version\":\"3.0.0-lode-0.1.0\"}";
  return Response::Json(std::move(out));
}

}  // namespace lode::server
