// DockerSource's reading of one container's log stream: frames or raw TTY
// lines → messages (`<RFC 3339 nano> <text>`), the per-stream skip of what is
// already stored, Docker's 16 KiB splits joined, multiline groups, entries
// into the outbox, and the positions they reach (docker_source.h).
#include "ingest/collector/docker_container.h"

#include <chrono>

#include "ingest/collector/timestamp.h"

namespace lode::collector {

namespace {

constexpr int64_t kSec = 1000000000;
// How much later than a message of one stream a message of the other stream
// stamped before it may still be written (Docker stamps stdout and stderr in
// two goroutines). A stream with nothing held is positioned this far behind
// the newest message read, so that a lode restart re-reads seconds, not the
// container's whole history.
constexpr int64_t kReorderMarginNs = 10 * kSec;

}  // namespace

void DockerSource::Emit(Container* c, int s, std::string_view text, int64_t docker_ts,
                        DockerStreamPosition end) {
  int64_t ts = docker_ts;
  if (cfg_.line_timestamp) {
    int64_t t;
    if (ExtractTimestamp(cfg_.timestamp, text, &t)) ts = t;
  }
  auto& st = local_.streams[c->key[s]];
  if (st.labels.empty()) st.labels = c->labels[s];
  st.entries.push_back({ts, {local_.arena.size(), text.size()}});
  local_.arena.append(text);
  ++local_.entries;
  DockerStreamPosition& h = s == 0 ? c->handed.out : c->handed.err;
  if (h < end) h = end;
  dirty_.insert(c->id);
  ++c->lines;
}

void DockerSource::AddLine(Container* c, int s, std::string line, int64_t ts, int64_t now,
                           DockerStreamPosition end) {
  auto& r = c->r[s];
  if (!firstline_) {
    Emit(c, s, line, ts, end);
    return;
  }
  bool starts = RE2::PartialMatch(line, *firstline_);
  if (r.group_lines > 0 && (starts || r.group_lines >= cfg_.multiline.max_lines ||
                            r.group.size() + line.size() + 1 > max_entry_bytes_)) {
    Emit(c, s, r.group, r.group_ts, r.group_end);
    r.group.clear();
    r.group_lines = 0;
  }
  if (r.group_lines == 0) {
    r.group = std::move(line);
    r.group_ts = ts;
  } else {
    r.group += '\n';
    r.group += line;
  }
  ++r.group_lines;
  r.group_end = end;
  r.group_ns = now;
}

void DockerSource::OnMessage(Container* c, int s, std::string_view msg, bool complete,
                             int64_t now) {
  int64_t ts = 0;
  std::string_view text = msg;
  size_t sp = msg.find(' ');
  if (sp == std::string_view::npos || !ParseRfc3339(msg.substr(0, sp), &ts)) {
    ts = now;  // not Docker's format: keep the line, with the read time
  } else {
    text = msg.substr(sp + 1);
  }
  auto& r = c->r[s];
  if (ts < r.skip.ts) return;
  if (ts == r.skip.ts && r.seen_at_skip < r.skip.n) {
    ++r.seen_at_skip;
    return;
  }
  r.cur = ts == r.cur.ts ? DockerStreamPosition{ts, r.cur.n + 1} : DockerStreamPosition{ts, 1};
  if (ts > c->hw) c->hw = ts;
  if (r.partial.empty()) r.partial_ts = ts;
  r.partial_ns = now;
  r.partial.append(text);
  if (!complete && r.partial.size() <= max_entry_bytes_) return;
  std::string line = std::move(r.partial);
  r.partial.clear();
  if (!line.empty() && line.back() == '\n') line.pop_back();
  if (!line.empty() && line.back() == '\r') line.pop_back();
  AddLine(c, s, std::move(line), r.partial_ts, now, r.cur);
}

lode::Status DockerSource::OnLogData(Container* c, std::string_view data, int64_t now) {
  c->last_read_ns = now;
  {
    std::lock_guard<std::mutex> l(mu_);
    status_.bytes_read += data.size();
  }
  if (c->tty) {
    c->raw.append(data);
    size_t pos = 0, nl;
    while ((nl = c->raw.find('\n', pos)) != std::string::npos) {
      OnMessage(c, 0, std::string_view(c->raw).substr(pos, nl + 1 - pos), true, now);
      pos = nl + 1;
    }
    c->raw.erase(0, pos);
    if (c->raw.size() > max_entry_bytes_) {
      OnMessage(c, 0, c->raw, false, now);
      c->raw.clear();
    }
    return lode::Status::OK();
  }
  return c->demux.Feed(data, [&](int stream, std::string_view payload) {
    if (stream == 1 || stream == 2) {
      OnMessage(c, stream - 1, payload, !payload.empty() && payload.back() == '\n', now);
    } else if (stream == 3) {
      c->last_error = "docker: " + std::string(payload);
    }
  });
}

void DockerSource::FinishStream(Container* c, int64_t now, bool flush) {
  if (flush) {
    if (c->tty && !c->raw.empty()) OnMessage(c, 0, c->raw, true, now);
    for (int s = 0; s < 2; ++s) {
      auto& r = c->r[s];
      if (!r.partial.empty()) {
        std::string line = std::move(r.partial);
        r.partial.clear();
        AddLine(c, s, std::move(line), r.partial_ts, now, r.cur);
      }
      if (r.group_lines > 0) Emit(c, s, r.group, r.group_ts, r.group_end);
    }
  }
  for (int s = 0; s < 2; ++s) c->r[s] = Container::Reader();
  c->conn.reset();
  c->raw.clear();
  c->demux = FrameDemuxer();
  c->hw = 0;
}

void DockerSource::FlushTimers(int64_t now) {
  const int64_t wait = cfg_.multiline.max_wait_ns;
  for (auto& [id, cp] : containers_) {
    Container* c = cp.get();
    if (!c->conn) continue;
    for (int s = 0; s < 2; ++s) {
      auto& r = c->r[s];
      if (!r.partial.empty() && now - r.partial_ns >= wait) {
        std::string line = std::move(r.partial);
        r.partial.clear();
        AddLine(c, s, std::move(line), r.partial_ts, now, r.cur);
      }
      if (r.group_lines > 0 && now - r.group_ns >= wait) {
        Emit(c, s, r.group, r.group_ts, r.group_end);
        r.group.clear();
        r.group_lines = 0;
      }
    }
  }
}

DockerPosition DockerSource::Effective(const Container& c) const {
  DockerPosition p = c.handed;
  p.name = c.name;
  for (int s = 0; s < 2; ++s) {
    DockerStreamPosition& e = s == 0 ? p.out : p.err;
    if (!c.conn) continue;
    const auto& r = c.r[s];
    DockerStreamPosition floor;
    if (r.group_lines > 0) {
      floor.ts = r.group_ts;  // everything of this stream before the open entry is stored
    } else if (!r.partial.empty()) {
      floor.ts = r.partial_ts;
    } else if (c.hw > kReorderMarginNs) {
      floor.ts = c.hw - kReorderMarginNs;
    }
    if (e < floor) e = floor;
  }
  return p;
}

}  // namespace lode::collector
