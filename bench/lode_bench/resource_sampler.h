// ResourceSampler: watches the CPU time and memory of the server under test.
//
// Reads /proc/PID/stat (utime + stime, in clock ticks) and /proc/PID/status
// (VmRSS, VmHWM) every `interval` on a background thread between Start() and
// Stop(). Linux only. A missing or exited process is not fatal: the result
// carries an "error" field and whatever was measured before.
//
// Thread-safety: Start/Stop from one thread; the sampling thread is internal.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

namespace lode::bench {

struct ProcessSample {
  double cpu_seconds = 0;  // user + system since process start
  uint64_t rss_bytes = 0;  // VmRSS
  uint64_t hwm_bytes = 0;  // VmHWM: peak RSS since process start
};

// Returns false (with *error set) if the process cannot be read.
bool ReadProcessSample(int pid, ProcessSample* out, std::string* error);

class ResourceSampler {
 public:
  // pid <= 0 disables sampling: Stop() then returns null.
  explicit ResourceSampler(int pid,
                           std::chrono::milliseconds interval = std::chrono::milliseconds(200));
  ~ResourceSampler();

  void Start();
  // Returns {"pid", "cpu_seconds", "avg_cpu_cores", "peak_rss_bytes"
  // (largest VmRSS seen during the phase), "vm_hwm_bytes" (process lifetime
  // peak), "end_rss_bytes", "samples"[, "error"]}.
  nlohmann::json Stop();

  // CPU seconds used since Start(), for live progress; 0 when disabled.
  double CpuSecondsSoFar() const;

 private:
  void Loop();
  void Take();

  int pid_;
  std::chrono::milliseconds interval_;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  mutable std::mutex mu_;
  ProcessSample first_, last_;
  uint64_t peak_rss_ = 0;
  uint64_t samples_ = 0;
  double started_at_ = 0;
  std::string error_;
};

// Total size of regular files under `dir` (recursively): apparent bytes, and
// allocated bytes (st_blocks * 512) into *allocated if non-null. Returns 0
// and sets *error if the directory cannot be read.
uint64_t DirectoryBytes(const std::string& dir, uint64_t* allocated, std::string* error);

}  // namespace lode::bench
