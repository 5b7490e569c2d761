// An OTLP ExportLogsServiceRequest decoded into flat arrays of views: the
// common form of the protobuf (otlp_wire.h) and JSON (otlp_json.h) encodings
// that the mapping to Loki streams (otlp.h) reads. Strings are views into
// the request body (protobuf) or into storage the decoder keeps in `owned`
// (JSON); whoever holds an OtlpLogs keeps that storage alive.
//
// Nesting is expressed with index ranges: a resource's scopes are
// scopes[resource.scopes], a scope's records records[scope.records], an
// attribute list kvs[range], an array value's elements values[range] and a
// kvlist value's pairs kvs[range]. Each range is contiguous.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace lode::ingest {

struct OtlpRange {
  uint32_t first = 0;
  uint32_t count = 0;
};

// common.v1.AnyValue.
struct OtlpValue {
  enum Type : uint8_t { kEmpty, kString, kBool, kInt, kDouble, kBytes, kArray, kKvList };
  Type type = kEmpty;
  bool b = false;
  int64_t i = 0;
  double d = 0;
  std::string_view s;  // kString; kBytes: the raw bytes
  OtlpRange children;  // kArray: OtlpLogs::values; kKvList: OtlpLogs::kvs
};

struct OtlpKeyValue {
  std::string_view key;
  OtlpValue value;
};

struct OtlpRecord {
  uint64_t time_unix_nano = 0;
  uint64_t observed_time_unix_nano = 0;
  int32_t severity_number = 0;
  std::string_view severity_text;
  OtlpValue body;
  OtlpRange attributes;
  uint32_t dropped_attributes_count = 0;
  uint32_t flags = 0;
  std::string_view trace_id;  // raw bytes: empty or 16
  std::string_view span_id;   // raw bytes: empty or 8
};

struct OtlpScope {
  std::string_view name;
  std::string_view version;
  OtlpRange attributes;
  uint32_t dropped_attributes_count = 0;
  OtlpRange records;
};

struct OtlpResource {
  OtlpRange attributes;
  OtlpRange scopes;
};

struct OtlpLogs {
  std::vector<OtlpResource> resources;
  std::vector<OtlpScope> scopes;
  std::vector<OtlpRecord> records;
  std::vector<OtlpKeyValue> kvs;
  std::vector<OtlpValue> values;
  std::deque<std::string> owned;  // decoded strings (JSON), stable addresses

  void Clear();
};

// AnyValue nesting (arrays and kvlists) deeper than this is rejected as
// malformed, as protobuf's parser rejects messages nested past 100.
constexpr int kOtlpMaxValueDepth = 64;

}  // namespace lode::ingest
