// Alertmanager v2 client (notifier.h).

#include "ruler/notifier.h"

#include <ctime>
#include <nlohmann/json.hpp>

namespace lode::ruler {

std::string Rfc3339Ms(int64_t ns) {
  time_t secs = static_cast<time_t>(ns / 1000000000);
  struct tm tm;
  gmtime_r(&secs, &tm);
  char buf[64];
  snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
           tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
           static_cast<int>(ns % 1000000000 / 1000000));
  return buf;
}

Status Notifier::Create(NotifierOptions opts, std::unique_ptr<Notifier>* out) {
  std::unique_ptr<Notifier> n(new Notifier());
  for (const auto& u : opts.urls) {
    HttpUrl h;
    LODE_RETURN_IF_ERROR(ParseHttpUrl(u, &h));
    while (!h.path.empty() && h.path.back() == '/') h.path.pop_back();
    h.path += "/api/v2/alerts";
    n->urls_.push_back(h);
  }
  n->opts_ = std::move(opts);
  n->thread_ = std::thread([p = n.get()] { p->Run(); });
  *out = std::move(n);
  return Status::OK();
}

Notifier::~Notifier() {
  {
    std::lock_guard<std::mutex> l(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

std::string Notifier::AlertJson(const Alert& a, const std::string& generator_url) {
  nlohmann::json j;
  j["labels"] = nlohmann::json::object();
  for (const auto& l : a.labels) j["labels"][l.name] = l.value;
  j["annotations"] = nlohmann::json::object();
  for (const auto& l : a.annotations) j["annotations"][l.name] = l.value;
  j["startsAt"] = Rfc3339Ms(a.fired_at_ns ? a.fired_at_ns : a.active_at_ns);
  j["endsAt"] = Rfc3339Ms(a.state == AlertState::kInactive ? a.resolved_at_ns : a.valid_until_ns);
  if (!generator_url.empty()) j["generatorURL"] = generator_url;
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

void Notifier::Send(const std::vector<Alert>& alerts, const std::string& generator_url) {
  if (alerts.empty()) return;
  {
    std::lock_guard<std::mutex> l(mu_);
    for (const auto& a : alerts) {
      if (queue_.size() >= opts_.queue_capacity) {
        queue_.pop_front();
        stats_.dropped++;
      }
      queue_.push_back(AlertJson(a, generator_url));
    }
  }
  cv_.notify_one();
}

NotifierStats Notifier::Stats() const {
  std::lock_guard<std::mutex> l(mu_);
  NotifierStats s = stats_;
  s.queued = queue_.size();
  return s;
}

void Notifier::Run() {
  for (;;) {
    std::vector<std::string> batch;
    {
      std::unique_lock<std::mutex> l(mu_);
      cv_.wait(l, [&] { return stop_ || !queue_.empty(); });
      if (stop_) return;
      while (!queue_.empty() && batch.size() < 64) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    std::string body = "[";
    for (size_t i = 0; i < batch.size(); ++i) body += (i ? "," : "") + batch[i];
    body += "]";
    bool ok_any = false;
    uint64_t errors = 0;
    for (const auto& u : urls_) {
      HttpReply r;
      Status s = HttpPost(u, {{"Content-Type", "application/json"}}, body, opts_.timeout_ms, &r);
      if (s.ok() && r.status / 100 == 2) {
        ok_any = true;
      } else {
        errors++;
        fprintf(stderr, "lode: ruler: sending alerts to %s:%s failed: %s\n", u.host.c_str(),
                u.port.c_str(),
                s.ok() ? ("HTTP " + std::to_string(r.status) + " " + r.body.substr(0, 200)).c_str()
                       : s.message().c_str());
      }
    }
    std::lock_guard<std::mutex> l(mu_);
    stats_.errors += errors;
    if (ok_any) stats_.sent += batch.size();
  }
}

}  // namespace lode::ruler
