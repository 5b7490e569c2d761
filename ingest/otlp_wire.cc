#include "ingest/otlp_wire.h"

#include <algorithm>
#include <cstring>

#include "ingest/wire_cursor.h"

namespace lode::ingest {

namespace {

using wire::Cursor;
using wire::kFixed32;
using wire::kFixed64;
using wire::kLen;
using wire::kVarint;

class WireDecoder {
 public:
  WireDecoder(OtlpLogs* out, std::string* error) : out_(out), error_(error) {}

  // ExportLogsServiceRequest { repeated ResourceLogs resource_logs = 1; }
  bool Request(std::string_view m) {
    Cursor c(m);
    uint32_t f, wt;
    std::string_view sub;
    while (!c.done()) {
      if (!c.Tag(&f, &wt)) return Fail("truncated ExportLogsServiceRequest");
      if (f == 1) {
        if (wt != kLen) return WrongType("ExportLogsServiceRequest.resource_logs");
        if (!c.Bytes(&sub)) return Fail("truncated ExportLogsServiceRequest");
        if (!ResourceLogs(sub)) return false;
      } else if (!c.Skip(f, wt)) {
        return Fail("truncated ExportLogsServiceRequest");
      }
    }
    return true;
  }

 private:
  bool Fail(const char* what) {
    *error_ = what;
    return false;
  }
  bool WrongType(const char* field) {
    *error_ = std::string("wrong wire type for ") + field;
    return false;
  }

  OtlpRange AppendKvs(const std::vector<OtlpKeyValue>& kvs) {
    OtlpRange r{static_cast<uint32_t>(out_->kvs.size()), static_cast<uint32_t>(kvs.size())};
    out_->kvs.insert(out_->kvs.end(), kvs.begin(), kvs.end());
    return r;
  }

  // ResourceLogs { Resource resource = 1; repeated ScopeLogs scope_logs = 2; string schema_url = 3;
  // }
  bool ResourceLogs(std::string_view m) {
    OtlpResource res;
    res_attrs_.clear();
    res.scopes.first = static_cast<uint32_t>(out_->scopes.size());
    Cursor c(m);
    uint32_t f, wt;
    std::string_view sub;
    while (!c.done()) {
      if (!c.Tag(&f, &wt)) return Fail("truncated ResourceLogs");
      if (f == 1 || f == 2) {
        if (wt != kLen)
          return WrongType(f == 1 ? "ResourceLogs.resource" : "ResourceLogs.scope_logs");
        if (!c.Bytes(&sub)) return Fail("truncated ResourceLogs");
        if (!(f == 1 ? Resource(sub) : ScopeLogs(sub))) return false;
      } else if (!c.Skip(f, wt)) {
        return Fail("truncated ResourceLogs");
      }
    }
    res.scopes.count = static_cast<uint32_t>(out_->scopes.size()) - res.scopes.first;
    res.attributes = AppendKvs(res_attrs_);
    out_->resources.push_back(res);
    return true;
  }

  // Resource { repeated KeyValue attributes = 1; uint32 dropped_attributes_count = 2; ... }
  bool Resource(std::string_view m) {
    Cursor c(m);
    uint32_t f, wt;
    std::string_view sub;
    while (!c.done()) {
      if (!c.Tag(&f, &wt)) return Fail("truncated Resource");
      if (f == 1) {
        if (wt != kLen) return WrongType("Resource.attributes");
        OtlpKeyValue kv;
        if (!c.Bytes(&sub)) return Fail("truncated Resource");
        if (!KeyValue(sub, &kv, 0)) return false;
        res_attrs_.push_back(kv);
      } else if (f == 2 && wt != kVarint) {
        return WrongType("Resource.dropped_attributes_count");
      } else if (!c.Skip(f, wt)) {
        return Fail("truncated Resource");
      }
    }
    return true;
  }

  // ScopeLogs { InstrumentationScope scope = 1; repeated LogRecord log_records = 2; string
  // schema_url = 3; }
  bool ScopeLogs(std::string_view m) {
    OtlpScope scope;
    scope_attrs_.clear();
    scope.records.first = static_cast<uint32_t>(out_->records.size());
    Cursor c(m);
    uint32_t f, wt;
    std::string_view sub;
    while (!c.done()) {
      if (!c.Tag(&f, &wt)) return Fail("truncated ScopeLogs");
      if (f == 1 || f == 2) {
        if (wt != kLen) return WrongType(f == 1 ? "ScopeLogs.scope" : "ScopeLogs.log_records");
        if (!c.Bytes(&sub)) return Fail("truncated ScopeLogs");
        if (f == 1) {
          if (!Scope(sub, &scope)) return false;
        } else {
          OtlpRecord r;
          if (!Record(sub, &r)) return false;
          out_->records.push_back(r);
        }
      } else if (!c.Skip(f, wt)) {
        return Fail("truncated ScopeLogs");
      }
    }
    scope.records.count = static_cast<uint32_t>(out_->records.size()) - scope.records.first;
    scope.attributes = AppendKvs(scope_attrs_);
    out_->scopes.push_back(scope);
    return true;
  }

  // InstrumentationScope { string name = 1; string version = 2;
  //                        repeated KeyValue attributes = 3; uint32 dropped_attributes_count = 4; }
  bool Scope(std::string_view m, OtlpScope* scope) {
    Cursor c(m);
    uint32_t f, wt;
    std::string_view sub;
    uint64_t v;
    while (!c.done()) {
      if (!c.Tag(&f, &wt)) return Fail("truncated InstrumentationScope");
      if (f >= 1 && f <= 3) {
        if (wt != kLen) return WrongType("InstrumentationScope field");
        if (!c.Bytes(&sub)) return Fail("truncated InstrumentationScope");
        if (f == 1) {
          scope->name = sub;
        } else if (f == 2) {
          scope->version = sub;
        } else {
          OtlpKeyValue kv;
          if (!KeyValue(sub, &kv, 0)) return false;
          scope_attrs_.push_back(kv);
        }
      } else if (f == 4) {
        if (wt != kVarint) return WrongType("InstrumentationScope.dropped_attributes_count");
        if (!c.Varint(&v)) return Fail("truncated InstrumentationScope");
        scope->dropped_attributes_count = static_cast<uint32_t>(v);
      } else if (!c.Skip(f, wt)) {
        return Fail("truncated InstrumentationScope");
      }
    }
    return true;
  }

  // LogRecord, see otlp_logs.proto.
  bool Record(std::string_view m, OtlpRecord* r) {
    rec_attrs_.clear();
    Cursor c(m);
    uint32_t f, wt;
    std::string_view sub;
    uint64_t v;
    uint32_t v32;
    while (!c.done()) {
      if (!c.Tag(&f, &wt)) return Fail("truncated LogRecord");
      switch (f) {
        case 1:
        case 11:
          if (wt != kFixed64)
            return WrongType(f == 1 ? "LogRecord.time_unix_nano"
                                    : "LogRecord.observed_time_unix_nano");
          if (!c.Fixed64(&v)) return Fail("truncated LogRecord");
          (f == 1 ? r->time_unix_nano : r->observed_time_unix_nano) = v;
          break;
        case 2:
        case 7:
          if (wt != kVarint)
            return WrongType(f == 2 ? "LogRecord.severity_number"
                                    : "LogRecord.dropped_attributes_count");
          if (!c.Varint(&v)) return Fail("truncated LogRecord");
          if (f == 2) {
            r->severity_number = static_cast<int32_t>(static_cast<uint32_t>(v));
          } else {
            r->dropped_attributes_count = static_cast<uint32_t>(v);
          }
          break;
        case 8:
          if (wt != kFixed32) return WrongType("LogRecord.flags");
          if (!c.Fixed32(&v32)) return Fail("truncated LogRecord");
          r->flags = v32;
          break;
        case 3:
        case 5:
        case 6:
        case 9:
        case 10:
          if (wt != kLen) return WrongType("LogRecord field");
          if (!c.Bytes(&sub)) return Fail("truncated LogRecord");
          if (f == 3) {
            r->severity_text = sub;
          } else if (f == 5) {
            if (!Value(sub, &r->body, 0)) return false;
          } else if (f == 6) {
            OtlpKeyValue kv;
            if (!KeyValue(sub, &kv, 0)) return false;
            rec_attrs_.push_back(kv);
          } else if (f == 9) {
            r->trace_id = sub;
          } else {
            r->span_id = sub;
          }
          break;
        default:
          if (!c.Skip(f, wt)) return Fail("truncated LogRecord");
      }
    }
    r->attributes = AppendKvs(rec_attrs_);
    return true;
  }

  // KeyValue { string key = 1; AnyValue value = 2; }
  bool KeyValue(std::string_view m, OtlpKeyValue* kv, int depth) {
    Cursor c(m);
    uint32_t f, wt;
    std::string_view sub;
    while (!c.done()) {
      if (!c.Tag(&f, &wt)) return Fail("truncated KeyValue");
      if (f == 1 || f == 2) {
        if (wt != kLen) return WrongType(f == 1 ? "KeyValue.key" : "KeyValue.value");
        if (!c.Bytes(&sub)) return Fail("truncated KeyValue");
        if (f == 1) {
          kv->key = sub;
        } else if (!Value(sub, &kv->value, depth)) {
          return false;
        }
      } else if (!c.Skip(f, wt)) {
        return Fail("truncated KeyValue");
      }
    }
    return true;
  }

  // AnyValue { oneof value { string string_value = 1; bool bool_value = 2; int64 int_value = 3;
  //   double double_value = 4; ArrayValue array_value = 5; KeyValueList kvlist_value = 6; bytes
  //   bytes_value = 7; } }
  bool Value(std::string_view m, OtlpValue* out, int depth) {
    if (depth > kOtlpMaxValueDepth) return Fail("AnyValue nested too deeply");
    Cursor c(m);
    uint32_t f, wt;
    std::string_view sub;
    uint64_t v;
    while (!c.done()) {
      if (!c.Tag(&f, &wt)) return Fail("truncated AnyValue");
      switch (f) {
        case 1:
        case 5:
        case 6:
        case 7:
          if (wt != kLen) return WrongType("AnyValue field");
          if (!c.Bytes(&sub)) return Fail("truncated AnyValue");
          *out = OtlpValue();
          if (f == 1 || f == 7) {
            out->type = f == 1 ? OtlpValue::kString : OtlpValue::kBytes;
            out->s = sub;
          } else if (f == 5) {
            out->type = OtlpValue::kArray;
            if (!Array(sub, out, depth + 1)) return false;
          } else {
            out->type = OtlpValue::kKvList;
            if (!KvList(sub, out, depth + 1)) return false;
          }
          break;
        case 2:
        case 3:
          if (wt != kVarint)
            return WrongType(f == 2 ? "AnyValue.bool_value" : "AnyValue.int_value");
          if (!c.Varint(&v)) return Fail("truncated AnyValue");
          *out = OtlpValue();
          if (f == 2) {
            out->type = OtlpValue::kBool;
            out->b = v != 0;
          } else {
            out->type = OtlpValue::kInt;
            out->i = static_cast<int64_t>(v);
          }
          break;
        case 4:
          if (wt != kFixed64) return WrongType("AnyValue.double_value");
          if (!c.Fixed64(&v)) return Fail("truncated AnyValue");
          *out = OtlpValue();
          out->type = OtlpValue::kDouble;
          std::memcpy(&out->d, &v, sizeof(double));
          break;
        default:
          if (!c.Skip(f, wt)) return Fail("truncated AnyValue");
      }
    }
    return true;
  }

  // ArrayValue { repeated AnyValue values = 1; }
  bool Array(std::string_view m, OtlpValue* out, int depth) {
    std::vector<OtlpValue> elems;
    Cursor c(m);
    uint32_t f, wt;
    std::string_view sub;
    while (!c.done()) {
      if (!c.Tag(&f, &wt)) return Fail("truncated ArrayValue");
      if (f == 1) {
        if (wt != kLen) return WrongType("ArrayValue.values");
        if (!c.Bytes(&sub)) return Fail("truncated ArrayValue");
        OtlpValue e;
        if (!Value(sub, &e, depth)) return false;
        elems.push_back(e);
      } else if (!c.Skip(f, wt)) {
        return Fail("truncated ArrayValue");
      }
    }
    out->children = {static_cast<uint32_t>(out_->values.size()),
                     static_cast<uint32_t>(elems.size())};
    out_->values.insert(out_->values.end(), elems.begin(), elems.end());
    return true;
  }

  // KeyValueList { repeated KeyValue values = 1; }
  bool KvList(std::string_view m, OtlpValue* out, int depth) {
    std::vector<OtlpKeyValue> kvs;
    Cursor c(m);
    uint32_t f, wt;
    std::string_view sub;
    while (!c.done()) {
      if (!c.Tag(&f, &wt)) return Fail("truncated KeyValueList");
      if (f == 1) {
        if (wt != kLen) return WrongType("KeyValueList.values");
        if (!c.Bytes(&sub)) return Fail("truncated KeyValueList");
        OtlpKeyValue kv;
        if (!KeyValue(sub, &kv, depth)) return false;
        kvs.push_back(kv);
      } else if (!c.Skip(f, wt)) {
        return Fail("truncated KeyValueList");
      }
    }
    out->children = AppendKvs(kvs);
    return true;
  }

  OtlpLogs* out_;
  std::string* error_;
  // Attribute lists being collected; appended to out_->kvs as one block when
  // their message ends, so that nested kvlists do not interleave.
  std::vector<OtlpKeyValue> res_attrs_, scope_attrs_, rec_attrs_;
};

}  // namespace

void OtlpLogs::Clear() {
  resources.clear();
  scopes.clear();
  records.clear();
  kvs.clear();
  values.clear();
  owned.clear();
}

bool DecodeOtlpLogsWire(std::string_view data, OtlpLogs* out, std::string* error) {
  out->Clear();
  // Typical records take 100-300 bytes: one allocation in the common case,
  // without trusting the body to be mostly records.
  out->records.reserve(std::min<size_t>(data.size() / 128, 1 << 16));
  WireDecoder d(out, error);
  return d.Request(data);
}

}  // namespace lode::ingest
