// zstd decompression of request bodies (Content-Encoding: zstd, which the
// OpenTelemetry Collector's `compression: zstd` sends and Loki accepts on
// /otlp/v1/logs), bounded like Gunzip.
#pragma once

#include <string>
#include <string_view>

#include "base/status.h"

namespace lode::ingest {

// Decompresses one or more concatenated zstd frames, failing past max_bytes.
Status ZstdDecode(std::string_view in, size_t max_bytes, std::string* out);

}  // namespace lode::ingest
