#include "ingest/push.h"

#include <snappy.h>
#include <zlib.h>

#include <cstdio>
#include <ctime>
#include <nlohmann/json.hpp>

#include "ingest/push_wire.h"

namespace lode::ingest {

size_t PushRequest::TotalEntries() const {
  size_t n = 0;
  for (const auto& s : streams) n += s.entries.size();
  return n;
}

size_t PushRequest::TotalBytes() const {
  size_t n = 0;
  for (const auto& s : streams)
    for (const auto& e : s.entries) n += e.line.size();
  return n;
}

namespace {

// The uncompressed length of a snappy block, checked against max_bytes.
Status SnappyLength(std::string_view in, size_t max_bytes, size_t* n) {
  if (!snappy::GetUncompressedLength(in.data(), in.size(), n)) {
    return Status::InvalidArgument("snappy: corrupt input");
  }
  if (*n > max_bytes) {
    return Status::InvalidArgument("request body too large: " + std::to_string(*n) +
                                   " bytes, limit: " + std::to_string(max_bytes) + " bytes");
  }
  return Status::OK();
}

}  // namespace

Status SnappyDecode(std::string_view in, size_t max_bytes, std::string* out) {
  size_t n = 0;
  LODE_RETURN_IF_ERROR(SnappyLength(in, max_bytes, &n));
  out->resize(n);
  if (!snappy::RawUncompress(in.data(), in.size(), out->data())) {
    return Status::InvalidArgument("snappy: corrupt input");
  }
  return Status::OK();
}

Status Gunzip(std::string_view in, size_t max_bytes, std::string* out) {
  z_stream zs{};
  // 15 + 32: detect gzip or zlib headers automatically.
  if (inflateInit2(&zs, 15 + 32) != Z_OK) return Status::Internal("zlib init failed");
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  out->clear();
  char buf[64 * 1024];
  int ret;
  do {
    zs.next_out = reinterpret_cast<Bytef*>(buf);
    zs.avail_out = sizeof(buf);
    ret = inflate(&zs, Z_NO_FLUSH);
    if (ret != Z_OK && ret != Z_STREAM_END) {
      inflateEnd(&zs);
      return Status::InvalidArgument(std::string("gzip: invalid data: ") +
                                     (zs.msg ? zs.msg : "corrupt input"));
    }
    out->append(buf, sizeof(buf) - zs.avail_out);
    if (out->size() > max_bytes) {
      inflateEnd(&zs);
      return Status::InvalidArgument("request body too large: more than " +
                                     std::to_string(max_bytes) + " bytes after decompression");
    }
  } while (ret != Z_STREAM_END && (zs.avail_in > 0 || zs.avail_out == 0));
  inflateEnd(&zs);
  if (ret != Z_STREAM_END) return Status::InvalidArgument("gzip: unexpected end of data");
  return Status::OK();
}

namespace {

// Parses labels text into s->labels; on failure records Loki's message.
bool ParseStreamLabels(PushStream* s, std::vector<std::string>* errors) {
  Status st = ParseLabels(s->labels_text, &s->labels);
  if (!st.ok()) {
    const std::string& m = st.message();
    if (m.rfind("duplicate label name: ", 0) == 0) {
      errors->push_back("stream '" + std::string(s->labels_text) + "' has duplicate label name: '" +
                        m.substr(22) + "'");
    } else {
      errors->push_back("Error parsing labels '" + std::string(s->labels_text) +
                        "' with error: " + m);
    }
    return false;
  }
  if (s->labels.empty()) {
    errors->push_back("error at least one label pair is required per stream");
    return false;
  }
  return true;
}

// Go's time.Time.String() in UTC: "2006-01-02 15:04:05.999999999 +0000 UTC".
std::string GoTime(int64_t ns) {
  time_t secs = static_cast<time_t>(ns / 1000000000);
  int64_t frac = ns % 1000000000;
  if (frac < 0) {
    frac += 1000000000;
    secs -= 1;
  }
  struct tm tm;
  gmtime_r(&secs, &tm);
  char buf[64];
  strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S", &tm);
  std::string out = buf;
  if (frac) {
    char f[16];
    snprintf(f, sizeof(f), ".%09lld", static_cast<long long>(frac));
    std::string fs = f;
    while (fs.back() == '0') fs.pop_back();
    out += fs;
  }
  return out + " +0000 UTC";
}

bool ParseDecimalNs(std::string_view s, int64_t* out) {
  if (s.empty() || s.size() > 19) return false;
  int64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  *out = v;
  return true;
}

}  // namespace

Status DecodeProtobufPush(std::string_view body, PushRequest* out) {
  size_t n = 0;
  LODE_RETURN_IF_ERROR(SnappyLength(body, 512u << 20, &n));
  // Not zero-initialised (unlike std::string::resize): snappy writes every byte.
  std::shared_ptr<char[]> raw(new char[n]);
  if (!snappy::RawUncompress(body.data(), body.size(), raw.get())) {
    return Status::InvalidArgument("snappy: corrupt input");
  }
  out->streams.clear();
  std::string wire_error;
  if (!DecodePushRequestWire(std::string_view(raw.get(), n), out, &wire_error)) {
    out->streams.clear();
    return Status::InvalidArgument(
        "failed to parse push request: " +
        (wire_error.empty() ? std::string("invalid protobuf") : wire_error));
  }
  size_t kept = 0;
  for (auto& ps : out->streams) {
    if (!ParseStreamLabels(&ps, &out->errors)) continue;
    if (&ps != &out->streams[kept]) out->streams[kept] = std::move(ps);
    ++kept;
  }
  out->streams.resize(kept);
  out->backing = std::move(raw);
  return Status::OK();
}

Status DecodeJsonPush(std::string_view body, PushRequest* out) {
  auto doc = std::make_shared<nlohmann::json>();
  *doc = nlohmann::json::parse(body.begin(), body.end(), nullptr, false);
  if (doc->is_discarded())
    return Status::InvalidArgument("failed to parse push request: invalid JSON");
  if (!doc->is_object() || !doc->contains("streams") || !(*doc)["streams"].is_array()) {
    return Status::InvalidArgument("failed to parse push request: missing \"streams\" array");
  }
  out->streams.clear();
  auto& streams = (*doc)["streams"];
  // Label text is rebuilt from the JSON object; keep it alive with the doc.
  auto texts = std::make_shared<std::vector<std::string>>();
  texts->reserve(streams.size());
  for (auto& s : streams) {
    if (!s.is_object())
      return Status::InvalidArgument("failed to parse push request: stream is not an object");
    PushStream ps;
    auto st = s.find("stream");
    if (st == s.end()) st = s.find("labels");
    Labels ls;
    if (st != s.end() && st->is_object()) {
      for (auto it = st->begin(); it != st->end(); ++it) {
        if (!it.value().is_string()) {
          return Status::InvalidArgument("failed to parse push request: label value of " +
                                         it.key() + " is not a string");
        }
        ls.push_back({it.key(), it.value().get<std::string>()});
      }
    } else if (st != s.end() && st->is_string()) {
      texts->push_back(st->get<std::string>());
    } else if (st != s.end()) {
      return Status::InvalidArgument(
          "failed to parse push request: \"stream\" must be an object of label names to values");
    }
    if (st == s.end() || st->is_object()) {
      SortLabels(&ls);
      texts->push_back(LabelsToString(ls));
    }
    ps.labels_text = texts->back();
    bool ok = true;
    if (st != s.end() && st->is_object()) {
      ps.labels = ls;
      for (const auto& l : ls) {
        if (!IsValidLabelName(l.name)) {
          out->errors.push_back("Error parsing labels '" + texts->back() +
                                "' with error: invalid label name \"" + l.name + "\"");
          ok = false;
          break;
        }
      }
      if (ok && ls.empty()) {
        out->errors.push_back("error at least one label pair is required per stream");
        ok = false;
      }
    } else {
      ok = ParseStreamLabels(&ps, &out->errors);
    }
    if (!ok) continue;
    auto vals = s.find("values");
    if (vals == s.end() || !vals->is_array()) {
      return Status::InvalidArgument(
          "failed to parse push request: stream has no \"values\" array");
    }
    size_t n_md = 0;
    for (auto& v : *vals)
      if (v.is_array() && v.size() >= 3 && v[2].is_object()) n_md += v[2].size();
    ps.md.reserve(n_md);
    for (auto& v : *vals) {
      if (!v.is_array() || v.size() < 2 || !v[1].is_string()) {
        return Status::InvalidArgument(
            "failed to parse push request: each value must be [\"<unix epoch in nanoseconds>\", "
            "\"<log line>\"]");
      }
      EntryRef r;
      if (v[0].is_string()) {
        const std::string& ts = v[0].get_ref<const std::string&>();
        if (!ParseDecimalNs(ts, &r.ts)) {
          return Status::InvalidArgument("failed to parse push request: invalid timestamp \"" + ts +
                                         "\"");
        }
      } else if (v[0].is_number_integer()) {
        r.ts = v[0].get<int64_t>();
      } else {
        return Status::InvalidArgument(
            "failed to parse push request: timestamp must be a string of nanoseconds");
      }
      r.line = v[1].get_ref<const std::string&>();
      if (v.size() >= 3 && v[2].is_object()) {
        size_t begin = ps.md.size();
        for (auto it = v[2].begin(); it != v[2].end(); ++it) {
          if (!it.value().is_string()) {
            return Status::InvalidArgument(
                "failed to parse push request: structured metadata values must be strings");
          }
          ps.md.push_back({it.key(), it.value().get_ref<const std::string&>()});
        }
        r.n_md = static_cast<uint32_t>(ps.md.size() - begin);
        r.md = r.n_md ? ps.md.data() + begin : nullptr;
      }
      ps.entries.push_back(r);
    }
    out->streams.push_back(std::move(ps));
  }
  out->backing = std::make_shared<
      std::pair<std::shared_ptr<nlohmann::json>, std::shared_ptr<std::vector<std::string>>>>(doc,
                                                                                             texts);
  return Status::OK();
}

void Validate(const PushLimits& limits, int64_t now_ns, PushRequest* req,
              std::vector<std::string>* errors) {
  size_t kept = 0;
  for (auto& s : req->streams) {
    // The label string is only needed for messages: built on first use.
    std::string lbl_text;
    auto lbl = [&]() -> const std::string& {
      if (lbl_text.empty()) lbl_text = LabelsToString(s.labels);
      return lbl_text;
    };
    if (limits.max_label_names_per_series && s.labels.size() > limits.max_label_names_per_series) {
      errors->push_back("entry for stream '" + lbl() + "' has " + std::to_string(s.labels.size()) +
                        " label names; limit " + std::to_string(limits.max_label_names_per_series));
      continue;
    }
    bool bad = false;
    for (const auto& l : s.labels) {
      if (l.name.size() > limits.max_label_name_length) {
        errors->push_back("stream '" + lbl() + "' has label name too long: '" + l.name + "'");
        bad = true;
        break;
      }
      if (l.value.size() > limits.max_label_value_length) {
        errors->push_back("stream '" + lbl() + "' has label value too long: '" + l.value + "'");
        bad = true;
        break;
      }
    }
    if (bad) continue;
    size_t n = 0;  // entries kept, compacted in place
    for (EntryRef e : s.entries) {
      if (limits.reject_old_samples && limits.reject_old_samples_max_age_ns > 0 &&
          e.ts < now_ns - limits.reject_old_samples_max_age_ns) {
        errors->push_back("entry for stream '" + lbl() + "' has timestamp too old: " +
                          GoTime(e.ts) + ", oldest acceptable timestamp is: " +
                          GoTime(now_ns - limits.reject_old_samples_max_age_ns));
        continue;
      }
      if (limits.creation_grace_period_ns > 0 && e.ts > now_ns + limits.creation_grace_period_ns) {
        errors->push_back("entry for stream '" + lbl() +
                          "' has timestamp too new: " + GoTime(e.ts));
        continue;
      }
      if (limits.max_line_size && e.line.size() > limits.max_line_size) {
        if (limits.max_line_size_truncate) {
          e.line = e.line.substr(0, limits.max_line_size);
        } else {
          errors->push_back("Max entry size '" + std::to_string(limits.max_line_size) +
                            "' bytes exceeded for stream '" + lbl() +
                            "' while adding an entry with length '" +
                            std::to_string(e.line.size()) + "' bytes");
          continue;
        }
      }
      if (e.n_md && !limits.allow_structured_metadata) {
        errors->push_back("stream '" + lbl() +
                          "' includes structured metadata, but this feature is disallowed. Please "
                          "see `limits_config.allow_structured_metadata` or contact your Loki "
                          "administrator to enable it.");
        continue;
      }
      s.entries[n++] = e;
    }
    s.entries.resize(n);
    if (n == 0) continue;
    if (&s != &req->streams[kept]) req->streams[kept] = std::move(s);
    ++kept;
  }
  req->streams.resize(kept);
}

void RejectExpired(const std::function<int64_t(const Labels&)>& cutoff_for, PushRequest* req,
                   std::vector<std::string>* errors) {
  std::vector<PushStream> kept;
  kept.reserve(req->streams.size());
  for (auto& s : req->streams) {
    int64_t cutoff = cutoff_for(s.labels);
    if (cutoff != INT64_MIN) {
      size_t n = 0;
      for (const auto& e : s.entries) {
        if (e.ts >= cutoff) {
          s.entries[n++] = e;
          continue;
        }
        errors->push_back("entry for stream '" + LabelsToString(s.labels) +
                          "' has timestamp too old: " + GoTime(e.ts) +
                          ", oldest acceptable timestamp is: " + GoTime(cutoff));
      }
      s.entries.resize(n);
    }
    if (!s.entries.empty()) kept.push_back(std::move(s));
  }
  req->streams = std::move(kept);
}

}  // namespace lode::ingest
