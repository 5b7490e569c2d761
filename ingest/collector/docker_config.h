// Docker container sources (`docker_sources:` in lode's config, `--docker`)
// and the read positions of containers.
//
//   docker_sources:
//     - name: docker                          # unique, [A-Za-z0-9_.-]+ (default "docker")
//       host: unix:///var/run/docker.sock     # the Engine API socket (default)
//       filters:                              # Docker's list filters (default: all containers)
//         label: ["com.docker.compose.project=aixcl"]
//       labels: {env: prod}                   # static labels
//       labels_from_container_labels:         # lode label: container label (or a list of
//         team: org.example.team              #   container labels, named as Prometheus does)
//       multiline: {firstline: '^\d{4}-', max_lines: 128, max_wait: 3s}
//       timestamp: docker                     # docker (default) | auto | {field, format}
//       refresh: 10s                          # re-list as a safety net beside /events
//
// Every entry gets `container` (the name without its slash), `stream`
// (stdout/stderr), `compose_service` and `compose_project` when the container
// has Compose's labels, then the static and mapped labels.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/labels.h"
#include "base/status.h"
#include "ingest/collector/log_sources.h"

namespace lode::collector {

struct DockerSourceConfig {
  std::string name = "docker";
  std::string host = "unix:///var/run/docker.sock";
  std::map<std::string, std::vector<std::string>> filters;  // /containers/json?filters=
  Labels labels;                                            // sorted
  // (lode label, container label), in configuration order.
  std::vector<std::pair<std::string, std::string>> labels_from_container_labels;
  bool has_multiline = false;
  MultilineOptions multiline;
  // false: Docker's timestamp (when the daemon read the line); true: found
  // in the line by `timestamp` (ExtractTimestamp), else Docker's.
  bool line_timestamp = false;
  TimestampOptions timestamp;
  int64_t refresh_ns = 10LL * 1000000000;

  bool operator==(const DockerSourceConfig& o) const;
};

// Parses the value of `docker_sources:` (YAML text of a sequence). Errors
// name the key: `config: docker_sources[0].filters: ...`.
Status ParseDockerSourcesYaml(const std::string& text, std::vector<DockerSourceConfig>* out);

// The filters as Docker's JSON (`{"label":["a=b"]}`), "" for none.
std::string DockerFiltersJson(const std::map<std::string, std::vector<std::string>>& filters);

// A Prometheus-style label name for a container label: invalid characters
// become '_' (`com.docker.compose.service` → `com_docker_compose_service`).
std::string SanitizeLabelName(std::string_view name);

// Where one stream (stdout or stderr) of a container was read to: every
// message with a timestamp before `ts`, and the first `n` messages at `ts`,
// are stored. Docker stamps a stream's messages in order (one goroutine per
// stream), so this is exact per stream; `since=` is inclusive and has
// nanosecond precision (moby daemon/logger/loggerutils/logfile.go).
struct DockerStreamPosition {
  int64_t ts = 0;
  uint64_t n = 0;
  bool operator<(const DockerStreamPosition& o) const {
    return ts < o.ts || (ts == o.ts && n < o.n);
  }
  bool operator==(const DockerStreamPosition& o) const { return ts == o.ts && n == o.n; }
};

struct DockerPosition {
  DockerStreamPosition out, err;
  std::string name;  // the container's name, for people reading the state
};

//   key:   collector/docker/<source>/<container id>
//   value: 1 <stdout ts> <stdout n> <stderr ts> <stderr n> <name>
// The file collector's keys (positions.h) share the prefix `collector/`, so
// one ReadState reads both; a docker key never decodes as a file's.
constexpr std::string_view kDockerPositionPrefix = "collector/docker/";
std::string DockerPositionKey(std::string_view source, std::string_view container_id);
std::string EncodeDockerPosition(const DockerPosition& p);
bool DecodeDockerPosition(std::string_view key, std::string_view value, std::string* source,
                          std::string* container_id, DockerPosition* p);

}  // namespace lode::collector
