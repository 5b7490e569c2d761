#include "ingest/collector/docker_source.h"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cinttypes>
#include <nlohmann/json.hpp>

#include "ingest/collector/docker_container.h"

namespace lode::collector {

namespace {

constexpr int64_t kMs = 1000000;
constexpr int64_t kSec = 1000000000;
constexpr size_t kMaxOutboxBytes = 8 << 20;
constexpr int kRequestTimeoutMs = 10000;
const char* const kStreamName[2] = {"stdout", "stderr"};

int64_t WallNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Docker's error answers are {"message": "..."}.
std::string ErrorMessage(int status, const std::string& body) {
  auto j = nlohmann::json::parse(body, nullptr, false);
  std::string msg = body;
  if (!j.is_discarded() && j.is_object() && j.contains("message") && j["message"].is_string())
    msg = j["message"].get<std::string>();
  while (!msg.empty() && (msg.back() == '\n' || msg.back() == '\r')) msg.pop_back();
  return "HTTP " + std::to_string(status) + ": " + msg;
}

void AppendOutput(DockerOutput* dst, DockerOutput* src) {
  size_t base = dst->arena.size();
  if (dst->arena.empty()) {
    dst->arena = std::move(src->arena);
  } else {
    dst->arena.append(src->arena);
  }
  for (auto& [key, s] : src->streams) {
    auto& d = dst->streams[key];
    if (d.labels.empty()) d.labels = std::move(s.labels);
    for (auto& e : s.entries)
      d.entries.push_back({e.first, {e.second.first + base, e.second.second}});
  }
  for (auto& [k, v] : src->state) dst->state[k] = std::move(v);
  dst->entries += src->entries;
  *src = DockerOutput();
}

std::string ShortId(const std::string& id) { return id.substr(0, 12); }

}  // namespace

DockerSource::DockerSource(DockerSourceConfig cfg, size_t max_entry_bytes,
                           std::map<std::string, DockerPosition> positions,
                           std::function<void(const std::string&)> log, std::function<void()> wake)
    : cfg_(std::move(cfg)),
      max_entry_bytes_(max_entry_bytes),
      log_(std::move(log)),
      wake_(std::move(wake)),
      stored_(std::move(positions)) {
  if (cfg_.has_multiline) firstline_ = std::make_unique<RE2>(cfg_.multiline.firstline);
  Status st = ParseDockerHost(cfg_.host, &socket_path_);
  if (!st.ok()) last_error_ = st.message();
  if (pipe2(wake_pipe_, O_NONBLOCK | O_CLOEXEC) != 0) wake_pipe_[0] = wake_pipe_[1] = -1;
  status_.name = cfg_.name;
  status_.host = cfg_.host;
  status_.last_error = last_error_;
}

DockerSource::~DockerSource() {
  Stop();
  for (int fd : wake_pipe_) {
    if (fd >= 0) close(fd);
  }
}

void DockerSource::Start() {
  if (!socket_path_.empty()) thread_ = std::thread([this] { Run(); });
}

void DockerSource::Stop() {
  {
    std::lock_guard<std::mutex> l(mu_);
    stop_ = true;
  }
  if (wake_pipe_[1] >= 0) {
    char c = 1;
    (void)!write(wake_pipe_[1], &c, 1);
  }
  if (thread_.joinable()) thread_.join();
}

void DockerSource::Drain(DockerOutput* out) {
  std::lock_guard<std::mutex> l(mu_);
  if (!outbox_.empty()) AppendOutput(out, &outbox_);
}

DockerSourceStatus DockerSource::StatusSnapshot() {
  std::lock_guard<std::mutex> l(mu_);
  return status_;
}

void DockerSource::SetError(const std::string& err) {
  if (err != last_error_) {
    log_("collector: docker source " + cfg_.name + ": " + err + " (retrying)");
    std::lock_guard<std::mutex> l(mu_);
    ++status_.errors;
  }
  last_error_ = err;
}

void DockerSource::Disconnected(const lode::Status& st, int64_t now) {
  events_.reset();
  events_buf_.clear();
  for (auto& [id, c] : containers_) {
    if (c->conn) FinishStream(c.get(), now, false);
  }
  checked_.clear();
  SetError(st.message());
  int64_t cap = std::min<int64_t>(30 * kSec, std::max<int64_t>(kSec, cfg_.refresh_ns));
  backoff_ns_ = backoff_ns_ ? std::min(backoff_ns_ * 2, cap) : kSec;
  retry_at_ = now + backoff_ns_;
  std::lock_guard<std::mutex> l(mu_);
  status_.connected = false;
  status_.last_error = last_error_;
}

lode::Status DockerSource::Connect(int64_t now) {
  nlohmann::json f = {{"type", {"container"}},
                      {"event", {"start", "restart", "die", "stop", "destroy"}}};
  auto lf = cfg_.filters.find("label");
  if (lf != cfg_.filters.end()) f["label"] = lf->second;
  LODE_RETURN_IF_ERROR(DockerConnection::Open(
      socket_path_, "/events?filters=" + UrlEncode(f.dump()), kRequestTimeoutMs, &events_));
  int status = 0;
  std::string body, version;
  LODE_RETURN_IF_ERROR(
      DockerGet(socket_path_, "/version", kRequestTimeoutMs, 1 << 20, &status, &body));
  if (status != 200)
    return lode::Status::IOError("docker: GET /version: " + ErrorMessage(status, body));
  auto j = nlohmann::json::parse(body, nullptr, false);
  if (!j.is_discarded() && j.contains("Version") && j["Version"].is_string())
    version = j["Version"].get<std::string>();
  LODE_RETURN_IF_ERROR(Relist(now));
  size_t n = containers_.size();
  log_("collector: docker source " + cfg_.name + ": connected to " + cfg_.host + " (Docker " +
       version + ", " + std::to_string(n) + " matching containers)");
  last_error_.clear();
  backoff_ns_ = 0;
  std::lock_guard<std::mutex> l(mu_);
  status_.connected = true;
  status_.last_error.clear();
  status_.version = version;
  return lode::Status::OK();
}

lode::Status DockerSource::Inspect(Container* c, bool* gone) {
  *gone = false;
  int status = 0;
  std::string body;
  LODE_RETURN_IF_ERROR(DockerGet(socket_path_, "/containers/" + c->id + "/json", kRequestTimeoutMs,
                                 16 << 20, &status, &body));
  if (status == 404) {
    *gone = true;
    return lode::Status::OK();
  }
  if (status != 200)
    return lode::Status::IOError("docker: inspect " + ShortId(c->id) + ": " +
                                 ErrorMessage(status, body));
  auto j = nlohmann::json::parse(body, nullptr, false);
  if (!j.is_discarded() && j.contains("Config") && j["Config"].is_object() &&
      j["Config"].contains("Tty") && j["Config"]["Tty"].is_boolean())
    c->tty = j["Config"]["Tty"].get<bool>();
  return lode::Status::OK();
}

lode::Status DockerSource::Relist(int64_t now) {
  std::string target = "/containers/json?all=1";
  std::string fj = DockerFiltersJson(cfg_.filters);
  if (!fj.empty()) target += "&filters=" + UrlEncode(fj);
  int status = 0;
  std::string body;
  LODE_RETURN_IF_ERROR(
      DockerGet(socket_path_, target, kRequestTimeoutMs, 64 << 20, &status, &body));
  if (status != 200)
    return lode::Status::IOError("docker: GET /containers/json: " + ErrorMessage(status, body));
  auto j = nlohmann::json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_array())
    return lode::Status::IOError("docker: GET /containers/json: not a JSON array");
  std::set<std::string> listed;
  for (const auto& item : j) {
    if (!item.is_object() || !item.contains("Id") || !item["Id"].is_string()) continue;
    std::string id = item["Id"].get<std::string>();
    std::string name;
    if (item.contains("Names") && item["Names"].is_array() && !item["Names"].empty() &&
        item["Names"][0].is_string())
      name = item["Names"][0].get<std::string>();
    if (!name.empty() && name[0] == '/') name.erase(0, 1);
    if (name.empty()) name = ShortId(id);
    std::map<std::string, std::string> clabels;
    if (item.contains("Labels") && item["Labels"].is_object()) {
      for (auto it = item["Labels"].begin(); it != item["Labels"].end(); ++it) {
        if (it.value().is_string()) clabels[it.key()] = it.value().get<std::string>();
      }
    }
    std::string state =
        item.contains("State") && item["State"].is_string() ? item["State"].get<std::string>() : "";
    auto& slot = containers_[id];
    if (!slot) {
      auto c = std::make_unique<Container>();
      c->id = id;
      bool gone = false;
      lode::Status st = Inspect(c.get(), &gone);
      if (!st.ok() || gone) {
        containers_.erase(id);
        if (!st.ok()) return st;
        continue;
      }
      auto pos = stored_.find(id);
      if (pos != stored_.end()) {
        c->handed = pos->second;
        c->has_position = true;
        c->need_drain = true;  // it may have logged while lode was away
        stored_.erase(pos);
      }
      slot = std::move(c);
    }
    Container* c = slot.get();
    listed.insert(id);
    if (started_.erase(id)) c->need_drain = true;
    c->running = state == "running" || state == "paused";
    if (c->name != name || c->key[0].empty()) {
      c->name = name;
      Labels base = cfg_.labels;
      for (const auto& [ln, cl] : cfg_.labels_from_container_labels) {
        auto it = clabels.find(cl);
        if (it != clabels.end() && !it->second.empty()) base.push_back({ln, it->second});
      }
      base.push_back({"container", name});
      auto svc = clabels.find("com.docker.compose.service");
      if (svc != clabels.end() && !svc->second.empty())
        base.push_back({"compose_service", svc->second});
      auto prj = clabels.find("com.docker.compose.project");
      if (prj != clabels.end() && !prj->second.empty())
        base.push_back({"compose_project", prj->second});
      for (int s = 0; s < 2; ++s) {
        c->labels[s] = base;
        c->labels[s].push_back({"stream", kStreamName[s]});
        SortLabels(&c->labels[s]);
        c->key[s] = LabelsToString(c->labels[s]);
      }
    }
  }
  // Not listed: removed (forget it and its position) or filtered out.
  std::vector<std::string> unlisted;
  for (const auto& [id, c] : containers_) {
    if (!listed.count(id) && !c->conn && checked_.insert(id).second) unlisted.push_back(id);
  }
  for (const auto& [id, p] : stored_) {
    if (checked_.insert(id).second) unlisted.push_back(id);
  }
  for (const auto& id : unlisted) {
    Container probe;
    probe.id = id;
    bool gone = false;
    LODE_RETURN_IF_ERROR(Inspect(&probe, &gone));
    if (gone) Remove(id);
  }
  relist_ = false;
  next_list_ = now + cfg_.refresh_ns;
  return lode::Status::OK();
}

void DockerSource::Remove(const std::string& id) {
  std::string key = DockerPositionKey(cfg_.name, id);
  auto it = containers_.find(id);
  if (it != containers_.end()) {
    if (it->second->has_position) local_.state[key] = "";
    containers_.erase(it);
  }
  if (stored_.erase(id)) local_.state[key] = "";
  started_.erase(id);
  dirty_.erase(id);
}

void DockerSource::OpenStreams(int64_t now) {
  for (auto& [id, cp] : containers_) {
    Container* c = cp.get();
    if (c->conn || now < c->retry_at || (!c->running && !c->need_drain)) continue;
    std::string target = "/containers/" + id + "/logs?follow=1&stdout=1&stderr=1&timestamps=1";
    int64_t since = std::min(c->handed.out.ts, c->handed.err.ts);
    if (since > 0) {
      char b[48];
      std::snprintf(b, sizeof b, "&since=%" PRId64 ".%09" PRId64, since / kSec, since % kSec);
      target += b;
    }
    lode::Status st = DockerConnection::Open(socket_path_, target, kRequestTimeoutMs, &c->conn);
    if (!st.ok()) {
      Disconnected(st, now);
      return;
    }
    for (int s = 0; s < 2; ++s) {
      c->r[s] = Container::Reader();
      c->r[s].skip = c->r[s].cur = s == 0 ? c->handed.out : c->handed.err;
    }
    c->demux = FrameDemuxer();
    c->raw.clear();
    c->hw = 0;
    c->need_drain = false;
    c->last_error.clear();
  }
}

void DockerSource::Publish(int64_t now) {
  for (const auto& id : dirty_) {
    auto it = containers_.find(id);
    if (it == containers_.end()) continue;
    Container* c = it->second.get();
    DockerPosition p = Effective(*c);
    c->handed.out = p.out;
    c->handed.err = p.err;
    c->has_position = true;
    local_.state[DockerPositionKey(cfg_.name, id)] = EncodeDockerPosition(p);
  }
  dirty_.clear();
  bool woke = false;
  {
    std::lock_guard<std::mutex> l(mu_);
    if (!local_.empty()) {
      woke = outbox_.empty();
      status_.lines_read += local_.entries;
      AppendOutput(&outbox_, &local_);
    }
    if (now - status_ns_ >= 250 * kMs) {
      status_ns_ = now;
      status_.following = 0;
      status_.containers.clear();
      for (const auto& [id, c] : containers_) {
        DockerContainerStatus cs;
        cs.id = ShortId(id);
        cs.name = c->name;
        cs.labels = c->key[0];
        cs.last_error = c->last_error;
        cs.running = c->running;
        cs.following = c->conn != nullptr;
        cs.tty = c->tty;
        cs.lines = c->lines;
        cs.last_read_ns = c->last_read_ns;
        cs.position_ns = std::max(c->handed.out.ts, c->handed.err.ts);
        status_.following += cs.following;
        status_.containers.push_back(std::move(cs));
      }
    }
  }
  if (woke && wake_) wake_();
}

void DockerSource::OnEvents(const std::string& data) {
  events_buf_.append(data);
  size_t pos = 0, nl;
  while ((nl = events_buf_.find('\n', pos)) != std::string::npos) {
    auto j = nlohmann::json::parse(events_buf_.substr(pos, nl - pos), nullptr, false);
    pos = nl + 1;
    if (j.is_discarded() || !j.is_object()) continue;
    std::string action = j.value("Action", j.value("status", ""));
    std::string id = j.value("id", "");
    if (id.empty() && j.contains("Actor") && j["Actor"].is_object())
      id = j["Actor"].value("ID", "");
    if (id.empty()) continue;
    if (action == "start" || action == "restart") {
      auto it = containers_.find(id);
      if (it != containers_.end()) {
        it->second->need_drain = true;
      } else {
        started_.insert(id);
      }
      relist_ = true;
    } else if (action == "destroy") {
      auto it = containers_.find(id);
      if (it != containers_.end() && it->second->conn) {
        // Read to its end first; the listing forgets it afterwards.
        relist_ = true;
        continue;
      }
      Remove(id);
    } else {
      relist_ = true;
    }
  }
  events_buf_.erase(0, pos);
}

int64_t DockerSource::NextDeadline(int64_t now) const {
  int64_t d = now + kSec;
  if (events_) d = std::min(d, next_list_);
  const int64_t wait = cfg_.multiline.max_wait_ns;
  for (const auto& [id, c] : containers_) {
    if (c->conn) {
      for (const auto& r : c->r) {
        if (!r.partial.empty()) d = std::min(d, r.partial_ns + wait);
        if (r.group_lines > 0) d = std::min(d, r.group_ns + wait);
      }
    } else if (c->running || c->need_drain) {
      d = std::min(d, c->retry_at);
    }
  }
  return std::max(d, now);
}

void DockerSource::PollOnce(int64_t now) {
  std::vector<pollfd> fds;
  std::vector<Container*> owners;
  fds.push_back({wake_pipe_[0], POLLIN, 0});
  if (events_) fds.push_back({events_->fd(), POLLIN, 0});
  size_t first_container = fds.size();
  bool full;
  {
    std::lock_guard<std::mutex> l(mu_);
    full = outbox_.arena.size() >= kMaxOutboxBytes;
  }
  if (!full) {
    for (auto& [id, c] : containers_) {
      if (!c->conn) continue;
      fds.push_back({c->conn->fd(), POLLIN, 0});
      owners.push_back(c.get());
    }
  }
  int timeout_ms = full ? 20 : static_cast<int>((NextDeadline(now) - now + kMs - 1) / kMs);
  if (poll(fds.data(), fds.size(), timeout_ms) <= 0) return;
  if (fds[0].revents) {
    char b[64];
    while (read(wake_pipe_[0], b, sizeof b) > 0) {
    }
  }
  now = WallNs();
  if (events_ && fds[1].revents) {
    std::string data;
    bool done = false;
    lode::Status st = events_->ReadSome(&data, &done);
    if (st.ok() && events_->response().headers_done() && events_->response().status() != 200)
      st = lode::Status::IOError("docker: GET /events: " +
                                 ErrorMessage(events_->response().status(), data));
    if (st.ok() && done) st = lode::Status::Unavailable("docker: the events stream ended");
    if (!st.ok()) {
      Disconnected(st, now);
      return;
    }
    OnEvents(data);
  }
  for (size_t i = 0; i < owners.size(); ++i) {
    if (!fds[first_container + i].revents) continue;
    Container* c = owners[i];
    std::string data;
    bool done = false;
    lode::Status st = c->conn->ReadSome(&data, &done);
    const HttpResponseParser& resp = c->conn->response();
    if (st.ok() && resp.headers_done() && resp.status() != 200) {
      c->raw += data;
      if (!done) continue;
      st = lode::Status::IOError("docker: logs of " + c->name + ": " +
                                 ErrorMessage(resp.status(), c->raw));
      c->retry_at = now + cfg_.refresh_ns;  // e.g. a log driver that cannot be read
    }
    if (st.ok() && !data.empty()) st = OnLogData(c, data, now);
    if (!st.ok()) {
      if (st.message() != c->last_error) {
        log_("collector: docker source " + cfg_.name + ": " + st.message());
        std::lock_guard<std::mutex> l(mu_);
        ++status_.errors;
      }
      FinishStream(c, now, false);
      c->last_error = st.message();
      if (c->retry_at < now) c->retry_at = now + kSec;
      continue;
    }
    if (done) {
      // The container stopped: Docker sent everything it had.
      FinishStream(c, now, resp.complete());
      c->retry_at = now + 500 * kMs;
      relist_ = true;
    }
  }
}

void DockerSource::Run() {
  for (;;) {
    {
      std::lock_guard<std::mutex> l(mu_);
      if (stop_) break;
    }
    int64_t now = WallNs();
    if (!events_) {
      if (now < retry_at_) {
        pollfd p{wake_pipe_[0], POLLIN, 0};
        poll(&p, 1, static_cast<int>(std::min<int64_t>(retry_at_ - now, kSec) / kMs) + 1);
        continue;
      }
      lode::Status st = Connect(now);
      if (!st.ok()) {
        Disconnected(st, now);
        Publish(now);
        continue;
      }
    } else if (relist_ || now >= next_list_) {
      lode::Status st = Relist(now);
      if (!st.ok()) {
        Disconnected(st, now);
        Publish(now);
        continue;
      }
    }
    OpenStreams(now);
    if (events_) PollOnce(now);
    now = WallNs();
    FlushTimers(now);
    Publish(now);
  }
  for (auto& [id, c] : containers_) c->conn.reset();
  events_.reset();
}

}  // namespace lode::collector
