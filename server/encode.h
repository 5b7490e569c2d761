// Response encoding for the Loki HTTP API: a minimal streaming JSON writer
// for large responses (no DOM), Prometheus/Loki number and time formats, and
// the query result shapes (streams, vector, matrix, scalar with stats).
// Strings are escaped as Go's encoding/json does, with invalid UTF-8
// replaced by U+FFFD, so any stored line can be returned. Pure functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/labels.h"
#include "logql/engine.h"
#include "storage/reader.h"

namespace lode::server {

void AppendJsonString(std::string* out, std::string_view s);

// {"a":"1","b":"2"}
void AppendLabelsObject(std::string* out, const Labels& ls);

// Renders a float as Prometheus/Loki do in JSON values (strconv 'f', -1;
// NaN, +Inf, -Inf).
std::string FormatValue(double v);
// Sample timestamp in float seconds as Loki writes it (e.g. 1700000000.123).
std::string FormatSeconds(int64_t ns);

// Go's time.RFC3339Nano in UTC (trailing zeros of the fraction dropped).
std::string FormatRfc3339Nano(int64_t ns);

// "stats":{...} (the member, without braces around it) as Loki's query
// responses carry it.
void AppendStats(std::string* out, const logql::QueryStats& st, size_t entries_returned);

// {"status":"success","data":{"resultType":...,"result":[...],"stats":{...}}}
// as Loki's query and query_range answer; `categorize` adds the
// categorize-labels encoding (structuredMetadata and parsed per entry).
std::string EncodeQueryResult(const logql::QueryResult& r, bool categorize);

// With categorize-labels only indexed labels identify a stream: entries whose
// metadata or parsed labels differ are merged back into their stream, sorted
// in `dir`.
void MergeByStreamLabels(std::vector<logql::StreamResult>* streams, Direction dir);

// {"status":"success","data":["a","b"]}
std::string StringListJson(const std::vector<std::string>& v);

}  // namespace lode::server
