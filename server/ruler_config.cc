// The ruler's configuration keys (ruler_config.h).

#include "server/ruler_config.h"

#include "logql/syntax/parser.h"

namespace lode::server {
namespace {

Status Bad(const std::string& key, const std::string& what, const std::string& value) {
  return Status::InvalidArgument("config: " + key + ": invalid " + what + " \"" + value + "\"");
}

Status Dur(const std::string& k, const std::string& v, bool positive, int64_t* out) {
  int64_t ns;
  if (!logql::ParseDuration(v, &ns).ok() || ns < 0 || (positive && ns == 0))
    return Bad(k, "duration", v);
  *out = ns;
  return Status::OK();
}

Status BoolV(const std::string& k, const std::string& v, bool* out) {
  if (v != "true" && v != "false") return Bad(k, "boolean", v);
  *out = v == "true";
  return Status::OK();
}

}  // namespace

Status ApplyRulerKey(const std::string& key, const std::string& v, RulerConfig* rc, bool* known) {
  *known = true;
  if (key == "ruler.storage.type") {
    if (v != "local")
      return Status::InvalidArgument(
          "config: ruler.storage.type: only \"local\" is supported, got \"" + v + "\"");
    rc->storage_type = v;
  } else if (key == "ruler.storage.local.directory") {
    rc->directory = v;
  } else if (key == "ruler.rule_path") {
    rc->rule_path = v;
  } else if (key == "ruler.alertmanager_url") {
    rc->alertmanager_urls.clear();
    size_t start = 0;
    while (start <= v.size()) {
      size_t comma = v.find(',', start);
      std::string u =
          v.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
      while (!u.empty() && u.front() == ' ') u.erase(0, 1);
      while (!u.empty() && u.back() == ' ') u.pop_back();
      if (!u.empty()) {
        if (u.rfind("http://", 0) != 0) return Bad(key, "URL (plain http:// only)", u);
        rc->alertmanager_urls.push_back(u);
      }
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
  } else if (key == "ruler.evaluation_interval") {
    return Dur(key, v, true, &rc->evaluation_interval_ns);
  } else if (key == "ruler.poll_interval") {
    return Dur(key, v, true, &rc->poll_interval_ns);
  } else if (key == "ruler.resend_delay") {
    return Dur(key, v, false, &rc->resend_delay_ns);
  } else if (key == "ruler.external_url") {
    rc->external_url = v;
  } else if (key == "ruler.datasource_uid") {
    rc->datasource_uid = v;
  } else if (key == "ruler.notification_queue_capacity") {
    char* end = nullptr;
    long long n = std::strtoll(v.c_str(), &end, 10);
    if (v.empty() || *end || n < 1 || n > 10000000) return Bad(key, "integer", v);
    rc->notification_queue_capacity = n;
  } else if (key == "ruler.enable_api") {
    return BoolV(key, v, &rc->enable_api);
  } else if (key == "ruler.remote_write.enabled") {
    return BoolV(key, v, &rc->remote_write_enabled);
  } else if (key == "ruler.remote_write.client.url" || key == "ruler.remote_write.url") {
    if (!v.empty() && v.rfind("http://", 0) != 0) return Bad(key, "URL (plain http:// only)", v);
    rc->remote_write_url = v;
  } else {
    *known = false;
  }
  return Status::OK();
}

Status ValidateRulerConfig(const RulerConfig& rc) {
  if (rc.remote_write_enabled && rc.remote_write_url.empty()) {
    return Status::InvalidArgument(
        "config: ruler.remote_write.enabled needs ruler.remote_write.client.url");
  }
  return Status::OK();
}

}  // namespace lode::server
