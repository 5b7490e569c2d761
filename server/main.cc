// lode: a single-binary, Loki-compatible log store.
//
//   lode [--config FILE] [--listen ADDR:PORT] [--data-dir DIR] [--retention DURATION]
//        [--print-config]
//        [--log-sources FILE]...  (log-sources.yml files to collect; globs allowed)
//        [--docker]               (collect the containers of /var/run/docker.sock)
//   lode inspect --data-dir DIR [--streams]   (summary of a data directory, read-only)
//   lode promtail-config [--url URL] [--container-root DIR] LOG_SOURCES...
//   lode compose-volumes [--container-root DIR] LOG_SOURCES...
//   lode rules check FILE...                  (checks rule files; exit 1 on a bad one)
//   lode agent --log-sources FILE... --push-url URL ...  (server/agent_command.h)
#include <malloc.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <thread>

#include "base/log.h"
#include "ingest/collector/collector.h"
#include "ingest/collector/generators.h"
#include "logql/engine.h"
#include "logql/syntax/parser.h"
#include "ruler/evaluator.h"
#include "ruler/rules_file.h"
#include "server/agent_command.h"
#include "server/api.h"
#include "server/api_admin.h"
#include "server/config.h"
#include "server/http.h"
#include "server/metrics.h"
#include "server/multi_tenant_reader.h"
#include "server/request.h"
#include "storage/inspect.h"
#include "storage/store.h"

namespace {

volatile std::sig_atomic_t g_stop = 0;
volatile std::sig_atomic_t g_reload = 0;
void OnSignal(int) { g_stop = 1; }
// Set when lode must restart itself (read-only start on a full disk, space back).
std::atomic<bool> g_restart{false};
void OnHangup(int) { g_reload = 1; }

int Usage(const char* msg) {
  if (msg) lode::Logf("%s", msg);
  fprintf(
      stderr,
      "usage: lode [--config FILE] [--listen ADDR:PORT] [--data-dir DIR] [--retention DURATION]\n"
      "            [--print-config] [--log-sources FILE]... [--docker]\n"
      "       lode inspect --data-dir DIR [--streams]\n"
      "       lode promtail-config [--url URL] [--container-root DIR] LOG_SOURCES...\n"
      "       lode compose-volumes [--container-root DIR] LOG_SOURCES...\n"
      "       lode rules check FILE...\n"
      "       lode agent --log-sources FILE... [--docker] --push-url URL [--tenant T]\n"
      "                  [--data-dir DIR] [--listen ADDR:PORT] [--config FILE]\n");
  return 2;
}

int Inspect(int argc, char** argv) {
  std::string dir;
  lode::InspectOptions opts;
  for (int i = 2; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--data-dir" && i + 1 < argc) {
      dir = argv[++i];
    } else if (a.rfind("--data-dir=", 0) == 0) {
      dir = a.substr(11);
    } else if (a == "--streams") {
      opts.per_stream = true;
    } else {
      return Usage(("inspect: unknown argument: " + a).c_str());
    }
  }
  if (dir.empty()) return Usage("inspect needs --data-dir");
  std::string out;
  lode::Status s = lode::InspectDataDir(dir, opts, &out);
  if (!s.ok()) {
    lode::Logf("inspect %s: %s", dir.c_str(), s.message().c_str());
    return 1;
  }
  fputs(out.c_str(), stdout);
  return 0;
}

// `lode rules check FILE...`: parses and validates each file as the ruler
// would load it; prints every problem and exits 1 when a file is bad.
int RulesCheck(int argc, char** argv) {
  if (argc < 4 || std::string(argv[2]) != "check") return Usage("usage: lode rules check FILE...");
  int bad = 0;
  for (int i = 3; i < argc; ++i) {
    std::string text;
    FILE* f = fopen(argv[i], "rb");
    if (!f) {
      fprintf(stderr, "%s: cannot read: %s\n", argv[i], strerror(errno));
      bad++;
      continue;
    }
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0) text.append(buf, n);
    fclose(f);
    lode::ruler::RuleFile rf;
    lode::Status s = lode::ruler::ParseRuleFile(text, argv[i], &rf);
    if (!s.ok()) {
      fprintf(stderr, "%s\n", s.message().c_str());
      bad++;
      continue;
    }
    size_t rules = 0;
    for (const auto& g : rf.groups) rules += g.rules.size();
    printf("%s: SUCCESS: %zu groups, %zu rules found\n", argv[i], rf.groups.size(), rules);
  }
  return bad ? 1 : 0;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace lode;
  if (argc > 1 && std::string(argv[1]) == "inspect") return Inspect(argc, argv);
  if (argc > 1 &&
      (std::string(argv[1]) == "promtail-config" || std::string(argv[1]) == "compose-volumes")) {
    return collector::RunGeneratorCommand(argv[1], std::vector<std::string>(argv + 2, argv + argc));
  }
  if (argc > 1 && std::string(argv[1]) == "rules") return RulesCheck(argc, argv);
  if (argc > 1 && std::string(argv[1]) == "agent") return server::RunAgentCommand(argc, argv);
  // Memory at rest: two malloc arenas serve every thread (glibc's default is
  // 8 per core, each keeping its own freed memory); the store calls
  // malloc_trim when idle. (A fixed M_MMAP_THRESHOLD of 1 MiB was tried:
  // every push buffer and memtable arena block then page-faults afresh,
  // +75% ingest CPU.)
  mallopt(M_ARENA_MAX, 2);
  std::string config_path, listen, data_dir, retention;
  std::vector<std::string> log_sources;
  bool print_config = false, docker = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&](std::string* out) {
      size_t eq = a.find('=');
      if (eq != std::string::npos) {
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
      if (!value(&config_path)) return Usage("--config needs a value");
    } else if (is("--listen")) {
      if (!value(&listen)) return Usage("--listen needs a value");
    } else if (is("--data-dir")) {
      if (!value(&data_dir)) return Usage("--data-dir needs a value");
    } else if (is("--retention")) {
      if (!value(&retention)) return Usage("--retention needs a value");
    } else if (is("--log-sources")) {
      std::string v;
      if (!value(&v)) return Usage("--log-sources needs a value");
      log_sources.push_back(v);
    } else if (a == "--docker") {
      docker = true;
    } else if (a == "--print-config") {
      print_config = true;
    } else if (a == "-h" || a == "--help") {
      return Usage(nullptr), 0;
    } else {
      return Usage(("unknown argument: " + a).c_str());
    }
  }
  server::Config cfg;
  Status s = server::LoadConfig(config_path, &cfg);
  if (!s.ok()) {
    lode::Logf("%s", s.message().c_str());
    return 1;
  }
  if (!listen.empty()) {
    size_t colon = listen.rfind(':');
    if (colon == std::string::npos) return Usage("--listen takes ADDR:PORT");
    char* end = nullptr;
    long port = std::strtol(listen.c_str() + colon + 1, &end, 10);
    if (!end || *end || port < 0 || port > 65535) return Usage("--listen: invalid port");
    std::string addr = listen.substr(0, colon);
    if (addr.size() > 2 && addr.front() == '[' && addr.back() == ']')
      addr = addr.substr(1, addr.size() - 2);
    cfg.listen_address = addr.empty() ? "0.0.0.0" : addr;
    cfg.listen_port = static_cast<uint16_t>(port);
  }
  if (!data_dir.empty()) cfg.data_dir = data_dir;
  if (!retention.empty()) {
    int64_t ns;
    if (!logql::ParseDuration(retention, &ns).ok() || ns <= 0)
      return Usage("--retention: invalid duration");
    cfg.limits.retention_period_ns = ns;
  }
  cfg.log_sources_files.insert(cfg.log_sources_files.end(), log_sources.begin(), log_sources.end());
  if (docker) server::AddDefaultDockerSource(&cfg);
  if (print_config) {
    fputs(server::ConfigToYaml(cfg).c_str(), stdout);
    return 0;
  }
  s = server::ResolveLimits(&cfg);
  if (s.ok()) s = server::ValidateRulerConfig(cfg.ruler);
  if (!s.ok()) {
    lode::Logf("%s", s.message().c_str());
    return 1;
  }

  cfg.store.dir = cfg.data_dir;
  server::SetClockOffsetNs(cfg.now_offset_ns);
  cfg.store.clock = [] { return server::NowNs(); };
  cfg.store.delete_compiler = server::LogqlDeleteCompiler();
  std::unique_ptr<Store> store;
  // A full disk at start: open the existing store read-only so queries work,
  // and restart into read-write mode once space returns (RocksDB cannot open
  // read-write without space, and lode must not crash-loop).
  const uint64_t min_free = Store::MinFreeBytesToWrite(cfg.store);
  const bool exists = std::filesystem::exists(std::filesystem::path(cfg.data_dir) / "CURRENT");
  if (exists && Store::AvailableBytes(cfg.data_dir) < min_free) {
    cfg.store.read_only = true;
    lode::Logf(
        "the disk of %s is full (%llu bytes free, %llu needed to write): serving queries "
        "read-only; pushes fail until space returns",
        cfg.data_dir.c_str(), static_cast<unsigned long long>(Store::AvailableBytes(cfg.data_dir)),
        static_cast<unsigned long long>(min_free));
  }
  s = Store::Open(cfg.store, &store);
  if (!s.ok()) {
    lode::Logf("cannot open data directory %s: %s", cfg.data_dir.c_str(), s.message().c_str());
    return 1;
  }
  std::thread space_watch;
  if (cfg.store.read_only) {
    space_watch = std::thread([&cfg, min_free] {
      while (!g_stop) {
        std::this_thread::sleep_for(std::chrono::seconds(2));
        if (Store::AvailableBytes(cfg.data_dir) >= min_free) {
          lode::Logf("space is back on %s: restarting read-write", cfg.data_dir.c_str());
          g_restart = true;
          g_stop = true;
          return;
        }
      }
    });
  }
  store->SetRetentionPolicy(server::MakeRetentionPolicy(cfg));
  // Multi-tenant queries (`a|b`) only reach it when enabled (ResolveTenant).
  server::MultiTenantReader reader(store.get());
  logql::Engine engine(&reader, cfg.engine);
  server::Metrics metrics;
  server::Api api(&cfg, store.get(), &engine, &metrics, &reader);
  std::unique_ptr<ruler::Ruler> rules;
  if (cfg.ruler.Enabled()) {
    ruler::RulerOptions ro;
    ro.rules_dir = cfg.ruler.directory;
    ro.rule_path = cfg.ruler.rule_path;
    ro.evaluation_interval_ns = cfg.ruler.evaluation_interval_ns;
    ro.poll_interval_ns = cfg.ruler.poll_interval_ns;
    ro.resend_delay_ns = cfg.ruler.resend_delay_ns;
    ro.external_url = cfg.ruler.external_url;
    ro.datasource_uid = cfg.ruler.datasource_uid;
    ro.alertmanager_urls = cfg.ruler.alertmanager_urls;
    ro.notification_queue_capacity = static_cast<size_t>(cfg.ruler.notification_queue_capacity);
    if (cfg.ruler.remote_write_enabled) ro.remote_write_url = cfg.ruler.remote_write_url;
    ro.clock = [] { return server::NowNs(); };
    // Rule files are checked at start: a bad one stops lode with its message.
    std::vector<ruler::LoadError> errors;
    ruler::RuleStore(ro.rules_dir).LoadAll(&errors);
    if (!errors.empty()) {
      for (const auto& e : errors) fprintf(stderr, "lode: bad rule file: %s\n", e.message.c_str());
      return 1;
    }
    s = ruler::Ruler::Open(ro, ruler::EngineQuery(&engine), &rules);
    if (!s.ok()) {
      fprintf(stderr, "lode: %s\n", s.message().c_str());
      return 1;
    }
    if (cfg.ruler.enable_api) api.SetRuler(rules.get());
  }
  server::HttpOptions ho;
  ho.address = cfg.listen_address;
  ho.port = cfg.listen_port;
  ho.read_timeout_ms = cfg.http_read_timeout_ns / 1000000;
  ho.write_timeout_ms = cfg.http_write_timeout_ns / 1000000;
  ho.idle_timeout_ms = cfg.http_idle_timeout_ns / 1000000;
  ho.max_connections = static_cast<int>(cfg.http_max_connections);
  ho.worker_threads = static_cast<int>(cfg.http_worker_threads);
  if (ho.worker_threads == 0) {
    ho.worker_threads = 2 * static_cast<int>(std::max(1u, std::thread::hardware_concurrency())) +
                        8 + cfg.engine.max_concurrent;
  }
  ho.tls = {cfg.tls_cert_file, cfg.tls_key_file, cfg.tls_client_auth_type, cfg.tls_client_ca_file};
  ho.basic_auth = {cfg.basic_auth_username, cfg.basic_auth_password_hash};
  server::RaiseFileLimit();
  server::HttpServer http(ho);
  api.Register(&http);
  std::unique_ptr<collector::Collector> files;
  collector::StoreSink store_sink(store.get());
  if (!cfg.log_sources_files.empty() || !cfg.log_sources_http.empty() ||
      !cfg.docker_sources.empty()) {
    collector::CollectorOptions co;
    co.log_sources = cfg.log_sources_files;
    co.http_urls = cfg.log_sources_http;
    co.http_refresh_ns = cfg.collector_refresh_interval_ns;
    co.tenant = cfg.collector_tenant;
    co.limits = cfg.LimitsFor(cfg.collector_tenant).push;
    co.rotate_wait_ns = cfg.collector_rotate_wait_ns;
    co.docker_sources = cfg.docker_sources;
    s = collector::Collector::Open(co, &store_sink, &files);
    if (!s.ok()) {
      fprintf(stderr, "lode: %s\n", s.message().c_str());
      return 1;
    }
    api.SetExtraMetrics([c = files.get()] { return c->MetricsText(); });
  }
  http.Route("/collector/status", [c = files.get()](const server::Request&) {
    if (!c) return server::Response::Json(R"({"config_error":"","sources":[],"files":[]})");
    return server::Response::Json(c->StatusJson());
  });
  metrics.Help("lode_request_duration_seconds", "histogram",
               "Time to serve HTTP requests, by route and status.");
  http.OnRequest([&metrics](const server::Request& req, const server::Response& res, double secs) {
    // Paths that carry a name are folded into one route label each, and
    // unknown paths into one, so clients cannot create unbounded series.
    std::string route = req.path;
    if (route.rfind("/loki/api/v1/label/", 0) == 0) {
      route = "/loki/api/v1/label/values";
    } else if (route.rfind("/loki/api/v1/detected_field/", 0) == 0) {
      route = "/loki/api/v1/detected_field/values";
    } else if (res.status == 404) {
      route = "other";
    }
    metrics.Observe("lode_request_duration_seconds",
                    {{"route", route}, {"status_code", std::to_string(res.status)}}, secs);
    if (res.status >= 400 && res.status != 404) {
      lode::Logf("%s %s -> %d: %.1000s", req.method.c_str(), req.path.c_str(), res.status,
                 res.body.c_str());
    }
  });
  s = http.Start();
  if (!s.ok()) {
    lode::Logf("%s", s.message().c_str());
    return 1;
  }
  std::signal(SIGTERM, OnSignal);
  std::signal(SIGINT, OnSignal);
  std::signal(SIGPIPE, SIG_IGN);
  std::signal(SIGHUP, OnHangup);
  if (files) files->Start();
  lode::Logf("listening on %s:%u, data in %s", cfg.listen_address.c_str(), http.port(),
             cfg.data_dir.c_str());
  while (!g_stop) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    if (g_reload) {
      g_reload = 0;
      if (files) files->RequestReload();
    }
  }
  lode::Logf("shutting down");
  http.Stop();
  if (space_watch.joinable()) space_watch.join();
  if (files) files->Stop();
  rules.reset();
  s = store->Flush();
  if (!s.ok()) lode::Logf("flush at shutdown failed: %s", s.message().c_str());
  store.reset();
  if (g_restart) {
    // Same pid, same arguments; the listening socket is closed by now.
    execv("/proc/self/exe", argv);
    lode::Logf("restart failed: %s", strerror(errno));
    return 1;
  }
  return 0;
}
