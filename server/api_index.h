// Index statistics and volumes (Loki's /index/stats, /index/volume and
// /index/volume_range).
//
// index/stats: `{"streams":N,"chunks":N,"bytes":N,"entries":N}` for the
// streams matching `query` (a stream selector) over [start, end): streams
// with at least one entry in range, the chunks read (a stream whose entries
// are all still in its head counts as one chunk), line bytes and entries.
// Computed by scanning the range (block metas let the scan skip blocks out
// of range); Grafana calls it on every keystroke, so it touches no pipeline.
//
// index/volume and index/volume_range: byte volumes (sum of line lengths)
// per label set as Loki's Prometheus-style JSON. `aggregateBy=series`
// (default) groups by the matcher label names (all labels for `{}`), or by
// `targetLabels` when given (streams lacking a target are skipped);
// `aggregateBy=labels` reports one series per label name `{name=""}`.
// Range volumes split [start, end] into step-aligned buckets, each
// timestamped at its end and limited to `limit` series (default 100) as Loki
// does; the result is a vector when no series has more than one sample, else
// a matrix. Series are sorted by their first value, descending, then by name.
#pragma once

#include "server/api_grafana.h"

namespace lode::server {

Response IndexStats(const GrafanaDeps& deps, const Request& req, const std::string& tenant);
Response IndexVolume(const GrafanaDeps& deps, const Request& req, const std::string& tenant);
Response IndexVolumeRange(const GrafanaDeps& deps, const Request& req, const std::string& tenant);

}  // namespace lode::server
