#include "ingest/otlp_json.h"

#include <cmath>
#include <cstdlib>
#include <limits>
#include <nlohmann/json.hpp>

namespace lode::ingest {

namespace {

using nlohmann::json;

class JsonDecoder {
 public:
  JsonDecoder(OtlpLogs* out, std::string* error) : out_(out), error_(error) {}

  bool Request(const json& doc) {
    if (!doc.is_object()) return Fail("request is not a JSON object");
    const json* rls = Field(doc, "resourceLogs", "resource_logs");
    if (!rls || rls->is_null()) return true;
    if (!rls->is_array()) return Fail("resourceLogs is not an array");
    for (const auto& rl : *rls)
      if (!ResourceLogs(rl)) return false;
    return true;
  }

 private:
  bool Fail(std::string what) {
    *error_ = std::move(what);
    return false;
  }

  // The member named `camel` (or `snake`), nullptr when absent.
  static const json* Field(const json& obj, const char* camel, const char* snake) {
    auto it = obj.find(camel);
    if (it != obj.end()) return &*it;
    if (snake) {
      it = obj.find(snake);
      if (it != obj.end()) return &*it;
    }
    return nullptr;
  }

  bool String(const json& obj, const char* camel, const char* snake, std::string_view* out) {
    const json* v = Field(obj, camel, snake);
    if (!v || v->is_null()) return true;
    if (!v->is_string()) return Fail(std::string(camel) + " is not a string");
    *out = v->get_ref<const std::string&>();
    return true;
  }

  // An integer given as a JSON number or a decimal string.
  bool Int(const json& obj, const char* camel, const char* snake, bool is_unsigned, uint64_t* out) {
    const json* v = Field(obj, camel, snake);
    if (!v || v->is_null()) return true;
    if (v->is_number_unsigned()) {
      *out = v->get<uint64_t>();
      return true;
    }
    if (v->is_number_integer()) {
      int64_t i = v->get<int64_t>();
      if (is_unsigned && i < 0) return Fail(std::string(camel) + ": negative value");
      *out = static_cast<uint64_t>(i);
      return true;
    }
    if (v->is_number_float()) {
      double d = v->get<double>();
      if (d != std::floor(d) || std::fabs(d) > 1.8e19 || (is_unsigned && d < 0))
        return Fail(std::string(camel) + ": not an integer");
      *out =
          is_unsigned ? static_cast<uint64_t>(d) : static_cast<uint64_t>(static_cast<int64_t>(d));
      return true;
    }
    if (v->is_string()) {
      const std::string& s = v->get_ref<const std::string&>();
      if (!ParseDecimal(s, is_unsigned, out))
        return Fail(std::string(camel) + ": invalid integer \"" + s + "\"");
      return true;
    }
    return Fail(std::string(camel) + " is not an integer");
  }

  static bool ParseDecimal(const std::string& s, bool is_unsigned, uint64_t* out) {
    if (s.empty()) return false;
    size_t i = 0;
    bool neg = false;
    if (s[0] == '-' && !is_unsigned) {
      neg = true;
      i = 1;
    }
    if (i == s.size()) return false;
    uint64_t v = 0;
    for (; i < s.size(); ++i) {
      if (s[i] < '0' || s[i] > '9') return false;
      uint64_t d = static_cast<uint64_t>(s[i] - '0');
      if (v > (std::numeric_limits<uint64_t>::max() - d) / 10) return false;
      v = v * 10 + d;
    }
    if (!is_unsigned && v > (neg ? uint64_t{1} << 63 : (uint64_t{1} << 63) - 1)) return false;
    *out = neg ? ~v + 1 : v;
    return true;
  }

  static int Hex(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  }

  // traceId / spanId: hex of exactly `n` bytes, or empty.
  bool HexId(const json& obj, const char* camel, const char* snake, size_t n,
             std::string_view* out) {
    std::string_view s;
    if (!String(obj, camel, snake, &s)) return false;
    if (s.empty()) return true;
    if (s.size() != 2 * n) {
      return Fail(std::string("invalid ") + camel + " \"" + std::string(s.substr(0, 64)) +
                  "\": want " + std::to_string(2 * n) + " hex digits");
    }
    std::string raw(n, '\0');
    for (size_t i = 0; i < n; ++i) {
      int hi = Hex(s[2 * i]), lo = Hex(s[2 * i + 1]);
      if (hi < 0 || lo < 0)
        return Fail(std::string("invalid ") + camel + " \"" + std::string(s) + "\": not hex");
      raw[i] = static_cast<char>(hi << 4 | lo);
    }
    *out = out_->owned.emplace_back(std::move(raw));
    return true;
  }

  bool Base64(std::string_view in, std::string* out) {
    // Standard and URL alphabets, padding optional (as Go's protojson).
    auto val = [](char c) -> int {
      if (c >= 'A' && c <= 'Z') return c - 'A';
      if (c >= 'a' && c <= 'z') return c - 'a' + 26;
      if (c >= '0' && c <= '9') return c - '0' + 52;
      if (c == '+' || c == '-') return 62;
      if (c == '/' || c == '_') return 63;
      return -1;
    };
    while (!in.empty() && in.back() == '=') in.remove_suffix(1);
    if (in.size() % 4 == 1) return false;
    out->clear();
    out->reserve(in.size() * 3 / 4);
    uint32_t acc = 0;
    int bits = 0;
    for (char c : in) {
      int v = val(c);
      if (v < 0) return false;
      acc = acc << 6 | static_cast<uint32_t>(v);
      bits += 6;
      if (bits >= 8) {
        bits -= 8;
        out->push_back(static_cast<char>((acc >> bits) & 0xff));
      }
    }
    return true;
  }

  bool Attributes(const json& obj, const char* what, OtlpRange* range) {
    const json* attrs = Field(obj, "attributes", nullptr);
    std::vector<OtlpKeyValue> kvs;
    if (attrs && !attrs->is_null()) {
      if (!attrs->is_array()) return Fail(std::string(what) + ".attributes is not an array");
      if (!KeyValues(*attrs, 0, &kvs)) return false;
    }
    *range = {static_cast<uint32_t>(out_->kvs.size()), static_cast<uint32_t>(kvs.size())};
    out_->kvs.insert(out_->kvs.end(), kvs.begin(), kvs.end());
    return true;
  }

  bool KeyValues(const json& arr, int depth, std::vector<OtlpKeyValue>* kvs) {
    kvs->reserve(arr.size());
    for (const auto& e : arr) {
      if (!e.is_object()) return Fail("attribute is not an object");
      OtlpKeyValue kv;
      if (!String(e, "key", nullptr, &kv.key)) return false;
      const json* v = Field(e, "value", nullptr);
      if (v && !v->is_null() && !Value(*v, depth, &kv.value)) return false;
      kvs->push_back(kv);
    }
    return true;
  }

  bool Value(const json& v, int depth, OtlpValue* out) {
    if (depth > kOtlpMaxValueDepth) return Fail("AnyValue nested too deeply");
    if (!v.is_object()) return Fail("AnyValue is not an object");
    *out = OtlpValue();
    for (auto it = v.begin(); it != v.end(); ++it) {
      const std::string& k = it.key();
      const json& x = it.value();
      if (x.is_null()) continue;
      if (k == "stringValue" || k == "string_value") {
        if (!x.is_string()) return Fail("stringValue is not a string");
        out->type = OtlpValue::kString;
        out->s = x.get_ref<const std::string&>();
      } else if (k == "boolValue" || k == "bool_value") {
        if (!x.is_boolean()) return Fail("boolValue is not a boolean");
        out->type = OtlpValue::kBool;
        out->b = x.get<bool>();
      } else if (k == "intValue" || k == "int_value") {
        uint64_t i = 0;
        if (!Int(v, it.key().c_str(), nullptr, false, &i)) return false;
        out->type = OtlpValue::kInt;
        out->i = static_cast<int64_t>(i);
      } else if (k == "doubleValue" || k == "double_value") {
        out->type = OtlpValue::kDouble;
        if (x.is_number()) {
          out->d = x.get<double>();
        } else if (x.is_string() && (x == "NaN" || x == "Infinity" || x == "-Infinity")) {
          out->d = x == "NaN"
                       ? std::numeric_limits<double>::quiet_NaN()
                       : (x == "Infinity" ? 1 : -1) * std::numeric_limits<double>::infinity();
        } else if (x.is_string()) {
          const std::string& s = x.get_ref<const std::string&>();
          char* end = nullptr;
          out->d = std::strtod(s.c_str(), &end);
          if (s.empty() || *end != '\0') return Fail("doubleValue: invalid number \"" + s + "\"");
        } else {
          return Fail("doubleValue is not a number");
        }
      } else if (k == "bytesValue" || k == "bytes_value") {
        std::string raw;
        if (!x.is_string() || !Base64(x.get_ref<const std::string&>(), &raw))
          return Fail("bytesValue is not base64");
        out->type = OtlpValue::kBytes;
        out->s = out_->owned.emplace_back(std::move(raw));
      } else if (k == "arrayValue" || k == "array_value" || k == "kvlistValue" ||
                 k == "kvlist_value") {
        bool array = k[0] == 'a';
        if (!x.is_object()) return Fail(k + " is not an object");
        const json* vals = Field(x, "values", nullptr);
        if (vals && !vals->is_null() && !vals->is_array())
          return Fail(k + ".values is not an array");
        out->type = array ? OtlpValue::kArray : OtlpValue::kKvList;
        if (array) {
          std::vector<OtlpValue> elems;
          if (vals) {
            elems.reserve(vals->size());
            for (const auto& e : *vals) {
              OtlpValue ev;
              if (!Value(e, depth + 1, &ev)) return false;
              elems.push_back(ev);
            }
          }
          out->children = {static_cast<uint32_t>(out_->values.size()),
                           static_cast<uint32_t>(elems.size())};
          out_->values.insert(out_->values.end(), elems.begin(), elems.end());
        } else {
          std::vector<OtlpKeyValue> kvs;
          if (vals && !KeyValues(*vals, depth + 1, &kvs)) return false;
          out->children = {static_cast<uint32_t>(out_->kvs.size()),
                           static_cast<uint32_t>(kvs.size())};
          out_->kvs.insert(out_->kvs.end(), kvs.begin(), kvs.end());
        }
      }
    }
    return true;
  }

  bool ResourceLogs(const json& rl) {
    if (!rl.is_object()) return Fail("resourceLogs element is not an object");
    OtlpResource res;
    const json* r = Field(rl, "resource", nullptr);
    if (r && !r->is_null()) {
      if (!r->is_object()) return Fail("resource is not an object");
      if (!Attributes(*r, "resource", &res.attributes)) return false;
    }
    res.scopes.first = static_cast<uint32_t>(out_->scopes.size());
    const json* sls = Field(rl, "scopeLogs", "scope_logs");
    if (sls && !sls->is_null()) {
      if (!sls->is_array()) return Fail("scopeLogs is not an array");
      for (const auto& sl : *sls)
        if (!ScopeLogs(sl)) return false;
    }
    res.scopes.count = static_cast<uint32_t>(out_->scopes.size()) - res.scopes.first;
    out_->resources.push_back(res);
    return true;
  }

  bool ScopeLogs(const json& sl) {
    if (!sl.is_object()) return Fail("scopeLogs element is not an object");
    OtlpScope scope;
    const json* s = Field(sl, "scope", nullptr);
    if (s && !s->is_null()) {
      if (!s->is_object()) return Fail("scope is not an object");
      uint64_t dropped = 0;
      if (!String(*s, "name", nullptr, &scope.name) ||
          !String(*s, "version", nullptr, &scope.version) ||
          !Attributes(*s, "scope", &scope.attributes) ||
          !Int(*s, "droppedAttributesCount", "dropped_attributes_count", true, &dropped))
        return false;
      scope.dropped_attributes_count = static_cast<uint32_t>(dropped);
    }
    scope.records.first = static_cast<uint32_t>(out_->records.size());
    const json* lrs = Field(sl, "logRecords", "log_records");
    if (lrs && !lrs->is_null()) {
      if (!lrs->is_array()) return Fail("logRecords is not an array");
      for (const auto& lr : *lrs) {
        OtlpRecord rec;
        if (!Record(lr, &rec)) return false;
        out_->records.push_back(rec);
      }
    }
    scope.records.count = static_cast<uint32_t>(out_->records.size()) - scope.records.first;
    out_->scopes.push_back(scope);
    return true;
  }

  bool Severity(const json& lr, int32_t* out) {
    const json* v = Field(lr, "severityNumber", "severity_number");
    if (v && v->is_string()) {
      static const char* kNames[] = {"UNSPECIFIED", "TRACE",  "TRACE2", "TRACE3", "TRACE4",
                                     "DEBUG",       "DEBUG2", "DEBUG3", "DEBUG4", "INFO",
                                     "INFO2",       "INFO3",  "INFO4",  "WARN",   "WARN2",
                                     "WARN3",       "WARN4",  "ERROR",  "ERROR2", "ERROR3",
                                     "ERROR4",      "FATAL",  "FATAL2", "FATAL3", "FATAL4"};
      const std::string& s = v->get_ref<const std::string&>();
      for (int i = 0; i < 25; ++i) {
        if (s == std::string("SEVERITY_NUMBER_") + kNames[i]) {
          *out = i;
          return true;
        }
      }
    }
    uint64_t n = 0;
    if (!Int(lr, "severityNumber", "severity_number", false, &n)) return false;
    int64_t i = static_cast<int64_t>(n);
    if (i < INT32_MIN || i > INT32_MAX) return Fail("severityNumber out of range");
    *out = static_cast<int32_t>(i);
    return true;
  }

  bool Record(const json& lr, OtlpRecord* r) {
    if (!lr.is_object()) return Fail("logRecords element is not an object");
    uint64_t dropped = 0, flags = 0;
    if (!Int(lr, "timeUnixNano", "time_unix_nano", true, &r->time_unix_nano) ||
        !Int(lr, "observedTimeUnixNano", "observed_time_unix_nano", true,
             &r->observed_time_unix_nano) ||
        !Severity(lr, &r->severity_number) ||
        !String(lr, "severityText", "severity_text", &r->severity_text) ||
        !Int(lr, "droppedAttributesCount", "dropped_attributes_count", true, &dropped) ||
        !Int(lr, "flags", nullptr, true, &flags) ||
        !HexId(lr, "traceId", "trace_id", 16, &r->trace_id) ||
        !HexId(lr, "spanId", "span_id", 8, &r->span_id) ||
        !Attributes(lr, "logRecord", &r->attributes))
      return false;
    if (dropped > UINT32_MAX || flags > UINT32_MAX)
      return Fail("logRecord: 32-bit field out of range");
    r->dropped_attributes_count = static_cast<uint32_t>(dropped);
    r->flags = static_cast<uint32_t>(flags);
    const json* body = Field(lr, "body", nullptr);
    if (body && !body->is_null() && !Value(*body, 0, &r->body)) return false;
    return true;
  }

  OtlpLogs* out_;
  std::string* error_;
};

}  // namespace

bool DecodeOtlpLogsJson(std::string_view body, OtlpLogs* out, std::shared_ptr<void>* backing,
                        std::string* error) {
  out->Clear();
  auto doc = std::make_shared<json>(json::parse(body.begin(), body.end(), nullptr, false));
  if (doc->is_discarded()) {
    *error = "invalid JSON";
    return false;
  }
  JsonDecoder d(out, error);
  if (!d.Request(*doc)) return false;
  *backing = std::move(doc);
  return true;
}

}  // namespace lode::ingest
