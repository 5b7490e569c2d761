#include "ingest/otlp.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <unordered_map>
#include <utility>

#include "ingest/otlp_json.h"
#include "ingest/otlp_value.h"
#include "ingest/otlp_wire.h"

namespace lode::ingest {

namespace {

constexpr std::string_view kServiceNameAttr = "service.name";
constexpr std::string_view kServiceNameLabel = "service_name";
constexpr std::string_view kUnknownService = "unknown_service";

// What a mapped PushRequest points into besides the request body.
struct MapBacking {
  std::shared_ptr<void> decoded;  // the decoder's storage (JSON document, OtlpLogs)
  OtlpArena arena;
};

using Pairs = std::vector<LabelView>;

class Mapper {
 public:
  Mapper(const OtlpLogs& logs, const OtlpConfig& config, int64_t now_ns, PushRequest* out,
         MapBacking* backing, OtlpMapStats* stats)
      : logs_(logs),
        config_(config),
        now_ns_(now_ns),
        out_(out),
        backing_(backing),
        stats_(stats) {}

  Status Run() {
    stats_->records = logs_.records.size();
    for (const auto& res : logs_.resources) LODE_RETURN_IF_ERROR(Resource(res));
    // Entries' metadata pointers, now that the md vectors stop growing.
    for (auto& s : out_->streams) {
      size_t off = 0;
      for (auto& e : s.entries) {
        e.md = e.n_md ? s.md.data() + off : nullptr;
        off += e.n_md;
      }
    }
    return Status::OK();
  }

 private:
  enum class Kind { kResource, kScope, kLog };

  // Rules are looked up once per distinct key and request (keys repeat on
  // every resource and record; a rule may be a regex).
  OtlpAction ActionFor(Kind kind, std::string_view key) {
    switch (kind) {
      case Kind::kResource: {
        auto [it, inserted] = resource_actions_.try_emplace(key, OtlpAction::kStructuredMetadata);
        if (inserted) it->second = config_.ResourceAction(key);
        return it->second;
      }
      case Kind::kScope: {
        OtlpAction a = config_.ScopeAction(key);
        return a == OtlpAction::kIndexLabel ? OtlpAction::kStructuredMetadata : a;
      }
      case Kind::kLog: {
        if (config_.log_rules.empty()) return OtlpAction::kStructuredMetadata;
        auto [it, inserted] = log_actions_.try_emplace(key, OtlpAction::kStructuredMetadata);
        if (inserted) it->second = config_.LogAction(key);
        return it->second;
      }
    }
    return OtlpAction::kStructuredMetadata;
  }

  // Loki's attributeToLabels: one pair, or the flattened pairs of a kvlist.
  Status Flatten(std::string_view key, const OtlpValue& v, std::string_view prefix, Pairs* out,
                 int depth = 0) {
    std::string_view name;
    std::string err;
    std::string joined;
    if (!prefix.empty()) {
      joined.reserve(prefix.size() + 1 + key.size());
      joined.append(prefix).append("_").append(key);
      key = joined;
    }
    if (!SanitizeLabelName(key, &backing_->arena, &name, &err)) {
      return Status::InvalidArgument("symbolizer lookup: " + err);
    }
    if (!joined.empty() && name.data() == joined.data()) name = backing_->arena.Copy(joined);
    if (v.type != OtlpValue::kKvList) {
      out->push_back({name, ValueAsString(logs_, v, &backing_->arena)});
      return Status::OK();
    }
    if (depth > kOtlpMaxValueDepth) return Status::InvalidArgument("attribute nested too deeply");
    for (uint32_t k = 0; k < v.children.count; ++k) {
      const OtlpKeyValue& c = logs_.kvs[v.children.first + k];
      LODE_RETURN_IF_ERROR(Flatten(c.key, c.value, name, out, depth + 1));
    }
    return Status::OK();
  }

  // Sorts pairs by name, keeping the last of equal names (Go map semantics)
  // and leaving out empty values.
  static Labels ToLabels(Pairs* pairs) {
    auto by_name = [](const LabelView& a, const LabelView& b) { return a.name < b.name; };
    if (!std::is_sorted(pairs->begin(), pairs->end(), by_name))
      std::stable_sort(pairs->begin(), pairs->end(), by_name);
    Labels ls;
    ls.reserve(pairs->size());
    for (size_t i = 0; i < pairs->size(); ++i) {
      if (i + 1 < pairs->size() && (*pairs)[i + 1].name == (*pairs)[i].name) continue;
      if ((*pairs)[i].value.empty()) continue;  // an empty label is an absent label
      ls.push_back({std::string((*pairs)[i].name), std::string((*pairs)[i].value)});
    }
    return ls;
  }

  // The stream with these labels, created on first use. Streams are found
  // by label hash (no label text is built: labels_text stays empty).
  size_t StreamFor(Labels labels) {
    uint64_t h = HashLabels(labels);
    auto it = stream_index_.find(h);
    if (it != stream_index_.end()) {
      if (out_->streams[it->second].labels == labels) return it->second;
      for (size_t i : hash_collisions_)
        if (out_->streams[i].labels == labels) return i;
    }
    size_t idx = out_->streams.size();
    if (it == stream_index_.end()) {
      stream_index_.emplace(h, idx);
    } else {
      hash_collisions_.push_back(idx);
    }
    PushStream ps;
    ps.labels = std::move(labels);
    out_->streams.push_back(std::move(ps));
    return idx;
  }

  Status Resource(const OtlpResource& res) {
    Pairs& index = index_;
    Pairs& res_md = res_md_;
    index.clear();
    res_md.clear();
    bool has_service_name = false;
    bool checked_service_name = false;
    for (uint32_t k = 0; k < res.attributes.count; ++k) {
      const OtlpKeyValue& kv = logs_.kvs[res.attributes.first + k];
      if (!checked_service_name && kv.key == kServiceNameAttr) {
        checked_service_name = true;  // pdata's Map.Get: the first one
        has_service_name = !ValueAsString(logs_, kv.value, &backing_->arena).empty();
      }
      OtlpAction a = ActionFor(Kind::kResource, kv.key);
      if (a == OtlpAction::kDrop) continue;
      LODE_RETURN_IF_ERROR(
          Flatten(kv.key, kv.value, {}, a == OtlpAction::kIndexLabel ? &index : &res_md));
    }
    Labels labels = ToLabels(&index);
    if (!has_service_name) {
      std::string service(kUnknownService);
      for (auto cand : kDiscoverServiceName) {
        if (const std::string* v = FindLabel(labels, cand); v && !v->empty()) {
          service = *v;
          break;
        }
      }
      if (std::string* v = const_cast<std::string*>(FindLabel(labels, kServiceNameLabel))) {
        *v = service;
      } else {
        labels.push_back({std::string(kServiceNameLabel), service});
        SortLabels(&labels);
      }
    }
    size_t n_records = 0;
    for (uint32_t s = 0; s < res.scopes.count; ++s)
      n_records += logs_.scopes[res.scopes.first + s].records.count;
    if (labels.empty()) {
      if (n_records) {
        out_->errors.push_back("error at least one label pair is required per stream");
        stats_->rejected += n_records;
      }
      return Status::OK();
    }
    size_t stream = StreamFor(std::move(labels));
    for (uint32_t s = 0; s < res.scopes.count; ++s) {
      LODE_RETURN_IF_ERROR(Scope(logs_.scopes[res.scopes.first + s], stream, res_md));
    }
    return Status::OK();
  }

  Status Scope(const OtlpScope& scope, size_t resource_stream, const Pairs& res_md) {
    Pairs scope_md;
    for (uint32_t k = 0; k < scope.attributes.count; ++k) {
      const OtlpKeyValue& kv = logs_.kvs[scope.attributes.first + k];
      if (ActionFor(Kind::kScope, kv.key) == OtlpAction::kDrop) continue;
      LODE_RETURN_IF_ERROR(Flatten(kv.key, kv.value, {}, &scope_md));
    }
    if (!scope.name.empty()) scope_md.push_back({"scope_name", scope.name});
    if (!scope.version.empty()) scope_md.push_back({"scope_version", scope.version});
    if (scope.dropped_attributes_count) {
      scope_md.push_back({"scope_dropped_attributes_count",
                          IntString(scope.dropped_attributes_count, &backing_->arena)});
    }
    {
      PushStream& ps = out_->streams[resource_stream];
      ps.entries.reserve(ps.entries.size() + scope.records.count);
      if (!res_md.empty() || !scope_md.empty())
        ps.md.reserve(ps.md.size() + scope.records.count * (res_md.size() + scope_md.size()));
    }
    Pairs& rec_md = rec_md_;
    Pairs& log_labels = log_labels_;
    for (uint32_t r = 0; r < scope.records.count; ++r) {
      const OtlpRecord& rec = logs_.records[scope.records.first + r];
      rec_md.clear();
      log_labels.clear();
      for (uint32_t k = 0; k < rec.attributes.count; ++k) {
        const OtlpKeyValue& kv = logs_.kvs[rec.attributes.first + k];
        OtlpAction a = ActionFor(Kind::kLog, kv.key);
        if (a == OtlpAction::kDrop) continue;
        LODE_RETURN_IF_ERROR(
            Flatten(kv.key, kv.value, {}, a == OtlpAction::kIndexLabel ? &log_labels : &rec_md));
      }
      if (rec.time_unix_nano && rec.observed_time_unix_nano) {
        rec_md.push_back(
            {"observed_timestamp",
             IntString(static_cast<int64_t>(rec.observed_time_unix_nano), &backing_->arena)});
      }
      if (rec.severity_number)
        rec_md.push_back({"severity_number", IntString(rec.severity_number, &backing_->arena)});
      if (!rec.severity_text.empty()) {
        if (config_.severity_text_as_label)
          log_labels.push_back({"severity_text", rec.severity_text});
        rec_md.push_back({"severity_text", rec.severity_text});
      }
      if (rec.dropped_attributes_count) {
        rec_md.push_back({"dropped_attributes_count",
                          IntString(rec.dropped_attributes_count, &backing_->arena)});
      }
      if (rec.flags) rec_md.push_back({"flags", IntString(rec.flags, &backing_->arena)});
      if (!rec.trace_id.empty()) {
        if (rec.trace_id.size() != 16) {
          return Status::InvalidArgument(
              "invalid trace_id: " + std::to_string(rec.trace_id.size()) + " bytes, want 16");
        }
        if (rec.trace_id.find_first_not_of('\0') != std::string_view::npos)
          rec_md.push_back({"trace_id", HexString(rec.trace_id, &backing_->arena)});
      }
      if (!rec.span_id.empty()) {
        if (rec.span_id.size() != 8) {
          return Status::InvalidArgument("invalid span_id: " + std::to_string(rec.span_id.size()) +
                                         " bytes, want 8");
        }
        if (rec.span_id.find_first_not_of('\0') != std::string_view::npos)
          rec_md.push_back({"span_id", HexString(rec.span_id, &backing_->arena)});
      }
      size_t stream = resource_stream;
      if (!log_labels.empty()) {
        Pairs all;
        const Labels& resource_labels = out_->streams[resource_stream].labels;
        all.reserve(resource_labels.size() + log_labels.size());
        for (const auto& l : resource_labels) all.push_back({l.name, l.value});
        all.insert(all.end(), log_labels.begin(), log_labels.end());
        stream = StreamFor(ToLabels(&all));
      }
      EntryRef e;
      if (rec.time_unix_nano) {
        e.ts = static_cast<int64_t>(rec.time_unix_nano);
      } else if (rec.observed_time_unix_nano) {
        e.ts = static_cast<int64_t>(rec.observed_time_unix_nano);
      } else {
        e.ts = now_ns_;
      }
      e.line = ValueAsString(logs_, rec.body, &backing_->arena);
      e.n_md = static_cast<uint32_t>(rec_md.size() + res_md.size() + scope_md.size());
      md_pairs_ += e.n_md;
      if (md_pairs_ > kOtlpMaxMetadataPairs) {
        return Status::InvalidArgument(
            "request too large: more than " + std::to_string(kOtlpMaxMetadataPairs) +
            " structured metadata entries after copying resource and scope attributes "
            "to each log record; send smaller batches");
      }
      PushStream& ps = out_->streams[stream];
      ps.md.insert(ps.md.end(), rec_md.begin(), rec_md.end());
      ps.md.insert(ps.md.end(), res_md.begin(), res_md.end());
      ps.md.insert(ps.md.end(), scope_md.begin(), scope_md.end());
      ps.entries.push_back(e);
    }
    return Status::OK();
  }

  const OtlpLogs& logs_;
  const OtlpConfig& config_;
  const int64_t now_ns_;
  PushRequest* out_;
  MapBacking* backing_;
  OtlpMapStats* stats_;
  std::unordered_map<uint64_t, size_t> stream_index_;  // label hash -> stream
  std::vector<size_t> hash_collisions_;                // streams whose hash was taken
  std::unordered_map<std::string_view, OtlpAction> resource_actions_, log_actions_;
  Pairs index_, res_md_, rec_md_, log_labels_;  // reused buffers
  size_t md_pairs_ = 0;
};

Status MapInto(const OtlpLogs& logs, const OtlpConfig& config, int64_t now_ns, PushRequest* out,
               OtlpMapStats* stats, std::shared_ptr<void> decoded) {
  auto backing = std::make_shared<MapBacking>();
  backing->decoded = std::move(decoded);
  out->streams.clear();
  out->errors.clear();
  *stats = OtlpMapStats();
  Mapper m(logs, config, now_ns, out, backing.get(), stats);
  Status s = m.Run();
  if (!s.ok()) {
    out->streams.clear();
    return s;
  }
  out->backing = std::move(backing);
  return Status::OK();
}

}  // namespace

Status MapOtlpLogs(const OtlpLogs& logs, const OtlpConfig& config, int64_t now_ns, PushRequest* out,
                   OtlpMapStats* stats) {
  return MapInto(logs, config, now_ns, out, stats, nullptr);
}

Status DecodeOtlpProtobuf(std::string_view body, const OtlpConfig& config, int64_t now_ns,
                          PushRequest* out, OtlpMapStats* stats) {
  auto logs = std::make_shared<OtlpLogs>();
  std::string err;
  if (!DecodeOtlpLogsWire(body, logs.get(), &err)) {
    return Status::InvalidArgument("failed to parse OTLP request: invalid protobuf: " + err);
  }
  return MapInto(*logs, config, now_ns, out, stats, logs);
}

Status DecodeOtlpJson(std::string_view body, const OtlpConfig& config, int64_t now_ns,
                      PushRequest* out, OtlpMapStats* stats) {
  auto logs = std::make_shared<OtlpLogs>();
  std::shared_ptr<void> doc;
  std::string err;
  if (!DecodeOtlpLogsJson(body, logs.get(), &doc, &err)) {
    return Status::InvalidArgument("failed to parse OTLP request: " + err);
  }
  auto both = std::make_shared<std::pair<std::shared_ptr<void>, std::shared_ptr<OtlpLogs>>>(
      std::move(doc), logs);
  return MapInto(*logs, config, now_ns, out, stats, both);
}

namespace {

void AppendVarint(uint64_t v, std::string* out) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>(v | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

void AppendLenField(uint32_t field, std::string_view bytes, std::string* out) {
  AppendVarint(field << 3 | 2, out);
  AppendVarint(bytes.size(), out);
  out->append(bytes);
}

}  // namespace

std::string OtlpResponseProtobuf(int64_t rejected, std::string_view error_message) {
  if (rejected == 0 && error_message.empty()) return {};
  std::string ps;
  if (rejected) {
    AppendVarint(1 << 3, &ps);
    AppendVarint(static_cast<uint64_t>(rejected), &ps);
  }
  if (!error_message.empty()) AppendLenField(2, error_message, &ps);
  std::string out;
  AppendLenField(1, ps, &out);
  return out;
}

std::string OtlpResponseJson(int64_t rejected, std::string_view error_message) {
  if (rejected == 0 && error_message.empty()) return "{}";
  nlohmann::json ps = nlohmann::json::object();
  if (rejected) ps["rejectedLogRecords"] = std::to_string(rejected);
  if (!error_message.empty()) ps["errorMessage"] = std::string(error_message);
  return nlohmann::json{{"partialSuccess", ps}}.dump(-1, ' ', false,
                                                     nlohmann::json::error_handler_t::replace);
}

std::string OtlpStatusProtobuf(int32_t code, std::string_view message) {
  std::string out;
  if (code) {
    AppendVarint(1 << 3, &out);
    AppendVarint(static_cast<uint64_t>(static_cast<int64_t>(code)), &out);
  }
  if (!message.empty()) AppendLenField(2, message, &out);
  return out;
}

std::string OtlpStatusJson(int32_t code, std::string_view message) {
  nlohmann::json j = nlohmann::json::object();
  if (code) j["code"] = code;
  j["message"] = std::string(message);
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace lode::ingest
