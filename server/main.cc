// lode: a single-binary, Loki-compatible log store.
//
//   lode [--config FILE] [--listen ADDR:PORT] [--data-dir DIR] [--retention DURATION]
//        [--print-config]
//   lode inspect --data-dir DIR [--streams]   (summary of a data directory, read-only)
//   lode rules check FILE...                  (checks rule files; exit 1 on a bad one)
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <string>
#include <thread>

#include "logql/engine.h"
#include "logql/syntax/parser.h"
#include "server/api.h"
#include "server/api_admin.h"
#include "server/config.h"
#include "server/http.h"
#include "server/metrics.h"
#include "server/request.h"
#include "ruler/evaluator.h"
#include "ruler/rules_file.h"
#include "storage/inspect.h"
#include "storage/store.h"

namespace {

volatile std::sig_atomic_t g_stop = 0;
void OnSignal(int) { g_stop = 1; }

int Usage(const char* msg) {
  if (msg) fprintf(stderr, "lode: %s\n", msg);
  fprintf(stderr,
          "usage: lode [--config FILE] [--listen ADDR:PORT] [--data-dir DIR] [--retention DURATION]\n"
          "            [--print-config]\n"
          "       lode inspect --data-dir DIR [--streams]\n"
          "       lode rules check FILE...\n");
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
    fprintf(stderr, "lode: inspect %s: %s\n", dir.c_str(), s.message().c_str());
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
  if (argc > 1 && std::string(argv[1]) == "rules") return RulesCheck(argc, argv);
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
    fprintf(stderr, "lode: %s\n", s.message().c_str());
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
  if (s.ok()) s = server::ValidateRulerConfig(cfg.ruler);
  if (!s.ok()) {
    fprintf(stderr, "lode: %s\n", s.message().c_str());
    return 1;
  }

  cfg.store.dir = cfg.data_dir;
  server::SetClockOffsetNs(cfg.now_offset_ns);
  cfg.store.clock = [] { return server::NowNs(); };
  cfg.store.delete_compiler = server::LogqlDeleteCompiler();
  std::unique_ptr<Store> store;
  s = Store::Open(cfg.store, &store);
  if (!s.ok()) {
    fprintf(stderr, "lode: cannot open data directory %s: %s\n", cfg.data_dir.c_str(), s.message().c_str());
    return 1;
  }
  store->SetRetentionPolicy(server::MakeRetentionPolicy(cfg));
  logql::Engine engine(store.get(), cfg.engine);
  server::Metrics metrics;
  server::Api api(&cfg, store.get(), &engine, &metrics);
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
                    "route=\"" + route + "\",status_code=\"" + std::to_string(res.status) + "\"", secs);
    if (res.status >= 400 && res.status != 404) {
      fprintf(stderr, "lode: %s %s -> %d: %.200s", req.method.c_str(), req.path.c_str(), res.status,
              res.body.c_str());
    }
  });
  s = http.Start();
  if (!s.ok()) {
    fprintf(stderr, "lode: %s\n", s.message().c_str());
    return 1;
  }
  std::signal(SIGTERM, OnSignal);
  std::signal(SIGINT, OnSignal);
  std::signal(SIGPIPE, SIG_IGN);
  fprintf(stderr, "lode: listening on %s:%u, data in %s\n", cfg.listen_address.c_str(), http.port(),
          cfg.data_dir.c_str());
  while (!g_stop) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  fprintf(stderr, "lode: shutting down\n");
  http.Stop();
  rules.reset();
  s = store->Flush();
  if (!s.ok()) fprintf(stderr, "lode: flush at shutdown failed: %s\n", s.message().c_str());
  store.reset();
  return 0;
}
