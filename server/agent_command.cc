#include "server/agent_command.h"

#include <link.h>
#include <malloc.h>
#include <sys/mman.h>

#include <csignal>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "agent/agent.h"
#include "base/log.h"
#include "server/config.h"
#include "server/http.h"

namespace lode::server {

namespace {

volatile std::sig_atomic_t g_agent_stop = 0;
volatile std::sig_atomic_t g_agent_reload = 0;
void OnAgentSignal(int) { g_agent_stop = 1; }
void OnAgentHangup(int) { g_agent_reload = 1; }

int AgentUsage(const std::string& msg) {
  if (!msg.empty()) lode::Logf("agent: %s", msg.c_str());
  fprintf(stderr,
          "usage: lode agent --log-sources FILE... [--docker] --push-url URL [--tenant T]\n"
          "                  [--data-dir DIR] [--listen ADDR:PORT] [--config FILE]\n");
  return 2;
}

// The agent runs a small part of the binary's code (the rest is the
// server's), yet start-up maps much more: the static initialisers of the
// server's libraries (RocksDB's option tables and registries...) and, since
// the kernel maps up to 64 KiB of cached neighbours around each page fault
// ("fault-around"), whatever lies near them. Dropping the executable's text
// mapping once and asking for no fault-around (MADV_RANDOM) leaves resident
// only the pages the agent runs afterwards, each read again from the page
// cache when first used: 2-3 MiB less RSS (bench/RESULTS.md, "Agent").
// Safe for text only: it is never written (lode links with -z text, so no
// relocation touches it).
void UnmapStartupText() {
  dl_iterate_phdr(
      [](struct dl_phdr_info* info, size_t, void*) {
        if (info->dlpi_name && info->dlpi_name[0]) return 0;  // the executable only
        const uintptr_t page = static_cast<uintptr_t>(sysconf(_SC_PAGESIZE));
        for (int i = 0; i < info->dlpi_phnum; ++i) {
          const ElfW(Phdr)& ph = info->dlpi_phdr[i];
          if (ph.p_type != PT_LOAD || !(ph.p_flags & PF_X) || (ph.p_flags & PF_W)) continue;
          uintptr_t start = (info->dlpi_addr + ph.p_vaddr) & ~(page - 1);
          uintptr_t end = (info->dlpi_addr + ph.p_vaddr + ph.p_memsz + page - 1) & ~(page - 1);
          void* addr = reinterpret_cast<void*>(start);
          madvise(addr, end - start, MADV_RANDOM);
          madvise(addr, end - start, MADV_DONTNEED);
        }
        return 1;
      },
      nullptr);
}

}  // namespace

int RunAgentCommand(int argc, char** argv) {
  std::string config_path, listen = "0.0.0.0:9080", push_url, tenant, data_dir;
  bool has_tenant = false, docker = false;
  std::vector<std::string> log_sources;
  for (int i = 2; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&](std::string* out) {
      size_t eq = a.find('=');
      if (a.rfind("--", 0) == 0 && eq != std::string::npos) {
        *out = a.substr(eq + 1);
        return true;
      }
      if (i + 1 >= argc) return false;
      *out = argv[++i];
      return true;
    };
    auto is = [&](const char* flag) {
      return a == flag || a.rfind(std::string(flag) + "=", 0) == 0;
    };
    if (is("--config") || is("-config.file")) {
      if (!value(&config_path)) return AgentUsage("--config needs a value");
    } else if (is("--listen")) {
      if (!value(&listen)) return AgentUsage("--listen needs a value");
    } else if (is("--push-url")) {
      if (!value(&push_url)) return AgentUsage("--push-url needs a value");
    } else if (is("--tenant")) {
      if (!value(&tenant)) return AgentUsage("--tenant needs a value");
      has_tenant = true;
    } else if (is("--data-dir")) {
      if (!value(&data_dir)) return AgentUsage("--data-dir needs a value");
    } else if (is("--log-sources")) {
      std::string v;
      if (!value(&v)) return AgentUsage("--log-sources needs a value");
      log_sources.push_back(v);
    } else if (a == "--docker") {
      docker = true;
    } else if (a == "-h" || a == "--help") {
      return AgentUsage(""), 0;
    } else {
      return AgentUsage("unknown argument: " + a);
    }
  }
  Config cfg;
  Status s = LoadConfig(config_path, &cfg);
  if (!s.ok()) {
    lode::Logf("%s", s.message().c_str());
    return 1;
  }
  agent::AgentOptions ao = cfg.agent;
  if (!push_url.empty()) ao.push_url = push_url;
  if (has_tenant) ao.tenant = tenant;
  if (!data_dir.empty()) ao.data_dir = data_dir;
  if (ao.push_url.empty()) return AgentUsage("needs --push-url (or agent.url)");
  ao.collector.log_sources = cfg.log_sources_files;
  ao.collector.log_sources.insert(ao.collector.log_sources.end(), log_sources.begin(),
                                  log_sources.end());
  ao.collector.http_urls = cfg.log_sources_http;
  ao.collector.http_refresh_ns = cfg.collector_refresh_interval_ns;
  ao.collector.rotate_wait_ns = cfg.collector_rotate_wait_ns;
  if (docker) server::AddDefaultDockerSource(&cfg);
  ao.collector.docker_sources = cfg.docker_sources;
  if (ao.collector.log_sources.empty() && ao.collector.http_urls.empty() &&
      ao.collector.docker_sources.empty())
    return AgentUsage("nothing to collect: give --log-sources FILE (or log_sources_files)");

  HttpOptions ho;
  size_t colon = listen.rfind(':');
  if (colon == std::string::npos) return AgentUsage("--listen takes ADDR:PORT");
  char* end = nullptr;
  long port = std::strtol(listen.c_str() + colon + 1, &end, 10);
  if (!end || *end || port < 0 || port > 65535) return AgentUsage("--listen: invalid port");
  ho.address = listen.substr(0, colon);
  if (ho.address.size() > 2 && ho.address.front() == '[' && ho.address.back() == ']')
    ho.address = ho.address.substr(1, ho.address.size() - 2);
  if (ho.address.empty()) ho.address = "0.0.0.0";
  ho.port = static_cast<uint16_t>(port);
  ho.max_connections = 16;
  // /metrics, /ready and /collector/status only: one I/O thread, one
  // worker for the few requests that are not urgent.
  ho.io_threads = 1;
  ho.worker_threads = 1;

  // A small, steady footprint: batches (about batch_size each) are
  // allocated and freed at a high rate by a few threads. One arena (the
  // threads' caches spare it most locking): malloc_trim gives back the top
  // of the main arena only, so a second arena kept up to M_TRIM_THRESHOLD
  // resident when idle. A fixed mmap threshold above a batch keeps batches
  // in the heap (an mmap per batch costs page faults), and the shipper
  // trims the heap when idle.
  mallopt(M_ARENA_MAX, 1);
  UnmapStartupText();
  mallopt(M_MMAP_THRESHOLD, 4 << 20);
  mallopt(M_TRIM_THRESHOLD, 4 << 20);
  std::unique_ptr<agent::Agent> agent;
  s = agent::Agent::Open(ao, &agent);
  if (!s.ok()) {
    lode::Logf("agent: %s", s.message().c_str());
    return 1;
  }
  HttpServer http(ho);
  agent::Agent* a = agent.get();
  http.Route("/metrics", [a](const Request&) {
    Response r;
    r.content_type = "text/plain; version=0.0.4; charset=utf-8";
    r.body = a->MetricsText();
    return r;
  });
  http.Route("/ready", [](const Request&) { return Response::Text(200, "ready\n"); });
  http.Route("/collector/status", [a](const Request&) { return Response::Json(a->StatusJson()); });
  s = http.Start();
  if (!s.ok()) {
    lode::Logf("agent: %s", s.message().c_str());
    return 1;
  }
  std::signal(SIGTERM, OnAgentSignal);
  std::signal(SIGINT, OnAgentSignal);
  std::signal(SIGPIPE, SIG_IGN);
  std::signal(SIGHUP, OnAgentHangup);
  agent->Start();
  lode::Logf("agent: shipping to %s, buffer in %s, listening on %s:%u", ao.push_url.c_str(),
             ao.data_dir.c_str(), ho.address.c_str(), http.port());
  while (!g_agent_stop) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    if (g_agent_reload) {
      g_agent_reload = 0;
      agent->RequestReload();
    }
  }
  lode::Logf("agent: shutting down");
  http.Stop();
  agent->Stop();
  return 0;
}

}  // namespace lode::server
