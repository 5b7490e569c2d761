// Human-readable summary of a results document (as written with --out),
// printed at the end of ingest/query/all. Pure functions; thread-safe.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace lode::bench {

std::string SummaryText(const nlohmann::json& results);

// True if any push or query failed or --check-results found differences.
bool HasFailures(const nlohmann::json& results);

}  // namespace lode::bench
