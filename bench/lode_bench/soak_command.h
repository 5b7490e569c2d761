// `lode-bench soak`: a long run at a steady, modest load that watches the
// server for leaks and errors while retention and compaction run.
//
//   lode-bench soak --duration 30m --lode build/lode   (starts lode itself)
//   lode-bench soak --duration 30m --url URL --pid PID [--data-dir DIR]
//
// One pusher thread sends `--rate` lines/s (10 snappy-protobuf pushes a
// second, spread over `--streams` streams of the bench data set, timestamps =
// now) and one querier thread runs `--qps` queries/s, cycling through a log
// query, an instant and a range metric query, labels, label values and
// series over the last minutes. With --lode, lode runs with a short
// retention_period (`--retention`, default 2m) and compaction_interval
// (`--compaction-interval`, default 30s), so expiry and compaction run all
// the time; with --url, configure the server so yourself.
//
// Every `--report` (30s) it prints a Markdown table row: elapsed time, lines
// pushed, RSS of the server, data-dir bytes, p50/p99 push and query latency
// of that interval, failed requests. At the end a verdict: the median RSS
// (sampled every second) over the last 5 minutes is at most `--max-growth`
// (10%) above the median over the 5 minutes after `--warmup` (default: a
// sixth of the duration), and no request failed. (Windows are shorter for
// short runs: a quarter of the time after warm-up.) Exit 0 when the verdict is PASS, 1 otherwise, 2 on a usage
// error. `--out FILE` writes every row and the verdict as JSON.
#pragma once

#include "bench/lode_bench/args.h"

namespace lode::bench {

int RunSoak(Args& args);

}  // namespace lode::bench
