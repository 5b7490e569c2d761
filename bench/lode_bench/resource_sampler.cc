#include "bench/lode_bench/resource_sampler.h"

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include "bench/lode_bench/measure.h"

namespace lode::bench {

bool ReadProcessSample(int pid, ProcessSample* out, std::string* error) {
  const std::string base = "/proc/" + std::to_string(pid);
  std::ifstream stat(base + "/stat");
  std::string text;
  if (!stat || !std::getline(stat, text)) {
    *error = "cannot read " + base + "/stat (process gone?)";
    return false;
  }
  // The command name (field 2) may contain spaces; fields resume after ')'.
  size_t paren = text.rfind(')');
  if (paren == std::string::npos) {
    *error = "unexpected format of " + base + "/stat";
    return false;
  }
  std::istringstream fields(text.substr(paren + 2));
  std::vector<std::string> f;
  std::string field;
  while (fields >> field && f.size() < 13) f.push_back(field);
  if (f.size() < 13) {
    *error = "short " + base + "/stat";
    return false;
  }
  // f[0] is field 3 (state); utime and stime are fields 14 and 15.
  static const double kTicks = static_cast<double>(sysconf(_SC_CLK_TCK));
  out->cpu_seconds = (std::stod(f[11]) + std::stod(f[12])) / kTicks;

  std::ifstream status(base + "/status");
  std::string key;
  while (status >> key) {
    if (key == "VmRSS:" || key == "VmHWM:") {
      uint64_t kib = 0;
      status >> kib;
      (key == "VmRSS:" ? out->rss_bytes : out->hwm_bytes) = kib * 1024;
    }
    status.ignore(1 << 12, '\n');
  }
  return true;
}

ResourceSampler::ResourceSampler(int pid, std::chrono::milliseconds interval)
    : pid_(pid), interval_(interval) {}

ResourceSampler::~ResourceSampler() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

void ResourceSampler::Start() {
  if (pid_ <= 0) return;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!ReadProcessSample(pid_, &first_, &error_)) return;
    last_ = first_;
    peak_rss_ = first_.rss_bytes;
    samples_ = 1;
    started_at_ = MonotonicSeconds();
  }
  stop_ = false;
  thread_ = std::thread([this] { Loop(); });
}

void ResourceSampler::Loop() {
  auto next = std::chrono::steady_clock::now();
  while (!stop_) {
    next += interval_;
    std::this_thread::sleep_until(next);
    Take();
  }
}

void ResourceSampler::Take() {
  ProcessSample sample;
  std::string error;
  bool ok = ReadProcessSample(pid_, &sample, &error);
  std::lock_guard<std::mutex> lock(mu_);
  if (!ok) {
    if (error_.empty()) error_ = error;
    return;
  }
  last_ = sample;
  peak_rss_ = std::max(peak_rss_, sample.rss_bytes);
  ++samples_;
}

double ResourceSampler::CpuSecondsSoFar() const {
  std::lock_guard<std::mutex> lock(mu_);
  return samples_ == 0 ? 0 : last_.cpu_seconds - first_.cpu_seconds;
}

nlohmann::json ResourceSampler::Stop() {
  if (pid_ <= 0) return nullptr;
  stop_ = true;
  if (thread_.joinable()) {
    thread_.join();
    Take();
  }
  std::lock_guard<std::mutex> lock(mu_);
  nlohmann::json out = {{"pid", pid_}};
  if (samples_ > 0) {
    double cpu = last_.cpu_seconds - first_.cpu_seconds;
    double wall = MonotonicSeconds() - started_at_;
    out["cpu_seconds"] = cpu;
    out["avg_cpu_cores"] = wall > 0 ? cpu / wall : 0.0;
    out["peak_rss_bytes"] = peak_rss_;
    out["vm_hwm_bytes"] = last_.hwm_bytes;
    out["end_rss_bytes"] = last_.rss_bytes;
    out["samples"] = samples_;
  }
  if (!error_.empty()) out["error"] = error_;
  return out;
}

uint64_t DirectoryBytes(const std::string& dir, uint64_t* allocated, std::string* error) {
  namespace fs = std::filesystem;
  uint64_t apparent = 0, blocks = 0;
  std::error_code ec;
  fs::recursive_directory_iterator it(dir, fs::directory_options::skip_permission_denied, ec);
  if (ec) {
    *error = "cannot read data dir " + dir + ": " + ec.message();
    return 0;
  }
  for (; it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (ec) break;
    struct stat st;
    // Files may vanish under a live server (compaction); skip those.
    if (lstat(it->path().c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
    apparent += static_cast<uint64_t>(st.st_size);
    blocks += static_cast<uint64_t>(st.st_blocks) * 512;
  }
  if (allocated != nullptr) *allocated = blocks;
  return apparent;
}

}  // namespace lode::bench
