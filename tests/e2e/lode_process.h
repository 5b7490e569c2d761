// Test harness: runs the real build/lode binary on a free port with a
// temporary data directory, and a small blocking HTTP client for it.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace lode::testing {

struct HttpResult {
  int status = 0;  // 0: connection failed
  std::string body;
  std::map<std::string, std::string> headers;  // lower-case names
};

HttpResult HttpRequest(int port, const std::string& method, const std::string& target,
                       const std::string& body = "",
                       const std::map<std::string, std::string>& headers = {});

// URL-encodes a query-string component.
std::string Q(const std::string& s);

class LodeProcess {
 public:
  // Starts lode with `args` added to --listen/--data-dir (a first arg
  // `agent` runs `lode agent`). An empty data_dir creates (and later
  // removes) a temporary one.
  explicit LodeProcess(std::vector<std::string> args = {}, std::string data_dir = "");
  ~LodeProcess();

  bool Ready() const { return ready_; }
  int port() const { return port_; }
  int pid() const { return pid_; }
  const std::string& data_dir() const { return data_dir_; }

  void Kill9();  // SIGKILL, no cleanup
  // SIGTERM and wait; returns the wait status (-1 if not running or killed
  // with SIGKILL after 10 s).
  int Stop();
  bool Start();  // (re)start on the same port and data dir; waits for /ready

  HttpResult Get(const std::string& target, const std::map<std::string, std::string>& h = {}) {
    return HttpRequest(port_, "GET", target, "", h);
  }
  HttpResult Post(const std::string& target, const std::string& body,
                  const std::map<std::string, std::string>& h = {}) {
    return HttpRequest(port_, "POST", target, body, h);
  }

 private:
  std::vector<std::string> args_;
  std::string data_dir_;
  bool own_dir_ = false;
  int port_ = 0;
  int pid_ = -1;
  bool ready_ = false;
};

// Encodes a snappy-compressed logproto.PushRequest.
struct PushEntry {
  int64_t ts;
  std::string line;
  std::vector<std::pair<std::string, std::string>> metadata;
};
std::string EncodePush(const std::vector<std::pair<std::string, std::vector<PushEntry>>>& streams);

}  // namespace lode::testing
