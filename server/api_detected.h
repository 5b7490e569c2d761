// Detected labels and fields (Loki's /detected_labels, /detected_fields,
// /detected_field/<name>/values) and the Logs Drilldown configuration
// (/drilldown-limits).
//
// detected_labels: every label name of the streams matching the optional
// selector `query` over [start, end) with its cardinality, as
// `{"detectedLabels":[{"label":"app","cardinality":3}]}` sorted by name.
// As in Loki, a label whose values are all numbers or UUIDs is left out
// (unless it only takes the values 0 and 1), except the static labels
// cluster, namespace, instance and pod.
//
// detected_fields: runs `query` (a log query, pipeline allowed) backward
// for the newest `line_limit` (default 1000) lines, then for each line takes
// its structured metadata (parsers null; with `detected_level`, which Loki's
// distributor stores there), the labels added by the query's
// own parsers, and what `| json` finds in the line, else what `| logfmt`
// finds (parsers ["json"] / ["logfmt"]; jsonPath: the key path of a json
// field). Each field gets its exact distinct-value count as cardinality and
// the type of the last value seen (int, float, boolean, duration, bytes,
// string, in Loki's order of precedence). At most `limit` fields (default
// 1000, alias field_limit). Response
// `{"fields":[{"label":..,"type":..,"cardinality":..,"parsers":..,"jsonPath":[..]}],"limit":N}`,
// sorted by label; `limit` is omitted when no field was found, as in Loki.
//
// detected_field/<name>/values: the distinct values of that field over the
// same lines, sorted, at most `limit`: `{"values":[..],"limit":N}`. Byte
// sizes are normalised as Loki does ("1024KB" -> "1MB").
#pragma once

#include "server/api_grafana.h"

namespace lode::server {

Response DetectedLabels(const GrafanaDeps& deps, const Request& req, const std::string& tenant);
Response DetectedFields(const GrafanaDeps& deps, const Request& req, const std::string& tenant);
Response DetectedFieldValues(const GrafanaDeps& deps, const Request& req,
                             const std::string& tenant);

// The tenant's limits in the shape the Logs Drilldown app reads:
// `{"limits":{...},"pattern_ingester_enabled":true,"version":"..."}`
// (retention from the tenant's overrides, durations as Prometheus prints them).
Response DrilldownLimits(const GrafanaDeps& deps, const Request& req, const std::string& tenant);

}  // namespace lode::server
