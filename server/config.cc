#include "server/config.h"

#include <yaml-cpp/yaml.h>

#include <fstream>
#include <functional>
#include <map>
#include <sstream>

#include "logql/syntax/parser.h"
#include "server/otlp_config_yaml.h"

namespace lode::server {

const char* DefaultConfigYaml() {
  return R"(# lode default configuration (embedded). See lode.example.yaml.
auth_enabled: false
server:
  http_listen_address: 0.0.0.0
  http_listen_port: 3100
  http_server_read_timeout: 30s
  http_server_write_timeout: 30s
  http_server_idle_timeout: 2m
  http_server_max_connections: 10000
  http_server_worker_threads: 0
storage:
  data_dir: ./data
  sync_writes: false
  zstd_level: 1
ingester:
  chunk_target_size: 1572864
  chunk_block_size: 262144
  max_chunk_age: 2h
  chunk_idle_period: 30m
limits_config:
  retention_period: 7d
  max_line_size: 256KB
  max_line_size_truncate: false
  max_label_names_per_series: 15
  max_label_name_length: 1024
  max_label_value_length: 2048
  reject_old_samples: true
  reject_old_samples_max_age: 7d
  creation_grace_period: 10m
  allow_structured_metadata: true
  max_query_series: 500
  max_entries_limit_per_query: 5000
  max_query_length: 721h
  query_timeout: 1m
  max_query_memory: 1GiB
  ingestion_rate_mb: 0
  ingestion_burst_size_mb: 0
  max_streams_per_user: 0
  max_global_streams_per_user: 5000
  deletion_mode: filter-and-delete
compactor:
  retention_enabled: true
  compaction_interval: 10m
  delete_request_cancel_period: 24h
querier:
  max_concurrent: 4
  max_queue_wait: 5s
query:
  scan_threads: 2
ui:
  enabled: true
querier:
  multi_tenant_queries_enabled: false
)";
}

namespace {

using Setter = std::function<Status(const std::string& key, const std::string& value, Config*)>;

Status Bad(const std::string& key, const std::string& what, const std::string& value) {
  return Status::InvalidArgument("config: " + key + ": invalid " + what + " \"" + value + "\"");
}

Setter Bool(bool Config::*field) {
  return [field](const std::string& k, const std::string& v, Config* c) {
    if (v == "true")
      c->*field = true;
    else if (v == "false")
      c->*field = false;
    else
      return Bad(k, "boolean", v);
    return Status::OK();
  };
}

template <typename F>
Setter Custom(F f) {
  return f;
}

bool ParseInt(const std::string& v, int64_t* out) {
  if (v.empty()) return false;
  size_t pos = 0;
  try {
    *out = std::stoll(v, &pos);
  } catch (...) {
    return false;
  }
  return pos == v.size();
}

Status Duration(const std::string& k, const std::string& v, int64_t* out) {
  int64_t ns;
  if (!logql::ParseDuration(v, &ns).ok() || ns < 0) return Bad(k, "duration", v);
  *out = ns;
  return Status::OK();
}

Status Size(const std::string& k, const std::string& v, size_t* out) {
  int64_t n;
  if (ParseInt(v, &n) && n >= 0) {
    *out = static_cast<size_t>(n);
    return Status::OK();
  }
  double b;
  if (!logql::ParseBytes(v, &b).ok() || b < 0) return Bad(k, "size", v);
  *out = static_cast<size_t>(b);
  return Status::OK();
}

Status Int(const std::string& k, const std::string& v, int64_t lo, int64_t hi, int64_t* out) {
  int64_t n;
  if (!ParseInt(v, &n) || n < lo || n > hi) return Bad(k, "integer", v);
  *out = n;
  return Status::OK();
}

Status Float(const std::string& k, const std::string& v, double* out) {
  char* end = nullptr;
  double d = std::strtod(v.c_str(), &end);
  if (v.empty() || !end || *end != '\0' || !(d >= 0)) return Bad(k, "number", v);
  *out = d;
  return Status::OK();
}

// `- selector: '{a="b"}'  priority: 1  period: 24h` items (Loki's retention_stream).
Status ParseRetentionStream(const std::string& k, const std::string& text,
                            std::vector<RetentionStreamRule>* out) {
  out->clear();
  YAML::Node n;
  try {
    n = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument("config: " + k + ": " + e.what());
  }
  if (n.IsNull()) return Status::OK();
  if (!n.IsSequence()) return Status::InvalidArgument("config: " + k + ": expected a list");
  for (const auto& item : n) {
    if (!item.IsMap())
      return Status::InvalidArgument("config: " + k + ": expected a list of mappings");
    RetentionStreamRule r;
    bool has_period = false;
    for (const auto& kv : item) {
      std::string name = kv.first.as<std::string>();
      if (!kv.second.IsScalar())
        return Status::InvalidArgument("config: " + k + "." + name + ": expected a scalar value");
      std::string v = kv.second.Scalar();
      if (name == "selector") {
        r.selector = v;
        Status s = logql::ParseMatchers(v, &r.matchers);
        if (!s.ok())
          return Status::InvalidArgument("config: " + k +
                                         ": invalid labels matchers: " + s.message());
      } else if (name == "priority") {
        int64_t p;
        LODE_RETURN_IF_ERROR(Int(k + ".priority", v, INT32_MIN, INT32_MAX, &p));
        r.priority = static_cast<int>(p);
      } else if (name == "period") {
        LODE_RETURN_IF_ERROR(Duration(k + ".period", v, &r.period_ns));
        has_period = true;
      } else {
        return Status::InvalidArgument("config: unknown key \"" + k + "." + name + "\"");
      }
    }
    if (r.selector.empty())
      return Status::InvalidArgument("config: " + k + ": selector is required");
    if (!has_period || r.period_ns < 24LL * 3600 * 1000000000) {
      return Status::InvalidArgument("config: " + k + ": retention period must be >= 24h was " +
                                     FormatDuration(r.period_ns));
    }
    out->push_back(std::move(r));
  }
  return Status::OK();
}

// Keys whose value may be a YAML sequence (passed to the setter as YAML text).
bool TakesSequence(const std::string& key) {
  return key == "limits_config.retention_stream" || key == "log_sources_files" ||
         key == "log_sources_http" || key == "docker_sources";
}

// A sequence of strings given as YAML text (or one scalar).
Status StringSeq(const std::string& k, const std::string& v, std::vector<std::string>* out) {
  out->clear();
  if (v.empty()) return Status::OK();
  try {
    YAML::Node n = YAML::Load(v);
    if (n.IsScalar()) {
      out->push_back(n.as<std::string>());
      return Status::OK();
    }
    for (const auto& e : n) {
      if (!e.IsScalar())
        return Status::InvalidArgument("config: " + k + ": expected a list of strings");
      out->push_back(e.as<std::string>());
    }
  } catch (const YAML::Exception&) {
    return Status::InvalidArgument("config: " + k + ": expected a list of strings");
  }
  return Status::OK();
}
// Keys whose value is a YAML mapping handled by its setter (as YAML text).
bool TakesMapping(const std::string& key) {
  return key == "limits_config.otlp_config" || key == "agent.external_labels";
}

const std::map<std::string, Setter>& Schema() {
  static const std::map<std::string, Setter> schema = {
      {"auth_enabled", Bool(&Config::auth_enabled)},
      {"server.http_listen_address", [](const std::string&, const std::string& v, Config* c) {
         c->listen_address = v;
         return Status::OK();
       }},
      {"server.http_listen_port", [](const std::string& k, const std::string& v, Config* c) {
         int64_t n;
         LODE_RETURN_IF_ERROR(Int(k, v, 0, 65535, &n));
         c->listen_port = static_cast<uint16_t>(n);
         return Status::OK();
       }},
      {"server.http_server_read_timeout", [](const std::string& k, const std::string& v, Config* c) {
         return Duration(k, v, &c->http_read_timeout_ns);
       }},
      {"server.http_server_write_timeout", [](const std::string& k, const std::string& v, Config* c) {
         return Duration(k, v, &c->http_write_timeout_ns);
       }},
      {"server.http_server_idle_timeout", [](const std::string& k, const std::string& v, Config* c) {
         return Duration(k, v, &c->http_idle_timeout_ns);
       }},
      {"server.http_server_max_connections", [](const std::string& k, const std::string& v, Config* c) {
         return Int(k, v, 1, 1000000, &c->http_max_connections);
       }},
      {"server.http_server_worker_threads", [](const std::string& k, const std::string& v, Config* c) {
         return Int(k, v, 0, 4096, &c->http_worker_threads);
       }},
      {"server.http_tls_config.cert_file", [](const std::string&, const std::string& v, Config* c) {
         c->tls_cert_file = v;
         return Status::OK();
       }},
      {"server.http_tls_config.key_file", [](const std::string&, const std::string& v, Config* c) {
         c->tls_key_file = v;
         return Status::OK();
       }},
      {"server.http_tls_config.client_auth_type", [](const std::string&, const std::string& v, Config* c) {
         c->tls_client_auth_type = v;
         return Status::OK();
       }},
      {"server.http_tls_config.client_ca_file", [](const std::string&, const std::string& v, Config* c) {
         c->tls_client_ca_file = v;
         return Status::OK();
       }},
      {"server.basic_auth.username", [](const std::string&, const std::string& v, Config* c) {
         c->basic_auth_username = v;
         return Status::OK();
       }},
      {"server.basic_auth.password_hash", [](const std::string&, const std::string& v, Config* c) {
         c->basic_auth_password_hash = v;
         return Status::OK();
       }},
      {"server.log_level", [](const std::string& k, const std::string& v, Config* c) {
         if (v != "debug" && v != "info" && v != "warn" && v != "error") return Bad(k, "log level", v);
         c->log_level = v;
         return Status::OK();
       }},
      {"storage.data_dir", [](const std::string&, const std::string& v, Config* c) {
         c->data_dir = v;
         return Status::OK();
       }},
      {"common.path_prefix", [](const std::string&, const std::string& v, Config* c) {
         c->data_dir = v;
         return Status::OK();
       }},
      {"storage.sync_writes", [](const std::string& k, const std::string& v, Config* c) {
         if (v != "true" && v != "false") return Bad(k, "boolean", v);
         c->store.sync_writes = v == "true";
         return Status::OK();
       }},
      {"storage.chunk_dictionary", [](const std::string& k, const std::string& v, Config* c) {
         if (v != "true" && v != "false") return Bad(k, "boolean", v);
         c->store.chunk_dictionary = v == "true";
         return Status::OK();
       }},
      {"storage.zstd_level", [](const std::string& k, const std::string& v, Config* c) {
         int64_t n;
         LODE_RETURN_IF_ERROR(Int(k, v, 1, 19, &n));
         c->store.zstd_level = static_cast<int>(n);
         return Status::OK();
       }},
      {"storage.min_free_space", [](const std::string& k, const std::string& v, Config* c) {
         size_t n;
         LODE_RETURN_IF_ERROR(Size(k, v, &n));
         c->store.min_free_space = n;
         return Status::OK();
       }},
      {"storage.max_head_bytes", [](const std::string& k, const std::string& v, Config* c) {
         size_t n;
         LODE_RETURN_IF_ERROR(Size(k, v, &n));
         if (n < (1u << 20)) return Bad(k, "size of at least 1MiB", v);
         c->store.max_head_bytes = n;
         return Status::OK();
       }},
      {"storage.rocksdb.max_background_jobs", [](const std::string& k, const std::string& v, Config* c) {
         int64_t n;
         LODE_RETURN_IF_ERROR(Int(k, v, 1, 64, &n));
         c->store.rocksdb.max_background_jobs = static_cast<int>(n);
         return Status::OK();
       }},
      {"storage.rocksdb.db_write_buffer_size", [](const std::string& k, const std::string& v, Config* c) {
         return Size(k, v, &c->store.rocksdb.db_write_buffer_size);
       }},
      {"storage.rocksdb.block_cache_size", [](const std::string& k, const std::string& v, Config* c) {
         return Size(k, v, &c->store.rocksdb.block_cache_size);
       }},
      {"storage.rocksdb.bloom_bits_per_key", [](const std::string& k, const std::string& v, Config* c) {
         int64_t n;
         LODE_RETURN_IF_ERROR(Int(k, v, 0, 64, &n));
         c->store.rocksdb.bloom_bits_per_key = static_cast<int>(n);
         return Status::OK();
       }},
      {"storage.rocksdb.head_write_buffer_size", [](const std::string& k, const std::string& v, Config* c) {
         return Size(k, v, &c->store.rocksdb.head_write_buffer_size);
       }},
      {"storage.rocksdb.chunks_write_buffer_size", [](const std::string& k, const std::string& v, Config* c) {
         return Size(k, v, &c->store.rocksdb.chunks_write_buffer_size);
       }},
      {"storage.rocksdb.small_write_buffer_size", [](const std::string& k, const std::string& v, Config* c) {
         return Size(k, v, &c->store.rocksdb.small_write_buffer_size);
       }},
      {"storage.rocksdb.head_compression", [](const std::string& k, const std::string& v, Config* c) {
         if (v != "none" && v != "lz4" && v != "snappy" && v != "zstd") return Bad(k, "compression", v);
         c->store.rocksdb.head_compression = v;
         return Status::OK();
       }},
      {"storage.rocksdb.index_compression", [](const std::string& k, const std::string& v, Config* c) {
         if (v != "none" && v != "lz4" && v != "snappy" && v != "zstd") return Bad(k, "compression", v);
         c->store.rocksdb.index_compression = v;
         return Status::OK();
       }},
      {"storage.rocksdb.chunk_blob_files", [](const std::string& k, const std::string& v, Config* c) {
         if (v != "true" && v != "false") return Bad(k, "boolean", v);
         c->store.rocksdb.chunk_blob_files = v == "true";
         return Status::OK();
       }},
      {"storage.rocksdb.chunk_min_blob_size", [](const std::string& k, const std::string& v, Config* c) {
         return Size(k, v, &c->store.rocksdb.chunk_min_blob_size);
       }},
      {"ingester.chunk_target_size", [](const std::string& k, const std::string& v, Config* c) {
         return Size(k, v, &c->store.chunk_target_size);
       }},
      {"ingester.chunk_block_size", [](const std::string& k, const std::string& v, Config* c) {
         LODE_RETURN_IF_ERROR(Size(k, v, &c->store.block_size));
         // Readers refuse blocks over 64 MiB as corrupt (storage/chunk.cc).
         if (c->store.block_size == 0 || c->store.block_size > (16u << 20)) return Bad(k, "block size (1B..16MiB)", v);
         return Status::OK();
       }},
      {"ingester.max_chunk_age", [](const std::string& k, const std::string& v, Config* c) {
         return Duration(k, v, &c->store.max_chunk_age_ns);
       }},
      {"ingester.chunk_idle_period", [](const std::string& k, const std::string& v, Config* c) {
         return Duration(k, v, &c->store.chunk_idle_period_ns);
       }},
      {"limits_config.retention_period", [](const std::string& k, const std::string& v, Config* c) {
         return Duration(k, v, &c->limits.retention_period_ns);
       }},
      {"limits_config.max_line_size", [](const std::string& k, const std::string& v, Config* c) {
         return Size(k, v, &c->limits.push.max_line_size);
       }},
      {"limits_config.max_line_size_truncate", [](const std::string& k, const std::string& v, Config* c) {
         if (v != "true" && v != "false") return Bad(k, "boolean", v);
         c->limits.push.max_line_size_truncate = v == "true";
         return Status::OK();
       }},
      {"limits_config.max_label_names_per_series", [](const std::string& k, const std::string& v, Config* c) {
         int64_t n;
         LODE_RETURN_IF_ERROR(Int(k, v, 1, 1000, &n));
         c->limits.push.max_label_names_per_series = static_cast<size_t>(n);
         return Status::OK();
       }},
      {"limits_config.max_label_name_length", [](const std::string& k, const std::string& v, Config* c) {
         int64_t n;
         LODE_RETURN_IF_ERROR(Int(k, v, 1, 1 << 20, &n));
         c->limits.push.max_label_name_length = static_cast<size_t>(n);
         return Status::OK();
       }},
      {"limits_config.max_label_value_length", [](const std::string& k, const std::string& v, Config* c) {
         int64_t n;
         LODE_RETURN_IF_ERROR(Int(k, v, 1, 1 << 20, &n));
         c->limits.push.max_label_value_length = static_cast<size_t>(n);
         return Status::OK();
       }},
      {"limits_config.reject_old_samples", [](const std::string& k, const std::string& v, Config* c) {
         if (v != "true" && v != "false") return Bad(k, "boolean", v);
         c->limits.push.reject_old_samples = v == "true";
         return Status::OK();
       }},
      {"limits_config.reject_old_samples_max_age", [](const std::string& k, const std::string& v, Config* c) {
         return Duration(k, v, &c->limits.push.reject_old_samples_max_age_ns);
       }},
      {"limits_config.creation_grace_period", [](const std::string& k, const std::string& v, Config* c) {
         return Duration(k, v, &c->limits.push.creation_grace_period_ns);
       }},
      {"limits_config.allow_structured_metadata", [](const std::string& k, const std::string& v, Config* c) {
         if (v != "true" && v != "false") return Bad(k, "boolean", v);
         c->limits.push.allow_structured_metadata = v == "true";
         return Status::OK();
       }},
      {"limits_config.max_query_series", [](const std::string& k, const std::string& v, Config* c) {
         int64_t n;
         LODE_RETURN_IF_ERROR(Int(k, v, 1, 1000000, &n));
         c->engine.max_query_series = static_cast<size_t>(n);
         return Status::OK();
       }},
      {"limits_config.max_entries_limit_per_query", [](const std::string& k, const std::string& v, Config* c) {
         int64_t n;
         LODE_RETURN_IF_ERROR(Int(k, v, 1, 100000000, &n));
         c->engine.max_entries_limit = static_cast<size_t>(n);
         return Status::OK();
       }},
      {"limits_config.query_timeout", [](const std::string& k, const std::string& v, Config* c) {
         return Duration(k, v, &c->engine.query_timeout_ns);
       }},
      {"limits_config.max_query_memory", [](const std::string& k, const std::string& v, Config* c) {
         size_t n;
         LODE_RETURN_IF_ERROR(Size(k, v, &n));
         c->engine.max_query_memory = n;
         return Status::OK();
       }},
      {"querier.max_concurrent", [](const std::string& k, const std::string& v, Config* c) {
         int64_t n;
         LODE_RETURN_IF_ERROR(Int(k, v, 1, 1024, &n));
         c->engine.max_concurrent = static_cast<int>(n);
         return Status::OK();
       }},
      {"querier.max_queue_wait", [](const std::string& k, const std::string& v, Config* c) {
         return Duration(k, v, &c->engine.max_queue_wait_ns);
       }},
      {"limits_config.max_query_length", [](const std::string& k, const std::string& v, Config* c) {
         return Duration(k, v, &c->max_query_length_ns);
       }},
      {"limits_config.retention_stream", [](const std::string& k, const std::string& v, Config* c) {
         return ParseRetentionStream(k, v, &c->limits.retention_stream);
       }},
      {"limits_config.ingestion_rate_mb", [](const std::string& k, const std::string& v, Config* c) {
         return Float(k, v, &c->limits.rate.ingestion_rate_mb);
       }},
      {"limits_config.ingestion_burst_size_mb", [](const std::string& k, const std::string& v, Config* c) {
         return Float(k, v, &c->limits.rate.ingestion_burst_size_mb);
       }},
      {"limits_config.max_streams_per_user", [](const std::string& k, const std::string& v, Config* c) {
         return Int(k, v, 0, INT32_MAX, &c->limits.rate.max_streams_per_user);
       }},
      {"limits_config.max_global_streams_per_user", [](const std::string& k, const std::string& v, Config* c) {
         return Int(k, v, 0, INT32_MAX, &c->limits.rate.max_global_streams_per_user);
       }},
      {"limits_config.otlp_config", [](const std::string& k, const std::string& v, Config* c) {
         return ParseOtlpConfig(k, v, &c->limits.otlp);
       }},
      {"limits_config.deletion_mode", [](const std::string& k, const std::string& v, Config* c) {
         if (v != "disabled" && v != "filter-only" && v != "filter-and-delete") return Bad(k, "deletion mode", v);
         c->limits.deletion_mode = v;
         return Status::OK();
       }},
      {"compactor.retention_enabled", Bool(&Config::retention_enabled)},
      {"compactor.compaction_interval", [](const std::string& k, const std::string& v, Config* c) {
         return Duration(k, v, &c->store.compaction_interval_ns);
       }},
      {"compactor.delete_request_cancel_period", [](const std::string& k, const std::string& v, Config* c) {
         return Duration(k, v, &c->store.delete_request_cancel_period_ns);
       }},
      {"testing.now_offset", [](const std::string& k, const std::string& v, Config* c) {
         int64_t ns;
         bool neg = !v.empty() && v[0] == '-';
         LODE_RETURN_IF_ERROR(Duration(k, neg ? v.substr(1) : v, &ns));
         c->now_offset_ns = neg ? -ns : ns;
         return Status::OK();
       }},
      {"ui.enabled", Bool(&Config::ui_enabled)},
      {"querier.multi_tenant_queries_enabled", Bool(&Config::multi_tenant_queries_enabled)},
      {"log_sources_files", [](const std::string& k, const std::string& v, Config* c) {
         return StringSeq(k, v, &c->log_sources_files);
       }},
      {"log_sources_http", [](const std::string& k, const std::string& v, Config* c) {
         LODE_RETURN_IF_ERROR(StringSeq(k, v, &c->log_sources_http));
         for (const auto& u : c->log_sources_http) {
           if (u.rfind("http://", 0) != 0) return Status::InvalidArgument("config: " + k + ": only http:// URLs: \"" + u + "\"");
         }
         return Status::OK();
       }},
      {"docker_sources", [](const std::string&, const std::string& v, Config* c) {
         LODE_RETURN_IF_ERROR(collector::ParseDockerSourcesYaml(v, &c->docker_sources));
         c->docker_sources_yaml = c->docker_sources.empty() ? "" : v;
         return Status::OK();
       }},
      {"collector.tenant", [](const std::string& k, const std::string& v, Config* c) {
         if (v.empty() || v.find('\0') != std::string::npos || v.size() > 150)
           return Status::InvalidArgument("config: " + k + ": invalid tenant \"" + v + "\"");
         c->collector_tenant = v;
         return Status::OK();
       }},
      {"collector.refresh_interval", [](const std::string& k, const std::string& v, Config* c) {
         LODE_RETURN_IF_ERROR(Duration(k, v, &c->collector_refresh_interval_ns));
         if (c->collector_refresh_interval_ns < 1000000000LL)
           return Status::InvalidArgument("config: " + k + ": at least 1s");
         return Status::OK();
       }},
      {"collector.rotate_wait", [](const std::string& k, const std::string& v, Config* c) {
         return Duration(k, v, &c->collector_rotate_wait_ns);
       }},
      {"agent.url", [](const std::string& k, const std::string& v, Config* c) {
         if (!v.empty() && v.rfind("http://", 0) != 0)
           return Status::InvalidArgument("config: " + k + ": only http:// URLs: \"" + v + "\"");
         c->agent.push_url = v;
         return Status::OK();
       }},
      {"agent.tenant", [](const std::string&, const std::string& v, Config* c) {
         c->agent.tenant = v;
         return Status::OK();
       }},
      {"agent.data_dir", [](const std::string&, const std::string& v, Config* c) {
         c->agent.data_dir = v;
         return Status::OK();
       }},
      {"agent.external_labels", [](const std::string& k, const std::string& v, Config* c) {
         c->agent.external_labels.clear();
         if (v.empty()) return Status::OK();
         YAML::Node n = YAML::Load(v);
         for (const auto& kv : n) {
           if (!kv.second.IsScalar())
             return Status::InvalidArgument("config: " + k + ": values must be strings");
           c->agent.external_labels.push_back({kv.first.as<std::string>(), kv.second.Scalar()});
         }
         SortLabels(&c->agent.external_labels);
         return Status::OK();
       }},
      {"agent.batch_wait", [](const std::string& k, const std::string& v, Config* c) {
         return Duration(k, v, &c->agent.batch_wait_ns);
       }},
      {"agent.batch_size", [](const std::string& k, const std::string& v, Config* c) {
         LODE_RETURN_IF_ERROR(Size(k, v, &c->agent.batch_size));
         if (c->agent.batch_size < 1024) return Status::InvalidArgument("config: " + k + ": at least 1KiB");
         return Status::OK();
       }},
      {"agent.min_backoff", [](const std::string& k, const std::string& v, Config* c) {
         return Duration(k, v, &c->agent.min_backoff_ns);
       }},
      {"agent.max_backoff", [](const std::string& k, const std::string& v, Config* c) {
         return Duration(k, v, &c->agent.max_backoff_ns);
       }},
      {"agent.timeout", [](const std::string& k, const std::string& v, Config* c) {
         LODE_RETURN_IF_ERROR(Duration(k, v, &c->agent.timeout_ns));
         if (c->agent.timeout_ns <= 0) return Status::InvalidArgument("config: " + k + ": must be positive");
         return Status::OK();
       }},
      {"agent.buffer_max_bytes", [](const std::string& k, const std::string& v, Config* c) {
         return Size(k, v, &c->agent.buffer_max_bytes);
       }},
      {"query.scan_threads", [](const std::string& k, const std::string& v, Config* c) {
         int64_t n;
         LODE_RETURN_IF_ERROR(Int(k, v, 1, 256, &n));
         c->engine.scan_threads = static_cast<int>(n);
         return Status::OK();
       }},
  };
  return schema;
}

Status ValueText(const std::string& key, const YAML::Node& v, std::string* out) {
  if ((TakesSequence(key) && v.IsSequence()) || (TakesMapping(key) && v.IsMap()) ||
      ((TakesSequence(key) || TakesMapping(key)) && v.IsNull())) {
    *out = v.IsNull() ? std::string() : YAML::Dump(v);
    return Status::OK();
  }
  if (!v.IsScalar()) return Status::InvalidArgument("config: " + key + ": expected a scalar value");
  *out = v.Scalar();
  return Status::OK();
}

// overrides: { <tenant>: { <limits_config key>: value, ... }, ... }
// The name of a mapping key: a plain scalar, not a sequence or mapping
// (YAML's "? key" form).
Status KeyName(const YAML::Node& key, const std::string& where, std::string* name) {
  if (!key.IsScalar()) {
    return Status::InvalidArgument("config: " + (where.empty() ? std::string("document") : where) +
                                   ": keys must be plain names");
  }
  *name = key.Scalar();
  return Status::OK();
}

Status WalkOverrides(const YAML::Node& node, Config* cfg) {
  if (node.IsNull()) return Status::OK();
  if (!node.IsMap())
    return Status::InvalidArgument("config: overrides: expected a mapping of tenants");
  for (const auto& t : node) {
    std::string tenant;
    LODE_RETURN_IF_ERROR(KeyName(t.first, "overrides", &tenant));
    if (!t.second.IsMap() && !t.second.IsNull())
      return Status::InvalidArgument("config: overrides." + tenant + ": expected a mapping");
    auto& raw = cfg->overrides_raw[tenant];
    raw.clear();
    if (t.second.IsNull()) continue;
    for (const auto& kv : t.second) {
      std::string name;
      LODE_RETURN_IF_ERROR(KeyName(kv.first, "overrides." + tenant, &name));
      std::string key = "limits_config." + name;
      if (!Schema().count(key)) {
        return Status::InvalidArgument("config: unknown key \"overrides." + tenant + "." + name +
                                       "\"");
      }
      std::string value;
      LODE_RETURN_IF_ERROR(ValueText(key, kv.second, &value));
      raw.push_back({name, value});
    }
  }
  return Status::OK();
}

Status Walk(const YAML::Node& node, const std::string& prefix, Config* cfg) {
  if (node.IsNull()) return Status::OK();
  if (!node.IsMap()) {
    return Status::InvalidArgument(
        "config: " + (prefix.empty() ? std::string("document") : prefix) + ": expected a mapping");
  }
  for (const auto& kv : node) {
    std::string name;
    LODE_RETURN_IF_ERROR(KeyName(kv.first, prefix, &name));
    std::string key = prefix.empty() ? name : prefix + "." + name;
    const YAML::Node& v = kv.second;
    if (key == "overrides") {
      LODE_RETURN_IF_ERROR(WalkOverrides(v, cfg));
      continue;
    }
    if (v.IsMap() && !TakesMapping(key)) {
      LODE_RETURN_IF_ERROR(Walk(v, key, cfg));
      continue;
    }
    auto it = Schema().find(key);
    if (it == Schema().end() && key.rfind("ruler.", 0) == 0) {
      bool known = false;
      std::string value;
      LODE_RETURN_IF_ERROR(ValueText(key, v, &value));
      LODE_RETURN_IF_ERROR(ApplyRulerKey(key, value, &cfg->ruler, &known));
      if (known) continue;
    }
    if (it == Schema().end()) return Status::InvalidArgument("config: unknown key \"" + key + "\"");
    std::string value;
    LODE_RETURN_IF_ERROR(ValueText(key, v, &value));
    LODE_RETURN_IF_ERROR(it->second(key, value, cfg));
  }
  return Status::OK();
}

}  // namespace

Status ApplyConfigYaml(const std::string& yaml, Config* cfg) {
  YAML::Node root;
  try {
    root = YAML::Load(yaml);
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument(std::string("config: invalid YAML: ") + e.what());
  }
  // A value of the wrong YAML type somewhere yaml-cpp converts it is an
  // error in the file, like any other.
  try {
    LODE_RETURN_IF_ERROR(Walk(root, "", cfg));
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument(std::string("config: ") + e.what());
  }
  return ResolveLimits(cfg);
}

namespace {

TenantRetention ToRetention(const TenantLimits& l, bool retention_enabled) {
  TenantRetention r;
  if (retention_enabled) {
    r.period_ns = l.retention_period_ns;
    r.streams = l.retention_stream;
  }
  r.filter_deletes = l.deletion_mode != "disabled";
  r.physical_deletes = l.deletion_mode == "filter-and-delete";
  return r;
}

}  // namespace

Status ResolveLimits(Config* cfg) {
  cfg->overrides.clear();
  for (const auto& [tenant, raw] : cfg->overrides_raw) {
    Config copy = *cfg;
    copy.overrides_raw.clear();
    for (const auto& [name, value] : raw) {
      Status s =
          Schema().at("limits_config." + name)("overrides." + tenant + "." + name, value, &copy);
      if (!s.ok()) return s;
    }
    cfg->overrides[tenant] = copy.limits;
  }
  return Status::OK();
}

std::shared_ptr<const RetentionPolicy> MakeRetentionPolicy(const Config& cfg) {
  std::map<std::string, TenantRetention, std::less<>> tenants;
  for (const auto& [t, l] : cfg.overrides) tenants[t] = ToRetention(l, cfg.retention_enabled);
  return std::make_shared<RetentionPolicy>(ToRetention(cfg.limits, cfg.retention_enabled),
                                           std::move(tenants));
}

Status LoadConfig(const std::string& path, Config* cfg) {
  LODE_RETURN_IF_ERROR(ApplyConfigYaml(DefaultConfigYaml(), cfg));
  if (path.empty()) return Status::OK();
  std::ifstream f(path);
  if (!f) return Status::InvalidArgument("config: cannot read " + path);
  std::stringstream ss;
  ss << f.rdbuf();
  return ApplyConfigYaml(ss.str(), cfg);
}

void AddDefaultDockerSource(Config* cfg) {
  for (const auto& d : cfg->docker_sources) {
    if (d.name == "docker") return;
  }
  collector::DockerSourceConfig d;
  cfg->docker_sources.push_back(d);
  YAML::Node seq = cfg->docker_sources_yaml.empty() ? YAML::Node(YAML::NodeType::Sequence)
                                                    : YAML::Load(cfg->docker_sources_yaml);
  YAML::Node n;
  n["name"] = d.name;
  n["host"] = d.host;
  seq.push_back(n);
  cfg->docker_sources_yaml = YAML::Dump(seq);
}

std::string FormatDuration(int64_t ns) {
  if (ns == 0) return "0s";
  std::string out;
  int64_t s = ns / 1000000000;
  int64_t rem = ns % 1000000000;
  if (s / 3600) out += std::to_string(s / 3600) + "h";
  if ((s % 3600) / 60) out += std::to_string((s % 3600) / 60) + "m";
  if (s % 60 || rem) {
    out += std::to_string(s % 60);
    if (rem) {
      std::string f = std::to_string(rem + 1000000000).substr(1);
      while (!f.empty() && f.back() == '0') f.pop_back();
      out += "." + f;
    }
    out += "s";
  }
  return out;
}

std::string ConfigToYaml(const Config& c) {
  YAML::Emitter e;
  auto b = [](bool v) { return v ? "true" : "false"; };
  e << YAML::BeginMap;
  e << YAML::Key << "auth_enabled" << YAML::Value << b(c.auth_enabled);
  e << YAML::Key << "server" << YAML::Value << YAML::BeginMap;
  e << YAML::Key << "http_listen_address" << YAML::Value << c.listen_address;
  e << YAML::Key << "http_listen_port" << YAML::Value << c.listen_port;
  e << YAML::Key << "log_level" << YAML::Value << c.log_level;
  e << YAML::Key << "http_server_read_timeout" << YAML::Value
    << FormatDuration(c.http_read_timeout_ns);
  e << YAML::Key << "http_server_write_timeout" << YAML::Value
    << FormatDuration(c.http_write_timeout_ns);
  e << YAML::Key << "http_server_idle_timeout" << YAML::Value
    << FormatDuration(c.http_idle_timeout_ns);
  e << YAML::Key << "http_server_max_connections" << YAML::Value << c.http_max_connections;
  e << YAML::Key << "http_server_worker_threads" << YAML::Value << c.http_worker_threads;
  e << YAML::Key << "http_tls_config" << YAML::Value << YAML::BeginMap;
  e << YAML::Key << "cert_file" << YAML::Value << c.tls_cert_file;
  e << YAML::Key << "key_file" << YAML::Value << c.tls_key_file;
  e << YAML::Key << "client_auth_type" << YAML::Value << c.tls_client_auth_type;
  e << YAML::Key << "client_ca_file" << YAML::Value << c.tls_client_ca_file;
  e << YAML::EndMap;
  e << YAML::Key << "basic_auth" << YAML::Value << YAML::BeginMap;
  e << YAML::Key << "username" << YAML::Value << c.basic_auth_username;
  e << YAML::Key << "password_hash" << YAML::Value << c.basic_auth_password_hash;
  e << YAML::EndMap;
  e << YAML::EndMap;
  e << YAML::Key << "storage" << YAML::Value << YAML::BeginMap;
  e << YAML::Key << "data_dir" << YAML::Value << c.data_dir;
  e << YAML::Key << "sync_writes" << YAML::Value << b(c.store.sync_writes);
  e << YAML::Key << "zstd_level" << YAML::Value << c.store.zstd_level;
  e << YAML::Key << "chunk_dictionary" << YAML::Value << b(c.store.chunk_dictionary);
  e << YAML::Key << "min_free_space" << YAML::Value << c.store.min_free_space;
  e << YAML::Key << "max_head_bytes" << YAML::Value << c.store.max_head_bytes;
  const RocksDbOptions& r = c.store.rocksdb;
  e << YAML::Key << "rocksdb" << YAML::Value << YAML::BeginMap;
  e << YAML::Key << "max_background_jobs" << YAML::Value << r.max_background_jobs;
  e << YAML::Key << "db_write_buffer_size" << YAML::Value << r.db_write_buffer_size;
  e << YAML::Key << "block_cache_size" << YAML::Value << r.block_cache_size;
  e << YAML::Key << "bloom_bits_per_key" << YAML::Value << r.bloom_bits_per_key;
  e << YAML::Key << "head_write_buffer_size" << YAML::Value << r.head_write_buffer_size;
  e << YAML::Key << "chunks_write_buffer_size" << YAML::Value << r.chunks_write_buffer_size;
  e << YAML::Key << "small_write_buffer_size" << YAML::Value << r.small_write_buffer_size;
  e << YAML::Key << "head_compression" << YAML::Value << r.head_compression;
  e << YAML::Key << "index_compression" << YAML::Value << r.index_compression;
  e << YAML::Key << "chunk_blob_files" << YAML::Value << b(r.chunk_blob_files);
  e << YAML::Key << "chunk_min_blob_size" << YAML::Value << r.chunk_min_blob_size;
  e << YAML::EndMap;
  e << YAML::EndMap;
  e << YAML::Key << "ingester" << YAML::Value << YAML::BeginMap;
  e << YAML::Key << "chunk_target_size" << YAML::Value << c.store.chunk_target_size;
  e << YAML::Key << "chunk_block_size" << YAML::Value << c.store.block_size;
  e << YAML::Key << "max_chunk_age" << YAML::Value << FormatDuration(c.store.max_chunk_age_ns);
  e << YAML::Key << "chunk_idle_period" << YAML::Value
    << FormatDuration(c.store.chunk_idle_period_ns);
  e << YAML::EndMap;
  e << YAML::Key << "limits_config" << YAML::Value << YAML::BeginMap;
  e << YAML::Key << "retention_period" << YAML::Value
    << FormatDuration(c.limits.retention_period_ns);
  e << YAML::Key << "max_line_size" << YAML::Value << c.limits.push.max_line_size;
  e << YAML::Key << "max_line_size_truncate" << YAML::Value
    << b(c.limits.push.max_line_size_truncate);
  e << YAML::Key << "max_label_names_per_series" << YAML::Value
    << c.limits.push.max_label_names_per_series;
  e << YAML::Key << "max_label_name_length" << YAML::Value << c.limits.push.max_label_name_length;
  e << YAML::Key << "max_label_value_length" << YAML::Value << c.limits.push.max_label_value_length;
  e << YAML::Key << "reject_old_samples" << YAML::Value << b(c.limits.push.reject_old_samples);
  e << YAML::Key << "reject_old_samples_max_age" << YAML::Value
    << FormatDuration(c.limits.push.reject_old_samples_max_age_ns);
  e << YAML::Key << "creation_grace_period" << YAML::Value
    << FormatDuration(c.limits.push.creation_grace_period_ns);
  e << YAML::Key << "allow_structured_metadata" << YAML::Value
    << b(c.limits.push.allow_structured_metadata);
  e << YAML::Key << "max_query_series" << YAML::Value << c.engine.max_query_series;
  e << YAML::Key << "max_entries_limit_per_query" << YAML::Value << c.engine.max_entries_limit;
  e << YAML::Key << "max_query_length" << YAML::Value << FormatDuration(c.max_query_length_ns);
  e << YAML::Key << "query_timeout" << YAML::Value << FormatDuration(c.engine.query_timeout_ns);
  e << YAML::Key << "max_query_memory" << YAML::Value << c.engine.max_query_memory;
  e << YAML::Key << "ingestion_rate_mb" << YAML::Value << c.limits.rate.ingestion_rate_mb;
  e << YAML::Key << "ingestion_burst_size_mb" << YAML::Value
    << c.limits.rate.ingestion_burst_size_mb;
  e << YAML::Key << "max_streams_per_user" << YAML::Value << c.limits.rate.max_streams_per_user;
  e << YAML::Key << "max_global_streams_per_user" << YAML::Value
    << c.limits.rate.max_global_streams_per_user;
  e << YAML::Key << "deletion_mode" << YAML::Value << c.limits.deletion_mode;
  e << YAML::Key << "otlp_config" << YAML::Value;
  EmitOtlpConfig(c.limits.otlp, &e);
  e << YAML::Key << "retention_stream" << YAML::Value;
  if (c.limits.retention_stream.empty()) e << YAML::Flow;
  e << YAML::BeginSeq;
  for (const auto& r : c.limits.retention_stream) {
    e << YAML::BeginMap << YAML::Key << "selector" << YAML::Value << r.selector;
    e << YAML::Key << "priority" << YAML::Value << r.priority;
    e << YAML::Key << "period" << YAML::Value << FormatDuration(r.period_ns) << YAML::EndMap;
  }
  e << YAML::EndSeq;
  e << YAML::EndMap;
  e << YAML::Key << "compactor" << YAML::Value << YAML::BeginMap;
  e << YAML::Key << "retention_enabled" << YAML::Value << b(c.retention_enabled);
  e << YAML::Key << "compaction_interval" << YAML::Value
    << FormatDuration(c.store.compaction_interval_ns);
  e << YAML::Key << "delete_request_cancel_period" << YAML::Value
    << FormatDuration(c.store.delete_request_cancel_period_ns);
  e << YAML::EndMap;
  if (!c.overrides_raw.empty()) {
    e << YAML::Key << "overrides" << YAML::Value << YAML::BeginMap;
    for (const auto& [tenant, raw] : c.overrides_raw) {
      e << YAML::Key << tenant << YAML::Value << YAML::BeginMap;
      for (const auto& [k, v] : raw) {
        e << YAML::Key << k << YAML::Value;
        if (TakesSequence("limits_config." + k)) {
          e << YAML::Load(v);
        } else {
          e << v;
        }
      }
      e << YAML::EndMap;
    }
    e << YAML::EndMap;
  }
  if (c.now_offset_ns) {
    e << YAML::Key << "testing" << YAML::Value << YAML::BeginMap;
    e << YAML::Key << "now_offset" << YAML::Value
      << (c.now_offset_ns < 0 ? "-" + FormatDuration(-c.now_offset_ns)
                              : FormatDuration(c.now_offset_ns));
    e << YAML::EndMap;
  }
  e << YAML::Key << "querier" << YAML::Value << YAML::BeginMap;
  e << YAML::Key << "max_concurrent" << YAML::Value << c.engine.max_concurrent;
  e << YAML::Key << "max_queue_wait" << YAML::Value << FormatDuration(c.engine.max_queue_wait_ns);
  e << YAML::EndMap;
  e << YAML::Key << "query" << YAML::Value << YAML::BeginMap;
  e << YAML::Key << "scan_threads" << YAML::Value << c.engine.scan_threads;
  e << YAML::EndMap;
  e << YAML::Key << "ui" << YAML::Value << YAML::BeginMap;
  e << YAML::Key << "enabled" << YAML::Value << b(c.ui_enabled);
  e << YAML::EndMap;
  e << YAML::Key << "querier" << YAML::Value << YAML::BeginMap;
  e << YAML::Key << "multi_tenant_queries_enabled" << YAML::Value
    << b(c.multi_tenant_queries_enabled);
  e << YAML::EndMap;
  e << YAML::Key << "log_sources_files" << YAML::Value << YAML::Flow << c.log_sources_files;
  e << YAML::Key << "log_sources_http" << YAML::Value << YAML::Flow << c.log_sources_http;
  e << YAML::Key << "collector" << YAML::Value << YAML::BeginMap;
  e << YAML::Key << "tenant" << YAML::Value << c.collector_tenant;
  e << YAML::Key << "refresh_interval" << YAML::Value
    << FormatDuration(c.collector_refresh_interval_ns);
  e << YAML::Key << "rotate_wait" << YAML::Value << FormatDuration(c.collector_rotate_wait_ns);
  e << YAML::EndMap;
  e << YAML::Key << "docker_sources" << YAML::Value;
  if (c.docker_sources_yaml.empty()) {
    e << YAML::Flow << YAML::BeginSeq << YAML::EndSeq;
  } else {
    e << YAML::Load(c.docker_sources_yaml);
  }
  e << YAML::Key << "agent" << YAML::Value << YAML::BeginMap;
  e << YAML::Key << "url" << YAML::Value << c.agent.push_url;
  e << YAML::Key << "tenant" << YAML::Value << c.agent.tenant;
  e << YAML::Key << "data_dir" << YAML::Value << c.agent.data_dir;
  e << YAML::Key << "external_labels" << YAML::Value << YAML::Flow << YAML::BeginMap;
  for (const auto& l : c.agent.external_labels) e << YAML::Key << l.name << YAML::Value << l.value;
  e << YAML::EndMap;
  e << YAML::Key << "batch_wait" << YAML::Value << FormatDuration(c.agent.batch_wait_ns);
  e << YAML::Key << "batch_size" << YAML::Value << c.agent.batch_size;
  e << YAML::Key << "min_backoff" << YAML::Value << FormatDuration(c.agent.min_backoff_ns);
  e << YAML::Key << "max_backoff" << YAML::Value << FormatDuration(c.agent.max_backoff_ns);
  e << YAML::Key << "timeout" << YAML::Value << FormatDuration(c.agent.timeout_ns);
  e << YAML::Key << "buffer_max_bytes" << YAML::Value << c.agent.buffer_max_bytes;
  e << YAML::EndMap;
  if (c.ruler.Enabled()) {
    const RulerConfig& rc = c.ruler;
    std::string am;
    for (const auto& u : rc.alertmanager_urls) am += (am.empty() ? "" : ",") + u;
    e << YAML::Key << "ruler" << YAML::Value << YAML::BeginMap;
    e << YAML::Key << "storage" << YAML::Value << YAML::BeginMap << YAML::Key << "type"
      << YAML::Value << rc.storage_type;
    e << YAML::Key << "local" << YAML::Value << YAML::BeginMap << YAML::Key << "directory"
      << YAML::Value << rc.directory << YAML::EndMap << YAML::EndMap;
    e << YAML::Key << "rule_path" << YAML::Value << rc.rule_path;
    e << YAML::Key << "alertmanager_url" << YAML::Value << am;
    e << YAML::Key << "evaluation_interval" << YAML::Value
      << FormatDuration(rc.evaluation_interval_ns);
    e << YAML::Key << "poll_interval" << YAML::Value << FormatDuration(rc.poll_interval_ns);
    e << YAML::Key << "resend_delay" << YAML::Value << FormatDuration(rc.resend_delay_ns);
    e << YAML::Key << "external_url" << YAML::Value << rc.external_url;
    e << YAML::Key << "remote_write" << YAML::Value << YAML::BeginMap << YAML::Key << "enabled"
      << YAML::Value << b(rc.remote_write_enabled) << YAML::Key << "client" << YAML::Value
      << YAML::BeginMap << YAML::Key << "url" << YAML::Value << rc.remote_write_url << YAML::EndMap
      << YAML::EndMap;
    e << YAML::EndMap;
  }
  e << YAML::EndMap;
  return std::string(e.c_str()) + "\n";
}

}  // namespace lode::server
