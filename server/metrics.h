// Prometheus metrics for /metrics: counters and histograms with label
// values, rendered in the text exposition format. Thread-safe.
#pragma once

#include <atomic>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace lode::server {

class Metrics {
 public:
  void Add(const std::string& name, const std::string& labels, double v);  // counter
  void Set(const std::string& name, const std::string& labels, double v);  // gauge
  void Observe(const std::string& name, const std::string& labels, double v);  // histogram (seconds)
  void Help(const std::string& name, const std::string& type, const std::string& help);
  std::string Render();

 private:
  struct Hist {
    std::vector<uint64_t> buckets;
    uint64_t count = 0;
    double sum = 0;
  };
  std::mutex mu_;
  std::map<std::string, std::pair<std::string, std::string>> help_;  // name -> (type, help)
  std::map<std::string, std::map<std::string, double>> values_;
  std::map<std::string, std::map<std::string, Hist>> hists_;
};

}  // namespace lode::server
