// files: the file collector's benchmark. Appends generated lines to --files
// log files (in --dir, which lode must collect: `lode --log-sources` with a
// source for that directory) as fast as possible or at --rate lines/s, then
// polls lode's /collector/status until every line is read and committed.
// Reports lines/s end to end, how long after the last write lode had stored
// everything, and lode's CPU (with --pid). --idle DURATION then measures
// lode's CPU while the files stay idle. With --agent URL (a `lode agent`
// collecting --dir and shipping to lode), done means acknowledged by the
// agent's target (its lode_agent_acked_lines_total); --agent-pid adds the
// agent's CPU and RSS (peak while shipping, and after --idle).
#pragma once

#include "bench/lode_bench/args.h"

namespace lode::bench {

// Returns the exit code.
int RunFiles(Args& args);

}  // namespace lode::bench
