// GET /collector/status and the lode_collector_* metrics (see collector.h).
#include <nlohmann/json.hpp>

#include "ingest/collector/collector_impl.h"
#include "ingest/collector/http_sources.h"

namespace lode::collector {

namespace {

std::string Esc(const std::string& v) {
  std::string o;
  for (char c : v) {
    if (c == '\\' || c == '"') {
      o += '\\';
      o += c;
    } else if (c == '\n') {
      o += "\\n";
    } else {
      o += c;
    }
  }
  return o;
}

std::string Rfc3339(int64_t ns) {
  if (ns <= 0) return "";
  time_t s = static_cast<time_t>(ns / 1000000000);
  struct tm t;
  gmtime_r(&s, &t);
  char b[40];
  strftime(b, sizeof b, "%Y-%m-%dT%H:%M:%S", &t);
  char f[16];
  snprintf(f, sizeof f, ".%03dZ", static_cast<int>((ns / 1000000) % 1000));
  return std::string(b) + f;
}

}  // namespace

void Collector::Impl::PublishStatus(int64_t now, bool force) {
  if (!force && now - status_ns < 250LL * 1000000) return;
  std::vector<SourceStatus> ss;
  std::vector<FileStatus> fs;
  for (const auto& [name, s] : sources) {
    SourceStatus st;
    st.name = name;
    st.origin = s->cfg.origin;
    st.path = s->cfg.path;
    st.last_error = s->last_error;
    st.files = s->open.size();
    st.bytes_read = s->bytes_read;
    st.lines_read = s->lines_read;
    st.rotations = s->rotations;
    st.truncations = s->truncations;
    st.errors = s->errors;
    for (const auto& [k, f] : s->open) {
      FileStatus r;
      r.source = name;
      r.path = f.tailer->path();
      r.label_path = f.label_path;
      r.labels = f.stream_key;
      r.offset = f.tailer->offset();
      r.size = f.tailer->size();
      r.last_read_ns = f.last_read_ns;
      r.last_error = f.last_error;
      r.gone = f.gone;
      if (r.size > r.offset) st.lag_bytes += r.size - r.offset;
      fs.push_back(std::move(r));
    }
    ss.push_back(std::move(st));
  }
  std::vector<DockerSourceStatus> ds;
  DockerStatus(&ss, &ds);
  std::lock_guard<std::mutex> l(mu);
  for (auto& st : ss) st.discarded = discarded[st.name];
  source_status = std::move(ss);
  file_status = std::move(fs);
  docker_status = std::move(ds);
  status_ns = now;
}

std::string Collector::StatusJson() {
  nlohmann::json j;
  std::lock_guard<std::mutex> l(impl_->mu);
  j["config_error"] = impl_->config_error;
  j["sources"] = nlohmann::json::array();
  for (const auto& s : impl_->source_status) {
    j["sources"].push_back({{"type", s.type},
                            {"name", s.name},
                            {"origin", s.origin},
                            {"path", s.path},
                            {"files", s.files},
                            {"bytes_read", s.bytes_read},
                            {"lines_read", s.lines_read},
                            {"lag_bytes", s.lag_bytes},
                            {"rotations", s.rotations},
                            {"truncations", s.truncations},
                            {"errors", s.errors},
                            {"discarded_entries", s.discarded},
                            {"last_error", s.last_error}});
  }
  j["files"] = nlohmann::json::array();
  for (const auto& f : impl_->file_status) {
    j["files"].push_back({{"source", f.source},
                          {"path", f.path},
                          {"filename", f.label_path},
                          {"labels", f.labels},
                          {"offset", f.offset},
                          {"size", f.size},
                          {"lag_bytes", f.size > f.offset ? f.size - f.offset : 0},
                          {"last_read", Rfc3339(f.last_read_ns)},
                          {"rotated", f.gone},
                          {"last_error", f.last_error}});
  }
  if (!impl_->docker_status.empty()) {
    j["docker_sources"] = nlohmann::json::array();
    j["containers"] = nlohmann::json::array();
  }
  for (const auto& d : impl_->docker_status) {
    j["docker_sources"].push_back({{"name", d.name},
                                   {"host", d.host},
                                   {"connected", d.connected},
                                   {"docker_version", d.version},
                                   {"following", d.following},
                                   {"last_error", d.last_error}});
    for (const auto& c : d.containers) {
      j["containers"].push_back({{"source", d.name},
                                 {"id", c.id},
                                 {"name", c.name},
                                 {"labels", c.labels},
                                 {"running", c.running},
                                 {"following", c.following},
                                 {"tty", c.tty},
                                 {"lines_read", c.lines},
                                 {"last_read", Rfc3339(c.last_read_ns)},
                                 {"position", Rfc3339(c.position_ns)},
                                 {"last_error", c.last_error}});
    }
  }
  if (impl_->http) {
    j["http_sources"] = nlohmann::json::array();
    for (const auto& [url, err] : impl_->http->Errors())
      j["http_sources"].push_back({{"url", url}, {"error", err}});
  }
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string Collector::MetricsText() {
  std::string o;
  std::lock_guard<std::mutex> l(impl_->mu);
  struct Series {
    const char* name;
    const char* type;
    const char* help;
    uint64_t SourceStatus::*field;
  };
  static const Series kSeries[] = {
      {"lode_collector_bytes_read_total", "counter", "Bytes read from log files.",
       &SourceStatus::bytes_read},
      {"lode_collector_lines_read_total", "counter", "Entries read from log files.",
       &SourceStatus::lines_read},
      {"lode_collector_lag_bytes", "gauge", "Bytes written to the files but not yet stored.",
       &SourceStatus::lag_bytes},
      {"lode_collector_rotations_total", "counter",
       "Files rotated away (renamed or deleted) and finished.", &SourceStatus::rotations},
      {"lode_collector_truncations_total", "counter",
       "Files that shrank (copytruncate) and were read again from 0.", &SourceStatus::truncations},
      {"lode_collector_errors_total", "counter", "Errors listing, opening or reading files.",
       &SourceStatus::errors},
      {"lode_collector_discarded_entries_total", "counter", "Entries rejected by the push limits.",
       &SourceStatus::discarded},
  };
  o += "# HELP lode_collector_files_watched Files held open (docker sources: containers followed) "
       "per source.\n# TYPE "
       "lode_collector_files_watched gauge\n";
  for (const auto& s : impl_->source_status) {
    o += "lode_collector_files_watched{source=\"" + Esc(s.name) + "\"} " + std::to_string(s.files) +
         "\n";
  }
  for (const auto& m : kSeries) {
    o +=
        std::string("# HELP ") + m.name + " " + m.help + "\n# TYPE " + m.name + " " + m.type + "\n";
    for (const auto& s : impl_->source_status) {
      o += std::string(m.name) + "{source=\"" + Esc(s.name) + "\"} " +
           std::to_string(s.*(m.field)) + "\n";
    }
  }
  o += "# HELP lode_collector_config_error 1 when the last reload of the log-sources failed "
       "(previous sources in force).\n"
       "# TYPE lode_collector_config_error gauge\n";
  o += "lode_collector_config_error " + std::string(impl_->config_error.empty() ? "0" : "1") + "\n";
  o += "# HELP lode_collector_config_reloads_total Reloads of the log sources, by result.\n"
       "# TYPE lode_collector_config_reloads_total counter\n";
  o += "lode_collector_config_reloads_total{result=\"success\"} " + std::to_string(impl_->reloads) +
       "\n";
  o += "lode_collector_config_reloads_total{result=\"failure\"} " +
       std::to_string(impl_->reload_failures) + "\n";
  if (!impl_->docker_status.empty()) {
    o += "# HELP lode_collector_docker_up 1 when the Docker daemon of a docker source answers.\n"
         "# TYPE lode_collector_docker_up gauge\n";
    for (const auto& d : impl_->docker_status) {
      o += "lode_collector_docker_up{source=\"" + Esc(d.name) + "\"} " + (d.connected ? "1" : "0") +
           "\n";
    }
    o += "# HELP lode_collector_docker_containers Containers known to a docker source, by state.\n"
         "# TYPE lode_collector_docker_containers gauge\n";
    for (const auto& d : impl_->docker_status) {
      size_t running = 0;
      for (const auto& c : d.containers) running += c.running;
      o += "lode_collector_docker_containers{source=\"" + Esc(d.name) + "\",state=\"running\"} " +
           std::to_string(running) + "\n";
      o += "lode_collector_docker_containers{source=\"" + Esc(d.name) + "\",state=\"following\"} " +
           std::to_string(d.following) + "\n";
    }
  }
  if (impl_->http) {
    o += "# HELP lode_collector_http_source_up 1 when the last poll of a log_sources_http URL "
         "worked.\n"
         "# TYPE lode_collector_http_source_up gauge\n";
    for (const auto& [url, err] : impl_->http->Errors()) {
      o += "lode_collector_http_source_up{url=\"" + Esc(url) + "\"} " + (err.empty() ? "1" : "0") +
           "\n";
    }
  }
  return o;
}

}  // namespace lode::collector
