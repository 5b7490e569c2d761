// Prometheus metrics for /metrics: counters and histograms with label
// values, rendered in the text exposition format. Label values are escaped
// as that format requires (backslash, double quote and newline become \\,
// \" and \n), so no label value -- a route, a tenant, anything a client
// sent -- can close its quotes, add labels or start a new line. Thread-safe.
#pragma once

#include <atomic>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace lode::server {

// Label name/value pairs in the order they are rendered. Names are the
// caller's constants (Prometheus label names); values may be anything.
using MetricLabels = std::vector<std::pair<std::string, std::string>>;

// `v` escaped for a label value in the text exposition format.
std::string EscapeLabelValue(const std::string& v);

class Metrics {
 public:
  void Add(const std::string& name, const MetricLabels& labels, double v);  // counter
  void Set(const std::string& name, const MetricLabels& labels, double v);  // gauge
  void Observe(const std::string& name, const MetricLabels& labels,
               double v);  // histogram (seconds)
  // A gauge whose labels are already rendered (`a="b",c="d"`) by code that
  // builds them from constants only (the store's own metrics).
  void SetRendered(const std::string& name, const std::string& rendered_labels, double v);
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
