// The LogQL literals that follow Go/Prometheus formats: durations (Prometheus
// model.ParseDuration, then Go's time.ParseDuration) and byte sizes
// (go-humanize). The parsing itself lives in base/go_parse.h.

#include "base/go_parse.h"
#include "logql/syntax/parser.h"

namespace lode::logql {

Status ParseDuration(std::string_view s, int64_t* ns) {
  std::string err;
  if (PromParseDuration(s, ns, &err)) return Status::OK();
  err.clear();
  if (!GoParseDuration(s, ns, &err)) return Status::InvalidArgument(err);
  return Status::OK();
}

Status ParseBytes(std::string_view s, double* bytes) {
  uint64_t b = 0;
  std::string err;
  if (!HumanizeParseBytes(s, &b, &err)) return Status::InvalidArgument(err);
  *bytes = static_cast<double>(b);
  return Status::OK();
}

}  // namespace lode::logql
