// The `ruler:` section of the configuration, with Loki's key names:
//
//   ruler:
//     storage:
//       type: local                    # the only type lode has
//       local:
//         directory: /loki/rules       # DIR/<tenant>/<namespace>.yaml; empty: ruler off
//     rule_path: /loki/rules-temp      # scratch: the persisted alert state
//     alertmanager_url: http://am:9093 # comma-separated
//     evaluation_interval: 1m
//     poll_interval: 1m                # re-read the rules directory
//     resend_delay: 1m
//     external_url: http://grafana:3000  # generatorURL: a Grafana Explore link
//     datasource_uid: loki             # the Loki datasource in that Grafana
//     notification_queue_capacity: 10000
//     enable_api: true
//     remote_write:
//       enabled: false
//       client:
//         url: http://prometheus:9090/api/v1/write   # also accepted: remote_write.url
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/status.h"

namespace lode::server {

struct RulerConfig {
  std::string storage_type = "local";
  std::string directory;
  std::string rule_path;
  std::vector<std::string> alertmanager_urls;
  int64_t evaluation_interval_ns = 60000000000;
  int64_t poll_interval_ns = 60000000000;
  int64_t resend_delay_ns = 60000000000;
  std::string external_url;
  std::string datasource_uid;
  int64_t notification_queue_capacity = 10000;
  bool enable_api = true;
  bool remote_write_enabled = false;
  std::string remote_write_url;

  bool Enabled() const { return !directory.empty(); }
};

// Applies one `ruler.*` key (full dotted name) with its scalar value; false
// in *known when the key is not a ruler key.
Status ApplyRulerKey(const std::string& key, const std::string& value, RulerConfig* rc,
                     bool* known);

// Checks the whole section after loading (a remote write URL when enabled).
Status ValidateRulerConfig(const RulerConfig& rc);

}  // namespace lode::server
