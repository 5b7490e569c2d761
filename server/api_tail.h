// Live tail (Loki's GET /loki/api/v1/tail, a WebSocket; GET /api/prom/tail
// is the same session with Loki's legacy frames, see EncodeLegacyFrame).
//
// Parameters: `query` (a log query), `limit` (default 100), `start` (default
// now - 1h), `delay_for` (0-5 s). They are validated before the upgrade, so a
// bad request gets a plain HTTP 400 with Loki's message; a request without
// the upgrade headers gets 400 as well.
//
// The session first sends the newest `limit` entries in [start, now -
// delay_for], oldest first, then polls the store every 250 ms for entries up
// to now - delay_for and sends the new ones as one text frame per poll:
//   {"streams":[{"stream":{..},"values":[["<ns>","line"],..]}],
//    "dropped_entries":[{"timestamp":"<ns>","labels":{..}}]}
// (`dropped_entries` only when some were dropped; with
// `X-Loki-Response-Encoding-Flags: categorize-labels` the stream holds the
// indexed labels and each value a third element with `structuredMetadata`
// and `parsed`, plus `"encodingFlags":["categorize-labels"]`).
//
// Polling never touches the write path, so a tail cannot slow ingest. Each
// poll re-reads a 5 s look-back window so entries that arrive a little late
// (or out of order) are still sent; entries already sent are remembered by
// (timestamp, labels, line) and never sent twice. Entries that arrive later
// than the look-back window behind the newest sent one are missed. A slow
// consumer (a frame took more than 1 s to send) or one that fell more than
// 30 s behind (more than 5000 new entries per poll for a while) skips ahead
// to the look-back window: the skipped entries are reported in
// `dropped_entries` (up to 1000 per frame). The session ends when the
// client closes the connection.
#pragma once

#include "server/api_grafana.h"

namespace lode::server {

void RegisterTail(HttpServer* http, const GrafanaDeps& deps);

}  // namespace lode::server
