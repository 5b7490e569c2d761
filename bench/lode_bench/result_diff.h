// Result comparison for --check-results: are two servers' answers the same?
//
// Both arguments are parsed JSON bodies of Loki HTTP API responses to the
// same request. Rules:
//   streams  sets of label sets; for each, the entries (timestamp, line) in
//            the order returned must be identical
//   matrix   sets of series; the same timestamps, values equal within a
//            relative tolerance of 1e-9 (NaN equals NaN)
//   vector   the same, one sample per series
//   scalar / string  value equality (numeric tolerance as above)
//   data: [strings]  (labels, label values) compared as sets
//   data: [objects]  (series) compared as sets of label sets
// Statistics and other metadata are ignored. Thread-safe (pure functions).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace lode::bench {

// Returns the differences found, at most `max_diffs` (empty when equal).
std::vector<std::string> DiffResponses(const nlohmann::json& a, const nlohmann::json& b,
                                       size_t max_diffs = 10);

// Equality of two sample values given as Prometheus strings ("1.5", "NaN").
bool SampleValuesEqual(const std::string& a, const std::string& b);

// {a="x", b="y"}: a canonical text form of a JSON label object.
std::string CanonicalLabels(const nlohmann::json& labels);

}  // namespace lode::bench
