// Args: command-line options of lode-bench and the value syntaxes they use.
//
// Options are "--name value" or "--name=value"; anything not starting with
// "--" is positional. Accessors return the default when the option is absent
// and record a message in errors() when the value does not parse; callers
// check errors() (and Unused(), for misspelt options) once after reading all
// options. Not thread-safe (single-threaded start-up only).
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace lode::bench {

class Args {
 public:
  // Parses argv[first..argc). `flags` are options that take no value.
  Args(int argc, char** argv, int first, const std::set<std::string>& flags = {});

  bool Has(const std::string& name) const;
  std::string String(const std::string& name, const std::string& fallback = "");
  uint64_t Count(const std::string& name, uint64_t fallback);     // 1000, 10k, 1M, 1e6
  uint64_t Bytes(const std::string& name, uint64_t fallback);     // 1048576, 1MiB, 512KiB
  int64_t DurationNs(const std::string& name, int64_t fallback);  // 24h, 1h30m, 500ms
  int64_t TimeNs(const std::string& name, int64_t fallback);      // Unix s or RFC 3339
  bool Flag(const std::string& name);

  const std::vector<std::string>& positional() const { return positional_; }
  const std::vector<std::string>& errors() const { return errors_; }
  // Options given on the command line that no accessor asked for.
  std::vector<std::string> Unused() const;
  // All options as given, for recording in results.
  const std::map<std::string, std::string>& all() const { return values_; }

 private:
  std::map<std::string, std::string> values_;
  std::set<std::string> used_;
  std::vector<std::string> positional_;
  std::vector<std::string> errors_;
};

// Value parsers; each returns false on malformed input.
bool ParseDurationNs(std::string_view text, int64_t* out);
bool ParseTimeNs(std::string_view text, int64_t* out);
bool ParseCount(std::string_view text, uint64_t* out);
bool ParseBytes(std::string_view text, uint64_t* out);

// Formats a duration in Go/Prometheus syntax, e.g. 3600e9 -> "1h", 90e9 -> "1m30s".
std::string FormatDuration(int64_t ns);

}  // namespace lode::bench
