// Configuration generators for teams that keep a separate shipper:
//   lode promtail-config [--url URL] [--positions FILE] [--http-port N] [--container-root DIR]
//   LOG_SOURCES... lode compose-volumes [--container-root DIR] LOG_SOURCES...
// Both resolve the sources exactly as the collector does (paths relative to
// their log-sources file, globs expanded).
#pragma once

#include <string>
#include <vector>

#include "ingest/collector/log_sources.h"

namespace lode::collector {

struct GeneratorOptions {
  std::string push_url = "http://localhost:3100/loki/api/v1/push";
  std::string positions_file = "/tmp/promtail-positions.yaml";
  int http_port = 9080;  // Promtail's own server (0: any free port)
  // Empty: host paths. Else the directories as mounted by compose-volumes:
  // <container_root>/<source name>[-<n>] for the n-th directory of a glob.
  std::string container_root;
};

// Each source directory with the path a container sees it at (or itself).
struct MountedDir {
  std::string host, container;
};
std::vector<MountedDir> SourceDirs(const LogSource& s, const std::string& container_root);

// A Promtail (and Grafana Alloy `convert`) compatible promtail-config.yml: one
// scrape_config per source, one static_config per directory and pattern with
// the labels and __path__, __path_exclude__ for exclude, and pipeline stages
// for multiline and labels_from_path.
std::string PromtailConfig(const std::vector<LogSource>& sources, const GeneratorOptions& opts);

// docker-compose volume lines `      - HOST:CONTAINER:ro`, one per distinct
// directory, with unique container paths.
std::string ComposeVolumes(const std::vector<LogSource>& sources, const GeneratorOptions& opts);

// The `lode promtail-config` / `lode compose-volumes` commands: argv after
// the command name. Returns the exit code; output on stdout, errors on stderr.
int RunGeneratorCommand(const std::string& command, const std::vector<std::string>& args);

}  // namespace lode::collector
