#include "tests/e2e/lode_process.h"

#include <signal.h>
#include <snappy.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <filesystem>
#include <thread>

#include "push.pb.h"

namespace lode::testing {

namespace beast = boost::beast;
namespace http = beast::http;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

HttpResult HttpRequest(int port, const std::string& method, const std::string& target,
                       const std::string& body, const std::map<std::string, std::string>& headers) {
  HttpResult res;
  try {
    asio::io_context ioc;
    tcp::socket sock(ioc);
    sock.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), static_cast<uint16_t>(port)));
    http::request<http::string_body> req{http::string_to_verb(method), target, 11};
    req.set(http::field::host, "127.0.0.1");
    for (const auto& [k, v] : headers) req.set(k, v);
    req.body() = body;
    req.prepare_payload();
    http::write(sock, req);
    beast::flat_buffer buf;
    http::response_parser<http::string_body> parser;
    parser.body_limit(1 << 30);
    http::read(sock, buf, parser);
    auto& r = parser.get();
    res.status = r.result_int();
    res.body = r.body();
    for (const auto& f : r) {
      std::string n(f.name_string());
      for (auto& c : n) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      res.headers[n] = std::string(f.value());
    }
    beast::error_code ec;
    sock.shutdown(tcp::socket::shutdown_both, ec);
  } catch (const std::exception& e) {
    res.status = 0;
    res.body = e.what();
  }
  return res;
}

std::string Q(const std::string& s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(hex[c >> 4]);
      out.push_back(hex[c & 15]);
    }
  }
  return out;
}

namespace {
int FreePort() {
  asio::io_context ioc;
  tcp::acceptor a(ioc, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  return a.local_endpoint().port();
}
}  // namespace

LodeProcess::LodeProcess(std::vector<std::string> args, std::string data_dir)
    : args_(std::move(args)), data_dir_(std::move(data_dir)) {
  if (data_dir_.empty()) {
    char tmpl[] = "/tmp/lode-e2e-XXXXXX";
    data_dir_ = mkdtemp(tmpl);
    own_dir_ = true;
  }
  port_ = FreePort();
  Start();
}

LodeProcess::~LodeProcess() {
  Stop();
  if (own_dir_) std::filesystem::remove_all(data_dir_);
}

bool LodeProcess::Start() {
  ready_ = false;
  pid_ = fork();
  if (pid_ == 0) {
    // A subcommand (`agent`) goes first, before --listen and --data-dir.
    bool sub = !args_.empty() && args_[0] == "agent";
    std::vector<std::string> argv = {LODE_BINARY};
    if (sub) argv.push_back(args_[0]);
    for (const std::string& a : {std::string("--listen"), "127.0.0.1:" + std::to_string(port_),
                                 std::string("--data-dir"), data_dir_ + "/db"})
      argv.push_back(a);
    argv.insert(argv.end(), args_.begin() + (sub ? 1 : 0), args_.end());
    std::vector<char*> cargv;
    for (auto& a : argv) cargv.push_back(a.data());
    cargv.push_back(nullptr);
    // Both streams to the log: a lode left running by a test that died
    // must not hold ctest's output pipe open (ctest would wait for it).
    std::string log = data_dir_ + "/lode.log";
    FILE* f = freopen(log.c_str(), "a", stderr);
    f = freopen(log.c_str(), "a", stdout);
    (void)f;
    execv(cargv[0], cargv.data());
    _exit(127);
  }
  // Up to 60 s: reopening a store after kill -9 on a loaded machine.
  for (int i = 0; i < 2400; ++i) {
    auto r = Get("/ready");
    // With TLS, a plain request gets Go's refusal: the server is up.
    if (r.status == 200 || r.body.find("HTTP request to an HTTPS server") != std::string::npos) {
      ready_ = true;
      return true;
    }
    int st;
    if (waitpid(pid_, &st, WNOHANG) == pid_) {
      pid_ = -1;
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  return false;
}

void LodeProcess::Kill9() {
  if (pid_ <= 0) return;
  kill(pid_, SIGKILL);
  int st;
  waitpid(pid_, &st, 0);
  pid_ = -1;
  ready_ = false;
}

int LodeProcess::Stop() {
  if (pid_ <= 0) return -1;
  kill(pid_, SIGTERM);
  int st;
  for (int i = 0; i < 400; ++i) {
    if (waitpid(pid_, &st, WNOHANG) == pid_) {
      pid_ = -1;
      return st;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  Kill9();
  return -1;
}

std::string EncodePush(const std::vector<std::pair<std::string, std::vector<PushEntry>>>& streams) {
  logproto::PushRequest req;
  for (const auto& [labels, entries] : streams) {
    auto* s = req.add_streams();
    s->set_labels(labels);
    for (const auto& e : entries) {
      auto* pe = s->add_entries();
      pe->mutable_timestamp()->set_seconds(e.ts / 1000000000);
      pe->mutable_timestamp()->set_nanos(static_cast<int32_t>(e.ts % 1000000000));
      pe->set_line(e.line);
      for (const auto& [k, v] : e.metadata) {
        auto* m = pe->add_structuredmetadata();
        m->set_name(k);
        m->set_value(v);
      }
    }
  }
  std::string raw = req.SerializeAsString();
  std::string out;
  snappy::Compress(raw.data(), raw.size(), &out);
  return out;
}

}  // namespace lode::testing
