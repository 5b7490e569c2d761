// Collector::Impl's side of the Docker sources (docker_source.h): creating
// them with their stored positions, moving what their threads read into the
// batch (so that entries and positions are committed in one write, like the
// files'), and their rows in the status.
#include "ingest/collector/collector_impl.h"

namespace lode::collector {

void Collector::Impl::OpenDocker(const std::vector<std::pair<std::string, std::string>>& kv) {
  std::map<std::string, std::map<std::string, DockerPosition>> positions;
  for (const auto& [k, v] : kv) {
    std::string source, id;
    DockerPosition p;
    if (DecodeDockerPosition(k, v, &source, &id, &p)) positions[source][id] = p;
  }
  const size_t max_entry = std::max<size_t>(opts.limits.max_line_size, 64 * 1024);
  for (const auto& cfg : opts.docker_sources) {
    docker.push_back(std::make_unique<DockerSource>(
        cfg, max_entry, std::move(positions[cfg.name]), [this](const std::string& m) { Log(m); },
        [this] { watcher.Wake(); }));
    Log("collector: docker source " + cfg.name + ": " + cfg.host);
  }
}

void Collector::Impl::DrainDocker() {
  for (auto& d : docker) {
    DockerOutput out;
    d->Drain(&out);
    if (out.empty()) continue;
    size_t base = arena.size();
    arena.append(out.arena);
    for (auto& [key, s] : out.streams) {
      StreamBatch& b = batch[key];
      if (b.source.empty()) {
        b.labels = std::move(s.labels);
        b.source = d->config().name;
      }
      for (const auto& [ts, span] : s.entries)
        b.entries.push_back({ts, {span.first + base, span.second}});
    }
    batch_entries += out.entries;
    for (auto& [k, v] : out.state) pending_state.emplace_back(k, std::move(v));
  }
}

void Collector::Impl::DockerStatus(std::vector<SourceStatus>* rows,
                                   std::vector<DockerSourceStatus>* details) {
  for (auto& d : docker) {
    DockerSourceStatus ds = d->StatusSnapshot();
    SourceStatus st;
    st.type = "docker";
    st.name = ds.name;
    st.origin = "docker_sources";
    st.path = ds.host;
    st.last_error = ds.last_error;
    st.files = ds.following;
    st.bytes_read = ds.bytes_read;
    st.lines_read = ds.lines_read;
    st.errors = ds.errors;
    rows->push_back(std::move(st));
    details->push_back(std::move(ds));
  }
}

}  // namespace lode::collector
