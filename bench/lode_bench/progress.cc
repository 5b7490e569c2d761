#include "bench/lode_bench/progress.h"

#include <unistd.h>

#include <cstdio>

#include "bench/lode_bench/measure.h"

namespace lode::bench {
namespace {

std::string Human(double v) {
  char buf[32];
  if (v >= 1e9) {
    snprintf(buf, sizeof(buf), "%.2fG", v / 1e9);
  } else if (v >= 1e6) {
    snprintf(buf, sizeof(buf), "%.2fM", v / 1e6);
  } else if (v >= 1e4) {
    snprintf(buf, sizeof(buf), "%.1fk", v / 1e3);
  } else {
    snprintf(buf, sizeof(buf), "%.0f", v);
  }
  return buf;
}

}  // namespace

Progress::Progress(std::string title, uint64_t total_lines, std::chrono::seconds plain_interval)
    : title_(std::move(title)),
      total_(total_lines),
      tty_(isatty(STDERR_FILENO) != 0),
      plain_interval_(plain_interval),
      start_(MonotonicSeconds()) {
  thread_ = std::thread([this] { Loop(); });
}

Progress::~Progress() { Finish(); }

void Progress::Finish() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (done_) return;
    done_ = true;
  }
  cv_.notify_all();
  thread_.join();
  Print(true);
}

void Progress::Loop() {
  auto period = tty_ ? std::chrono::milliseconds(250)
                     : std::chrono::duration_cast<std::chrono::milliseconds>(plain_interval_);
  std::unique_lock<std::mutex> lock(mu_);
  while (!cv_.wait_for(lock, period, [this] { return done_; })) {
    lock.unlock();
    Print(false);
    lock.lock();
  }
}

void Progress::Print(bool final) {
  double elapsed = MonotonicSeconds() - start_;
  uint64_t lines = lines_.load(std::memory_order_relaxed);
  uint64_t bytes = bytes_.load(std::memory_order_relaxed);
  uint64_t errors = errors_.load(std::memory_order_relaxed);
  double fraction = total_ > 0 ? static_cast<double>(lines) / static_cast<double>(total_) : 0;
  double rate = elapsed > 0 ? static_cast<double>(lines) / elapsed : 0;
  double mbps = elapsed > 0 ? static_cast<double>(bytes) / elapsed / 1e6 : 0;
  char stats[200];
  snprintf(stats, sizeof(stats), "%5.1f%%  %s/%s lines  %s lines/s  %.1f MB/s  errors %llu  %.0fs",
           fraction * 100, Human(static_cast<double>(lines)).c_str(),
           Human(static_cast<double>(total_)).c_str(), Human(rate).c_str(), mbps,
           static_cast<unsigned long long>(errors), elapsed);
  if (tty_) {
    constexpr int kWidth = 24;
    int filled = static_cast<int>(fraction * kWidth);
    std::string bar(static_cast<size_t>(filled), '#');
    bar.resize(kWidth, '.');
    fprintf(stderr, "\r\033[K%s [%s] %s%s", title_.c_str(), bar.c_str(), stats, final ? "\n" : "");
  } else {
    fprintf(stderr, "%s: %s%s\n", title_.c_str(), stats, final ? " (done)" : "");
  }
  fflush(stderr);
}

}  // namespace lode::bench
