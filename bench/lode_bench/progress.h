// Progress: live progress of the ingest phase on stderr.
//
// On a terminal (isatty(2)) a single line is redrawn four times a second with
// a bar, rate and error count; otherwise a plain line is printed every
// `plain_interval` so logs of CI runs stay readable. Counters are atomics:
// Add() and AddError() may be called from any thread. Finish() (also run by
// the destructor) stops the printer and ends the line.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

namespace lode::bench {

class Progress {
 public:
  Progress(std::string title, uint64_t total_lines,
           std::chrono::seconds plain_interval = std::chrono::seconds(5));
  ~Progress();
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  void Add(uint64_t lines, uint64_t bytes) {
    lines_.fetch_add(lines, std::memory_order_relaxed);
    bytes_.fetch_add(bytes, std::memory_order_relaxed);
  }
  void AddError() { errors_.fetch_add(1, std::memory_order_relaxed); }
  void Finish();

 private:
  void Loop();
  void Print(bool final);

  std::string title_;
  uint64_t total_;
  bool tty_;
  std::chrono::seconds plain_interval_;
  double start_;
  std::atomic<uint64_t> lines_{0}, bytes_{0}, errors_{0};
  std::mutex mu_;
  std::condition_variable cv_;
  bool done_ = false;
  std::thread thread_;
};

}  // namespace lode::bench
