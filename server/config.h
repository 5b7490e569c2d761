// lode's configuration: a YAML file whose keys follow Loki's names where a
// Loki user would look for them, an embedded default, and command-line
// overrides. Unknown keys and bad values are rejected with a message naming
// the key. See lode.example.yaml for every key with its default.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "agent/agent.h"
#include "base/status.h"
#include "ingest/collector/docker_config.h"
#include "ingest/limits.h"
#include "ingest/otlp_config.h"
#include "ingest/push.h"
#include "logql/engine.h"
#include "server/ruler_config.h"
#include "storage/retention.h"
#include "storage/store.h"

namespace lode::server {

// The limits that may differ per tenant: limits_config, overridden for a
// tenant by the keys under `overrides.<tenant>` (Loki keeps these in a
// runtime overrides file; lode reads them from the main config).
struct TenantLimits {
  ingest::PushLimits push;                                 // validation of pushed streams
  ingest::RateLimits rate;                                 // ingestion_rate_mb, active streams
  int64_t retention_period_ns = 7LL * 86400 * 1000000000;  // retention_period
  std::vector<RetentionStreamRule> retention_stream;       // retention_stream
  std::string deletion_mode = "filter-and-delete";  // disabled | filter-only | filter-and-delete
  ingest::OtlpConfig otlp;                          // otlp_config
};

struct Config {
  bool auth_enabled = false;                          // auth_enabled: require X-Scope-OrgID
  std::string listen_address = "0.0.0.0";             // server.http_listen_address
  uint16_t listen_port = 3100;                        // server.http_listen_port
  std::string log_level = "info";                     // server.log_level
  int64_t http_read_timeout_ns = 30LL * 1000000000;   // server.http_server_read_timeout
  int64_t http_write_timeout_ns = 30LL * 1000000000;  // server.http_server_write_timeout
  int64_t http_idle_timeout_ns = 120LL * 1000000000;  // server.http_server_idle_timeout
  int64_t http_max_connections = 10000;  // server.http_server_max_connections (lode's own)
  int64_t http_worker_threads = 0;       // server.http_server_worker_threads (lode's own; 0: auto)
  // server.http_tls_config.{cert_file,key_file,client_auth_type,client_ca_file}
  std::string tls_cert_file, tls_key_file, tls_client_auth_type, tls_client_ca_file;
  // server.basic_auth.{username,password_hash} (lode's own; bcrypt)
  std::string basic_auth_username, basic_auth_password_hash;
  std::string data_dir = "./data";  // storage.data_dir (alias common.path_prefix)
  StoreOptions store;               // storage.* and ingester.*
  TenantLimits limits;              // limits_config.*: every tenant's defaults
  logql::EngineOptions engine;      // limits_config.max_query_series, query.*
  int64_t max_query_length_ns =
      30LL * 86400 * 1000000000 + 3600LL * 1000000000;  // limits_config.max_query_length (721h)

  bool retention_enabled = true;  // compactor.retention_enabled
  int64_t now_offset_ns = 0;      // testing.now_offset (tests only)
  bool ui_enabled = true;         // ui.enabled: serve the log explorer at / and /ui/
  // querier.multi_tenant_queries_enabled: `X-Scope-OrgID: a|b` on read
  // endpoints queries several tenants (server/multi_tenant_reader.h).
  bool multi_tenant_queries_enabled = false;

  // The built-in file collector (ingest/collector/collector.h).
  std::vector<std::string> log_sources_files;  // log_sources_files (+ --log-sources), globs allowed
  std::vector<std::string> log_sources_http;   // log_sources_http: URLs answering JSON sources
  std::string collector_tenant = "fake";       // collector.tenant
  int64_t collector_refresh_interval_ns =
      30LL * 1000000000;                                // collector.refresh_interval (HTTP sources)
  int64_t collector_rotate_wait_ns = 5LL * 1000000000;  // collector.rotate_wait
  // docker_sources (+ --docker): Docker containers (ingest/collector/docker_config.h).
  std::vector<collector::DockerSourceConfig> docker_sources;
  std::string docker_sources_yaml;  // as configured, for ConfigToYaml

  RulerConfig ruler;  // ruler.*: alerting and recording rules

  // `lode agent` (agent/agent.h): agent.* (url, tenant, data_dir,
  // external_labels, batch_wait, batch_size, min_backoff, max_backoff,
  // timeout, buffer_max_bytes); its collector part is unused here.
  agent::AgentOptions agent;

  // overrides.<tenant>.<limits key>: raw values as configured (sequence
  // values as YAML text), resolved by ResolveLimits.
  std::map<std::string, std::vector<std::pair<std::string, std::string>>> overrides_raw;
  // Resolved by ResolveLimits: each overridden tenant's limits.
  std::map<std::string, TenantLimits, std::less<>> overrides;

  const TenantLimits& LimitsFor(std::string_view tenant) const {
    auto it = overrides.find(tenant);
    return it == overrides.end() ? limits : it->second;
  }
};

// Recomputes the overridden tenants' limits from `limits` and overrides_raw; run after
// changing limits by hand (LoadConfig and ApplyConfigYaml call it).
Status ResolveLimits(Config* cfg);

// The store's retention policy for this configuration (keeps everything
// when compactor.retention_enabled is false).
std::shared_ptr<const RetentionPolicy> MakeRetentionPolicy(const Config& cfg);

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

// --docker: adds a docker source named "docker" with the defaults
// (unix:///var/run/docker.sock, all containers) unless one has that name.
void AddDefaultDockerSource(Config* cfg);

// Formats a duration the way Loki prints them (e.g. 168h0m0s -> "1w"? no: "168h").
std::string FormatDuration(int64_t ns);

}  // namespace lode::server
