// lode: a single-binary, Loki-compatible log store.
//
//   lode [--config FILE] [--listen ADDR:PORT] [--data-dir DIR] [--retention DURATION]
//        [--print-config]
//   lode inspect --data-dir DIR [--streams]   (summary of a data directory, read-only)
#include <csignal>
#include <cstdio>
#include <cstring>
#include <string>
#include <thread>

#include "base/log.h"
#include "logql/engine.h"
#include "logql/syntax/parser.h"
#include "server/api.h"
#include "server/api_admin.h"
#include "server/config.h"
#include "server/http.h"
#include "server/metrics.h"
#include "server/request.h"
#include "storage/inspect.h"
#include "storage/store.h"

namespace {

volatile std::sig_atomic_t g_stop = 0;
void OnSignal(int) { g_stop = 1; }

int Usage(const char* msg) {
  if (msg) lode::Logf("%s", msg);
  fprintf(stderr,
          "usage: lode [--config FILE] [--listen ADDR:PORT] [--data-dir DIR] [--retention DURATION]\n"
          "            [--print-config]\n"
          "       lode inspect --data-dir DIR [--streams]\n");
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

}  // namespace

int main(int argc, char** argv) {
  using namespace lode;
  if (argc > 1 && std::string(argv[1]) == "inspect") return Inspect(argc, argv);
  std::string config_path, listen, data_dir, retention;
  bool print_config = false;
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
    auto is = [&](const char* flag) { return a == flag || a.rfind(std::string(flag) + "=", 0) == 0; };
    if (is("--config") || is("-config.file")) {
      if (!value(&config_path)) return Usage("--config needs a value");
    } else if (is("--listen")) {
      if (!value(&listen)) return Usage("--listen needs a value");
    } else if (is("--data-dir")) {
      if (!value(&data_dir)) return Usage("--data-dir needs a value");
    } else if (is("--retention")) {
      if (!value(&retention)) return Usage("--retention needs a value");
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
    if (addr.size() > 2 && addr.front() == '[' && addr.back() == ']') addr = addr.substr(1, addr.size() - 2);
    cfg.listen_address = addr.empty() ? "0.0.0.0" : addr;
    cfg.listen_port = static_cast<uint16_t>(port);
  }
  if (!data_dir.empty()) cfg.data_dir = data_dir;
  if (!retention.empty()) {
    int64_t ns;
    if (!logql::ParseDuration(retention, &ns).ok() || ns <= 0) return Usage("--retention: invalid duration");
    cfg.limits.retention_period_ns = ns;
  }
  if (print_config) {
    fputs(server::ConfigToYaml(cfg).c_str(), stdout);
    return 0;
  }
  s = server::ResolveLimits(&cfg);
  if (!s.ok()) {
    lode::Logf("%s", s.message().c_str());
    return 1;
  }

  cfg.store.dir = cfg.data_dir;
  server::SetClockOffsetNs(cfg.now_offset_ns);
  cfg.store.clock = [] { return server::NowNs(); };
  cfg.store.delete_compiler = server::LogqlDeleteCompiler();
  std::unique_ptr<Store> store;
  s = Store::Open(cfg.store, &store);
  if (!s.ok()) {
    lode::Logf("cannot open data directory %s: %s", cfg.data_dir.c_str(), s.message().c_str());
    return 1;
  }
  store->SetRetentionPolicy(server::MakeRetentionPolicy(cfg));
  logql::Engine engine(store.get(), cfg.engine);
  server::Metrics metrics;
  server::Api api(&cfg, store.get(), &engine, &metrics);
  server::HttpOptions ho;
  ho.address = cfg.listen_address;
  ho.port = cfg.listen_port;
  ho.read_timeout_ms = cfg.http_read_timeout_ns / 1000000;
  ho.write_timeout_ms = cfg.http_write_timeout_ns / 1000000;
  ho.idle_timeout_ms = cfg.http_idle_timeout_ns / 1000000;
  ho.max_connections = static_cast<int>(cfg.http_max_connections);
  server::HttpServer http(ho);
  api.Register(&http);
  metrics.Help("lode_request_duration_seconds", "histogram", "Time to serve HTTP requests, by route and status.");
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
  lode::Logf("listening on %s:%u, data in %s", cfg.listen_address.c_str(), http.port(),
          cfg.data_dir.c_str());
  while (!g_stop) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  lode::Logf("shutting down");
  http.Stop();
  s = store->Flush();
  if (!s.ok()) lode::Logf("flush at shutdown failed: %s", s.message().c_str());
  store.reset();
  return 0;
}
