#include "bench/lode_bench/result_diff.h"

#include <cmath>
#include <cstdlib>
#include <map>
#include <set>

namespace lode::bench {
namespace {

using nlohmann::json;

class Diffs {
 public:
  explicit Diffs(size_t max) : max_(max) {}
  bool full() const { return out_.size() >= max_; }
  void Add(std::string text) {
    if (!full()) out_.push_back(std::move(text));
  }
  std::vector<std::string> Take() { return std::move(out_); }

 private:
  size_t max_;
  std::vector<std::string> out_;
};

std::string Short(const std::string& s, size_t n = 120) {
  return s.size() <= n ? s : s.substr(0, n) + "...";
}

std::string ScalarText(const json& v) { return v.is_string() ? v.get<std::string>() : v.dump(); }

double Number(const json& v) {
  if (v.is_number()) return v.get<double>();
  if (v.is_string()) return std::strtod(v.get_ref<const std::string&>().c_str(), nullptr);
  return NAN;
}

// A sample pair [time, "value"] as found in matrices and vectors.
struct Sample {
  double t;
  std::string v;
};

std::vector<Sample> Samples(const json& values) {
  std::vector<Sample> out;
  if (!values.is_array()) return out;
  for (const json& pair : values) {
    if (pair.is_array() && pair.size() >= 2) out.push_back({Number(pair[0]), ScalarText(pair[1])});
  }
  return out;
}

void CompareKeySets(const std::set<std::string>& a, const std::set<std::string>& b,
                    const char* what, Diffs* diffs) {
  for (const auto& key : a) {
    if (!b.count(key)) diffs->Add(std::string(what) + " only in A: " + Short(key));
  }
  for (const auto& key : b) {
    if (!a.count(key)) diffs->Add(std::string(what) + " only in B: " + Short(key));
  }
}

template <typename Map>
std::set<std::string> Keys(const Map& m) {
  std::set<std::string> keys;
  for (const auto& [k, v] : m) keys.insert(k);
  return keys;
}

void DiffStreams(const json& a, const json& b, Diffs* diffs) {
  using Entries = std::vector<std::pair<std::string, std::string>>;
  auto collect = [](const json& result) {
    std::map<std::string, Entries> streams;
    for (const json& s : result) {
      Entries& entries = streams[CanonicalLabels(s.value("stream", json::object()))];
      for (const json& e : s.value("values", json::array())) {
        if (e.is_array() && e.size() >= 2) entries.emplace_back(ScalarText(e[0]), ScalarText(e[1]));
      }
    }
    return streams;
  };
  auto sa = collect(a), sb = collect(b);
  CompareKeySets(Keys(sa), Keys(sb), "stream", diffs);
  for (const auto& [labels, ea] : sa) {
    auto it = sb.find(labels);
    if (it == sb.end() || diffs->full()) continue;
    const Entries& eb = it->second;
    if (ea.size() != eb.size()) {
      diffs->Add("stream " + Short(labels) + ": " + std::to_string(ea.size()) + " entries in A, " +
                 std::to_string(eb.size()) + " in B");
    }
    for (size_t i = 0; i < std::min(ea.size(), eb.size()); ++i) {
      if (ea[i] != eb[i]) {
        diffs->Add("stream " + Short(labels) + " entry " + std::to_string(i) + ": A [" +
                   ea[i].first + " " + Short(ea[i].second, 60) + "] B [" + eb[i].first + " " +
                   Short(eb[i].second, 60) + "]");
        break;
      }
    }
  }
}

void DiffSeries(const json& a, const json& b, bool vector, Diffs* diffs) {
  auto collect = [vector](const json& result) {
    std::map<std::string, std::vector<Sample>> series;
    for (const json& s : result) {
      auto& samples = series[CanonicalLabels(s.value("metric", json::object()))];
      auto more = vector ? Samples(json::array({s.value("value", json())}))
                         : Samples(s.value("values", json::array()));
      samples.insert(samples.end(), more.begin(), more.end());
    }
    return series;
  };
  auto sa = collect(a), sb = collect(b);
  CompareKeySets(Keys(sa), Keys(sb), "series", diffs);
  for (const auto& [labels, pa] : sa) {
    auto it = sb.find(labels);
    if (it == sb.end() || diffs->full()) continue;
    const auto& pb = it->second;
    if (pa.size() != pb.size()) {
      diffs->Add("series " + Short(labels) + ": " + std::to_string(pa.size()) + " samples in A, " +
                 std::to_string(pb.size()) + " in B");
    }
    for (size_t i = 0; i < std::min(pa.size(), pb.size()); ++i) {
      if (std::fabs(pa[i].t - pb[i].t) > 1e-6 || !SampleValuesEqual(pa[i].v, pb[i].v)) {
        char buf[128];
        snprintf(buf, sizeof(buf), " sample %zu: A [%.3f %s] B [%.3f %s]", i, pa[i].t,
                 pa[i].v.c_str(), pb[i].t, pb[i].v.c_str());
        diffs->Add("series " + Short(labels) + buf);
        break;
      }
    }
  }
}

void DiffDataArray(const json& a, const json& b, Diffs* diffs) {
  auto collect = [](const json& items) {
    std::set<std::string> out;
    for (const json& item : items) {
      out.insert(item.is_object() ? CanonicalLabels(item) : ScalarText(item));
    }
    return out;
  };
  bool objects = (!a.empty() && a[0].is_object()) || (!b.empty() && b[0].is_object());
  CompareKeySets(collect(a), collect(b), objects ? "series" : "value", diffs);
}

}  // namespace

std::string CanonicalLabels(const json& labels) {
  std::string out = "{";
  bool first = true;
  // nlohmann::json objects iterate in key order.
  for (auto it = labels.begin(); labels.is_object() && it != labels.end(); ++it) {
    if (!first) out += ", ";
    first = false;
    out += it.key() + "=" + json(ScalarText(it.value())).dump();
  }
  return out + "}";
}

bool SampleValuesEqual(const std::string& a, const std::string& b) {
  if (a == b) return true;
  double x = std::strtod(a.c_str(), nullptr), y = std::strtod(b.c_str(), nullptr);
  if (std::isnan(x) || std::isnan(y)) return std::isnan(x) && std::isnan(y);
  if (std::isinf(x) || std::isinf(y)) return x == y;
  double scale = std::max(std::fabs(x), std::fabs(y));
  return std::fabs(x - y) <= 1e-9 * scale || std::fabs(x - y) < 1e-12;
}

std::vector<std::string> DiffResponses(const json& a, const json& b, size_t max_diffs) {
  Diffs diffs(max_diffs);
  std::string status_a = a.value("status", std::string()),
              status_b = b.value("status", std::string());
  if (status_a != status_b) diffs.Add("status: A " + status_a + ", B " + status_b);
  const json data_a = a.value("data", json()), data_b = b.value("data", json());
  if (data_a.is_array() || data_b.is_array()) {
    if (!data_a.is_array() || !data_b.is_array()) {
      diffs.Add("data: an array in only one response");
    } else {
      DiffDataArray(data_a, data_b, &diffs);
    }
    return diffs.Take();
  }
  if (!data_a.is_object() || !data_b.is_object()) {
    if (data_a != data_b)
      diffs.Add("data differs: A " + Short(data_a.dump()) + " B " + Short(data_b.dump()));
    return diffs.Take();
  }
  std::string type_a = data_a.value("resultType", std::string());
  std::string type_b = data_b.value("resultType", std::string());
  if (type_a != type_b) {
    diffs.Add("resultType: A " + type_a + ", B " + type_b);
    return diffs.Take();
  }
  const json result_a = data_a.value("result", json()), result_b = data_b.value("result", json());
  if (type_a == "streams") {
    DiffStreams(result_a, result_b, &diffs);
  } else if (type_a == "matrix" || type_a == "vector") {
    DiffSeries(result_a, result_b, type_a == "vector", &diffs);
  } else {
    auto pa = Samples(json::array({result_a})), pb = Samples(json::array({result_b}));
    bool equal = pa.size() == pb.size() &&
                 (pa.empty() ? result_a == result_b : SampleValuesEqual(pa[0].v, pb[0].v));
    if (!equal)
      diffs.Add(type_a + ": A " + Short(result_a.dump()) + " B " + Short(result_b.dump()));
  }
  return diffs.Take();
}

}  // namespace lode::bench
