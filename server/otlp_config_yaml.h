// YAML form of limits_config.otlp_config (and overrides.<tenant>.otlp_config),
// with Loki's key names:
//
//   otlp_config:
//     resource_attributes:
//       ignore_defaults: false
//       attributes_config:
//         - action: index_label        # index_label | structured_metadata | drop
//           attributes: [k8s.node.name]
//         - action: drop
//           regex: "process\\..*"     # anchored; one of attributes / regex
//     scope_attributes: [...]          # structured_metadata | drop
//     log_attributes: [...]            # index_label | structured_metadata | drop
//     severity_text_as_label: false
#pragma once

#include <yaml-cpp/yaml.h>

#include <string>

#include "base/status.h"
#include "ingest/otlp_config.h"

namespace lode::server {

// Parses the YAML text of an otlp_config mapping (an empty text or null is the
// default config). Errors name the key: `config: <key>.scope_attributes[0]: ...`.
Status ParseOtlpConfig(const std::string& key, const std::string& yaml_text,
                       ingest::OtlpConfig* out);

// Writes the config as the value of the current key of *e (a mapping).
void EmitOtlpConfig(const ingest::OtlpConfig& c, YAML::Emitter* e);

}  // namespace lode::server
