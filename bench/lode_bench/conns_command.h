// conns: the connection-load benchmark. Opens --connections keep-alive
// connections to the server: most stay idle after one request, --pushers push
// a small batch every --push-interval, --queriers run a range query every
// second, for --duration. Reports p50/p99 push and query latency, errors,
// whether every idle connection was still served at the end, and whether
// every acknowledged line was stored (an instant count query).
#pragma once

#include "bench/lode_bench/args.h"

namespace lode::bench {

// Returns the exit code.
int RunConns(Args& args);

}  // namespace lode::bench
