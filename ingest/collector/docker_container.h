// Internal to docker_source.cc and docker_container.cc: a followed
// container's state. Not an API.
#pragma once

#include <memory>
#include <string>

#include "ingest/collector/docker_source.h"

namespace lode::collector {

struct DockerSource::Container {
  std::string id, name;
  std::string key[2];  // stream keys of stdout and stderr
  Labels labels[2];
  bool tty = false;
  bool running = false;
  bool need_drain = false;    // read it once even if it is not running
  bool has_position = false;  // a position key exists (stored or published)
  DockerPosition handed;      // the positions published with the entries
  std::unique_ptr<DockerConnection> conn;
  FrameDemuxer demux;
  std::string raw;  // TTY: an incomplete line; non-200: the error body
  int64_t hw = 0;   // the newest timestamp read on the open stream
  int64_t retry_at = 0;
  uint64_t lines = 0;
  int64_t last_read_ns = 0;
  std::string last_error;
  struct Reader {
    DockerStreamPosition skip;  // stored: skip messages up to here
    uint64_t seen_at_skip = 0;
    DockerStreamPosition cur;  // after the last message consumed
    std::string partial;       // a message split by Docker, waiting for its end
    int64_t partial_ts = 0, partial_ns = 0;
    std::string group;  // multiline: the open entry
    size_t group_lines = 0;
    int64_t group_ts = 0, group_ns = 0;
    DockerStreamPosition group_end;
  } r[2];
};

}  // namespace lode::collector
