// Log level discovery, with the rules of Loki 3's distributor
// (`discover_log_levels`): the level comes from a level stream label, else a
// level structured-metadata field, else OTLP's severity_number structured
// metadata, else the line itself (a JSON or logfmt
// `level`/`lvl`/`severity` field, else level keywords), normalised to trace,
// debug, info, warn, error, critical, fatal or unknown.
//
// lode computes it at query time instead of storing it: when a query refers
// to `detected_level` (Grafana's logs-volume query groups by it), the engine
// adds it to each entry's structured metadata before the pipeline runs, so
// queries that do not mention it see exactly the stored labels.
#pragma once

#include <string_view>

#include "base/labels.h"

namespace lode::logql {

// The normalised level of one entry (never empty; "unknown" when nothing is found).
std::string_view DetectLevel(const Labels& stream, const LabelView* md, size_t n_md,
                             std::string_view line);

}  // namespace lode::logql
