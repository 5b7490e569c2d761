#include <string>

#include "ingest/push.h"

namespace lode::ingest {

namespace {
constexpr size_t kMaxInflatedBytes = 256u << 20;
}  // namespace

Status Decode(std::string_view content_type, std::string_view content_encoding,
              std::string_view body, PushRequest* out) {
  std::string inflated;
  if (content_encoding == "gzip" || content_encoding == "deflate") {
    LODE_RETURN_IF_ERROR(Gunzip(body, kMaxInflatedBytes, &inflated));
    body = inflated;
  } else if (!content_encoding.empty() && content_encoding != "identity" &&
             content_encoding != "snappy") {
    return Status::Unsupported("unsupported Content-Encoding: " + std::string(content_encoding));
  }
  if (content_type.starts_with("application/json")) return DecodeJsonPush(body, out);
  if (content_type.empty() || content_type.starts_with("application/x-protobuf") ||
      content_type.starts_with("application/octet-stream")) {
    return DecodeProtobufPush(body, out);
  }
  return Status::Unsupported("unsupported Content-Type: " + std::string(content_type));
}

}  // namespace lode::ingest
