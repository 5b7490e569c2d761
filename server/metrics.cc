#include "server/metrics.h"

#include <cstdio>

#include "server/encode.h"

namespace lode::server {

namespace {
const double kBuckets[] = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
                           0.25,  0.5,    1,     2.5,  5,     10,   30};
constexpr size_t kNumBuckets = sizeof(kBuckets) / sizeof(kBuckets[0]);

std::string RenderLabels(const MetricLabels& labels) {
  std::string out;
  for (const auto& [k, v] : labels) {
    if (!out.empty()) out.push_back(',');
    out += k + "=\"" + EscapeLabelValue(v) + "\"";
  }
  return out;
}

}  // namespace

std::string EscapeLabelValue(const std::string& v) {
  std::string out;
  out.reserve(v.size());
  for (char c : v) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '"':
        out += "\\\"";
        break;
      case '\n':
        out += "\\n";
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

void Metrics::Add(const std::string& name, const MetricLabels& labels, double v) {
  std::string key = RenderLabels(labels);
  std::lock_guard<std::mutex> l(mu_);
  values_[name][key] += v;
}

void Metrics::Set(const std::string& name, const MetricLabels& labels, double v) {
  std::string key = RenderLabels(labels);
  std::lock_guard<std::mutex> l(mu_);
  values_[name][key] = v;
}

void Metrics::SetRendered(const std::string& name, const std::string& rendered_labels, double v) {
  std::lock_guard<std::mutex> l(mu_);
  values_[name][rendered_labels] = v;
}

void Metrics::Observe(const std::string& name, const MetricLabels& metric_labels, double v) {
  std::string labels = RenderLabels(metric_labels);
  std::lock_guard<std::mutex> l(mu_);
  Hist& h = hists_[name][labels];
  if (h.buckets.empty()) h.buckets.assign(kNumBuckets, 0);
  for (size_t i = 0; i < kNumBuckets; ++i)
    if (v <= kBuckets[i]) h.buckets[i]++;
  h.count++;
  h.sum += v;
}

void Metrics::Help(const std::string& name, const std::string& type, const std::string& help) {
  std::lock_guard<std::mutex> l(mu_);
  help_[name] = {type, help};
}

std::string Metrics::Render() {
  std::lock_guard<std::mutex> l(mu_);
  std::string out;
  auto header = [&](const std::string& name, const char* def_type) {
    auto h = help_.find(name);
    if (h != help_.end()) {
      out += "# HELP " + name + " " + h->second.second + "\n";
      out += "# TYPE " + name + " " + h->second.first + "\n";
    } else {
      out += "# TYPE " + name + " " + def_type + "\n";
    }
  };
  for (const auto& [name, series] : values_) {
    header(name, "untyped");
    for (const auto& [labels, v] : series)
      out += name + (labels.empty() ? "" : "{" + labels + "}") + " " + FormatValue(v) + "\n";
  }
  for (const auto& [name, series] : hists_) {
    header(name, "histogram");
    for (const auto& [labels, h] : series) {
      std::string sep = labels.empty() ? "" : labels + ",";
      for (size_t i = 0; i < kNumBuckets; ++i)
        out += name + "_bucket{" + sep + "le=\"" + FormatValue(kBuckets[i]) + "\"} " +
               std::to_string(h.buckets[i]) + "\n";
      out += name + "_bucket{" + sep + "le=\"+Inf\"} " + std::to_string(h.count) + "\n";
      out += name + "_sum" + (labels.empty() ? "" : "{" + labels + "}") + " " + FormatValue(h.sum) +
             "\n";
      out += name + "_count" + (labels.empty() ? "" : "{" + labels + "}") + " " +
             std::to_string(h.count) + "\n";
    }
  }
  return out;
}

}  // namespace lode::server
