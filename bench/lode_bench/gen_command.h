// gen: writes a generated data set to a file, for feeding other tools or
// for checking what lode-bench sends, and measures generator speed.
//
// Formats (entries in timestamp order):
//   jsonl  {"ts":"<unix ns>","stream":{<labels>},"line":"<text>"} per line
//   raw    the log text only; multi-line entries span several lines, as in a
//          real log file
//   null   nothing is written; only the generation rate is reported
// The rate (lines/s, MB/s of line text) is printed on stderr.
#pragma once

#include <cstdio>
#include <string>

#include "bench/lode_bench/dataset.h"

namespace lode::bench {

// Returns false if writing failed (other than the reader closing the pipe).
bool RunGen(const DatasetOptions& data, const std::string& format, FILE* out);

// Appends `text` as the body of a JSON string (without quotes).
void AppendJsonEscaped(std::string_view text, std::string* out);

}  // namespace lode::bench
