// Internal to ingest/collector/: the YAML parsing that log-sources files
// (log_sources.cc) and docker_sources (docker_config.cc) share, so that
// `multiline:` and `timestamp:` mean the same in both. Not an API.
#pragma once

#include <yaml-cpp/yaml.h>

#include <functional>
#include <string>

#include "ingest/collector/log_sources.h"

namespace lode::collector {

// Builds the caller's error for a node, a dotted key and a message.
using YamlError =
    std::function<Status(const YAML::Node& at, const std::string& key, const std::string& msg)>;

// `multiline: {firstline, max_lines, max_wait}` (firstline required).
Status ParseMultilineNode(const YAML::Node& v, const YamlError& err, const std::string& key,
                          MultilineOptions* out);
// `timestamp: auto | read_time | {field, format}`.
Status ParseTimestampNode(const YAML::Node& v, const YamlError& err, const std::string& key,
                          TimestampOptions* out);

}  // namespace lode::collector
