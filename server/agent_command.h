// `lode agent`: the command-line front of agent/agent.h. Parses the flags
// and the agent: keys of --config, runs the agent and serves its /metrics,
// /ready and /collector/status on --listen (default 0.0.0.0:9080, as
// Promtail) until SIGTERM or SIGINT.
//
//   lode agent --log-sources FILE... [--docker] --push-url URL [--tenant T]
//              [--data-dir DIR] [--listen ADDR:PORT] [--config FILE]
#pragma once

namespace lode::server {

// argv[1] is "agent". Returns the exit code.
int RunAgentCommand(int argc, char** argv);

}  // namespace lode::server
