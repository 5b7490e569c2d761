// OpenTelemetry logs ingest (POST /otlp/v1/logs): decodes an OTLP
// ExportLogsServiceRequest (protobuf or JSON) and maps it to the same
// PushRequest the Loki push decoders produce, following Loki 3's OTLP
// mapping (pkg/loghttp/push/otlp.go):
//
//   - resource attributes whose action is index_label (by default Loki's list,
//     kDefaultIndexLabelAttributes) become stream labels; the others
//     structured metadata, unless dropped. Without service.name, service_name
//     comes from the first of kDiscoverServiceName present among the index
//     labels, else "unknown_service".
//   - scope attributes, scope_name, scope_version and
//     scope_dropped_attributes_count; log attributes, observed_timestamp
//     (when timeUnixNano is set too), severity_number, severity_text,
//     dropped_attributes_count, flags, trace_id and span_id (lower-case hex)
//     become structured metadata, in this order per entry: log record fields,
//     then resource attributes, then scope fields. Log attributes may be
//     index labels too (log_attributes action index_label, or
//     severity_text_as_label): such records go to a stream with those labels
//     added.
//   - map-valued attributes are flattened: {"a":{"b":1}} is a_b="1"; names
//     are sanitised (SanitizeLabelName: http.method is http_method); values
//     are pdata's AsString.
//   - the body is the line (strings as they are, other values as JSON), the
//     timestamp timeUnixNano, else observedTimeUnixNano, else now.
//
// Streams have labels but no labels_text (nothing was sent as text).
// Entries are views into the request body, the decoded document and an
// arena held by PushRequest::backing; the body itself is not copied, so the
// caller keeps it alive while the PushRequest is used.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.h"
#include "ingest/otlp_config.h"
#include "ingest/otlp_logs.h"
#include "ingest/push.h"

namespace lode::ingest {

// At most this many structured metadata pairs per request, counted after
// resource and scope attributes are copied to each of their records (which
// multiplies them): bounds the memory one request can take.
constexpr size_t kOtlpMaxMetadataPairs = size_t{4} << 20;

// Records that were rejected while mapping (they never reach Validate):
// those of a resource whose labels came out empty.
struct OtlpMapStats {
  size_t records = 0;   // log records in the request
  size_t rejected = 0;  // of which rejected by the mapping (messages in PushRequest::errors)
};

// Maps decoded logs to streams (see above). Fails (InvalidArgument, nothing
// usable in *out) when an attribute name cannot be sanitised, a trace or
// span id has the wrong length, or kOtlpMaxMetadataPairs is exceeded.
Status MapOtlpLogs(const OtlpLogs& logs, const OtlpConfig& config, int64_t now_ns, PushRequest* out,
                   OtlpMapStats* stats);

// body: an ExportLogsServiceRequest in protobuf (already decompressed).
Status DecodeOtlpProtobuf(std::string_view body, const OtlpConfig& config, int64_t now_ns,
                          PushRequest* out, OtlpMapStats* stats);
// body: an ExportLogsServiceRequest in OTLP/JSON (already decompressed).
Status DecodeOtlpJson(std::string_view body, const OtlpConfig& config, int64_t now_ns,
                      PushRequest* out, OtlpMapStats* stats);

// ExportLogsServiceResponse bodies: empty (all accepted) or with
// partial_success {rejected_log_records, error_message}.
std::string OtlpResponseProtobuf(int64_t rejected, std::string_view error_message);
std::string OtlpResponseJson(int64_t rejected, std::string_view error_message);
// google.rpc.Status {code, message}: the body of OTLP/HTTP error responses.
std::string OtlpStatusProtobuf(int32_t code, std::string_view message);
std::string OtlpStatusJson(int32_t code, std::string_view message);

}  // namespace lode::ingest
