// A real Docker daemon for the container collector's end-to-end tests:
// dockerd without network (no iptables, no bridge) and the vfs storage
// driver, all its state under one short /tmp directory (unix socket paths
// are limited to 107 bytes), and a busybox image imported from Debian's
// busybox-static (no registry needed).
#pragma once

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>

namespace lode::testing {

class Dockerd {
 public:
  Dockerd() {
    char tmpl[] = "/tmp/ldk-XXXXXX";
    dir_ = mkdtemp(tmpl);
  }
  ~Dockerd() {
    Stop();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  const std::string& dir() const { return dir_; }
  std::string sock() const { return dir_ + "/d.sock"; }
  std::string host() const { return "unix://" + sock(); }
  bool running() const { return pid_ > 0; }

  // Starts dockerd and waits until it answers (up to 40 s). On failure *why
  // says what is missing or what dockerd printed.
  bool Start(std::string* why) {
    if (pid_ > 0) return true;
    if (system("command -v dockerd >/dev/null 2>&1") != 0 ||
        system("command -v docker >/dev/null 2>&1") != 0) {
      *why = "dockerd or docker not installed (Debian package docker.io)";
      return false;
    }
    if (geteuid() != 0) {
      *why = "dockerd needs root";
      return false;
    }
    std::string log = dir_ + "/dockerd.log";
    pid_ = fork();
    if (pid_ == 0) {
      setpgid(0, 0);
      FILE* f = freopen(log.c_str(), "w", stdout);
      (void)f;
      dup2(fileno(stdout), 2);
      std::string data = "--data-root=" + dir_ + "/data", exec = "--exec-root=" + dir_ + "/x",
                  h = "--host=" + host(), pid = "--pidfile=" + dir_ + "/pid";
      execlp("dockerd", "dockerd", "--iptables=false", "--ip-forward=false", "--bridge=none",
             "--storage-driver=vfs", "--shutdown-timeout=1", data.c_str(), exec.c_str(), h.c_str(),
             pid.c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
    auto end = std::chrono::steady_clock::now() + std::chrono::seconds(40);
    while (std::chrono::steady_clock::now() < end) {
      int st;
      if (waitpid(pid_, &st, WNOHANG) == pid_) {
        pid_ = -1;
        *why = "dockerd exited: " + Tail(log);
        return false;
      }
      bool ok = false;
      Docker("version --format '{{.Server.Version}}'", &ok);
      if (ok) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    *why = "dockerd did not answer within 40 s: " + Tail(log);
    Stop();
    return false;
  }

  void Stop() {
    if (pid_ <= 0) return;
    bool ok;
    Docker("rm -f $(docker -H " + host() + " ps -aq) >/dev/null 2>&1", &ok);
    kill(pid_, SIGTERM);
    for (int i = 0; i < 200; ++i) {
      int st;
      if (waitpid(pid_, &st, WNOHANG) == pid_) {
        pid_ = -1;
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    kill(-pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }

  // `docker -H <sock> ARGS`; returns stdout without the trailing newline.
  std::string Docker(const std::string& args, bool* ok = nullptr) {
    std::string cmd = "docker -H " + host() + " " + args + " 2>" + dir_ + "/docker.err";
    FILE* p = popen(cmd.c_str(), "r");
    std::string out;
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
    int rc = pclose(p);
    if (ok) *ok = rc == 0;
    while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
    return out;
  }
  std::string LastError() { return Tail(dir_ + "/docker.err"); }

  // Imports /bin/busybox (busybox-static) with /bin/sh linked to it as
  // lode-busybox:test.
  bool ImportBusybox(std::string* why) {
    const char* bb = "/bin/busybox";
    if (system("/bin/busybox true >/dev/null 2>&1") != 0 ||
        system("ldd /bin/busybox 2>&1 | grep -q 'not a dynamic'") != 0) {
      *why = "no static /bin/busybox (Debian package busybox-static)";
      return false;
    }
    std::string root = dir_ + "/img";
    std::string cmd = "mkdir -p " + root + "/bin " + root + "/tmp && cp " + bb + " " + root +
                      "/bin/busybox && ln -sf busybox " + root + "/bin/sh && tar -C " + root +
                      " -cf " + dir_ + "/img.tar . && rm -rf " + root;
    if (system(cmd.c_str()) != 0) {
      *why = "cannot build the image tarball";
      return false;
    }
    bool ok = false;
    Docker("import " + dir_ + "/img.tar lode-busybox:test", &ok);
    if (!ok) *why = "docker import failed: " + LastError();
    return ok;
  }

 private:
  static std::string Tail(const std::string& path) {
    FILE* f = fopen(path.c_str(), "r");
    if (!f) return "";
    std::string s;
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0) s.append(buf, n);
    fclose(f);
    return s.size() > 1500 ? s.substr(s.size() - 1500) : s;
  }

  std::string dir_;
  pid_t pid_ = -1;
};

}  // namespace lode::testing
