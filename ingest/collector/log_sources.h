// Log sources: what the file collector tails, as declared in log-sources.yml
// files (or answered by a log_sources_http URL).
//
//   log_sources:
//     - name: data-store                 # unique over all files; [A-Za-z0-9_.-]+
//       path: ../data-store/logs         # a directory (globs allowed), relative to this file
//       labels: {module: data-store}     # added to every entry
//       patterns: ["*.log"]              # file names to tail (default ["*.log"])
//       exclude: ["*.gz"]                # file names to skip (default none)
//       start_at: beginning              # beginning | end, for files seen the first time
//       labels_from_path: '(?P<service>[^/]+)\.log$'   # named captures become labels
//       multiline: {firstline: '^\d{4}-', max_lines: 128, max_wait: 3s}
//       timestamp: auto                  # auto | read_time | {field: ts, format: rfc3339}
//
// Parsing validates everything a collector would otherwise discover late:
// regexes compile, label names are valid, durations parse. An error names the
// file, the line and the key, e.g.
//   `log-sources.yml:7: log_sources[1].labels: invalid label name "my-label"`.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/labels.h"
#include "base/status.h"

namespace lode::collector {

struct MultilineOptions {
  std::string firstline;                   // RE2; a matching line starts a new entry
  size_t max_lines = 128;                  // lines per entry at most
  int64_t max_wait_ns = 3LL * 1000000000;  // an entry waits this long for more lines
};

struct TimestampOptions {
  enum class Mode { kAuto, kReadTime, kField };
  Mode mode = Mode::kAuto;
  std::string field;   // kField: JSON key or logfmt key
  std::string format;  // kField: rfc3339 | python | unix | unix_ms | unix_us | unix_ns
};

struct LogSource {
  std::string name;
  std::string origin;  // the log-sources file or URL that declared it
  std::string path;    // absolute directory, may hold glob characters
  Labels labels;       // sorted
  std::vector<std::string> patterns{"*.log"};
  std::vector<std::string> exclude;
  bool start_at_end = false;
  std::string labels_from_path;  // RE2 with named groups, matched against the file's path
  bool has_multiline = false;
  MultilineOptions multiline;
  TimestampOptions timestamp;

  bool operator==(const LogSource& o) const;
};

// Parses one log-sources file; relative paths are resolved against the
// file's directory. Appends to *out.
Status ParseLogSourcesFile(const std::string& file, std::vector<LogSource>* out);

// Same for YAML text; `origin` names it in errors and `base_dir` resolves paths.
Status ParseLogSourcesYaml(const std::string& text, const std::string& origin,
                           const std::string& base_dir, std::vector<LogSource>* out);

// A log_sources_http answer: a JSON array of {name, type: "file", path,
// labels, patterns, ...same optional keys}. Paths must be absolute.
Status ParseLogSourcesJson(const std::string& body, const std::string& origin,
                           std::vector<LogSource>* out);

// Expands shell globs into absolute paths, sorted, duplicates removed. A
// pattern without a match expands to nothing (files may appear later: the
// collector re-expands every second); a plain path is kept even when missing,
// so that it is reported by name.
std::vector<std::string> ExpandLogSourcesGlobs(const std::vector<std::string>& args);

// Rejects two sources with one name. Errors name both origins.
Status CheckUniqueNames(const std::vector<LogSource>& sources);

// Go-style duration: `500ms`, `3s`, `1m30s`. False on error.
bool ParseSimpleDuration(const std::string& s, int64_t* ns);

}  // namespace lode::collector
