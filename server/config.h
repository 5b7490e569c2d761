// lode's configuration: a YAML file whose keys follow Loki's names where a
// Loki user would look for them, an embedded default, and command-line
// overrides. Unknown keys and bad values are rejected with a message naming
// the key. See lode.example.yaml for every key with its default.
#pragma once

#include <cstdint>
#include <string>

#include "ingest/push.h"
#include "logql/engine.h"
#include "storage/status.h"
#include "storage/store.h"

namespace lode::server {

struct Config {
  bool auth_enabled = false;  // auth_enabled: require X-Scope-OrgID
  std::string listen_address = "0.0.0.0";  // server.http_listen_address
  uint16_t listen_port = 3100;             // server.http_listen_port
  std::string log_level = "info";          // server.log_level
  std::string data_dir = "./data";         // storage.data_dir (alias common.path_prefix)
  StoreOptions store;                      // storage.* and ingester.*
  ingest::PushLimits limits;               // limits_config.*
  int64_t retention_period_ns = 7LL * 86400 * 1000000000;  // limits_config.retention_period
  logql::EngineOptions engine;             // limits_config.max_query_series, query.*
  int64_t max_query_length_ns = 30LL * 86400 * 1000000000 + 3600LL * 1000000000;  // limits_config.max_query_length (721h)
};

// The embedded default configuration (YAML text), also used by `make run`.
const char* DefaultConfigYaml();

// Applies the YAML text on top of *cfg. Errors name the offending key, e.g.
// `config: unknown key "limits_config.foo"` or
// `config: limits_config.max_line_size: invalid size "abc"`.
Status ApplyConfigYaml(const std::string& yaml, Config* cfg);

// Loads defaults, then the file (if not empty).
Status LoadConfig(const std::string& path, Config* cfg);

// The effective configuration as YAML (for GET /config).
std::string ConfigToYaml(const Config& cfg);

// Formats a duration the way Loki prints them (e.g. 168h0m0s -> "1w"? no: "168h").
std::string FormatDuration(int64_t ns);

}  // namespace lode::server
