#include "ingest/collector/watcher.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <thread>

namespace lode::collector {

DirWatcher::DirWatcher() {
  fd_ = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  wake_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
}

DirWatcher::~DirWatcher() {
  if (fd_ >= 0) close(fd_);
  if (wake_fd_ >= 0) close(wake_fd_);
}

void DirWatcher::Wake() {
  uint64_t one = 1;
  if (wake_fd_ >= 0) (void)!write(wake_fd_, &one, sizeof one);
}

void DirWatcher::SetDirs(const std::set<std::string>& dirs) {
  unwatched_ = 0;
  if (fd_ < 0) {
    unwatched_ = dirs.size();
    return;
  }
  for (auto it = wds_.begin(); it != wds_.end();) {
    if (dirs.count(it->first)) {
      ++it;
    } else {
      inotify_rm_watch(fd_, it->second);
      it = wds_.erase(it);
    }
  }
  for (const auto& d : dirs) {
    if (wds_.count(d)) continue;
    int wd = inotify_add_watch(fd_, d.c_str(),
                               IN_MODIFY | IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO |
                                   IN_CLOSE_WRITE | IN_ATTRIB | IN_ONLYDIR);
    if (wd < 0) {
      ++unwatched_;
    } else {
      wds_[d] = wd;
    }
  }
}

bool DirWatcher::Wait(int timeout_ms, bool* structural) {
  *structural = false;
  struct pollfd p[2] = {{fd_, POLLIN, 0}, {wake_fd_, POLLIN, 0}};
  if (fd_ < 0 && wake_fd_ < 0) {
    std::this_thread::sleep_for(std::chrono::milliseconds(timeout_ms));
    return false;
  }
  int r = poll(p, 2, timeout_ms);  // negative descriptors are ignored
  if (r <= 0) return false;
  if (p[1].revents) {
    uint64_t n;
    (void)!read(wake_fd_, &n, sizeof n);
  }
  if (fd_ < 0 || !p[0].revents) return false;
  alignas(struct inotify_event) char buf[16384];
  bool any = false;
  for (;;) {
    ssize_t n = read(fd_, buf, sizeof buf);
    if (n <= 0) break;
    any = true;
    for (char* q = buf; q < buf + n;) {
      auto* ev = reinterpret_cast<struct inotify_event*>(q);
      if (ev->mask & (IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_Q_OVERFLOW |
                      IN_IGNORED | IN_ATTRIB))
        *structural = true;
      q += sizeof(struct inotify_event) + ev->len;
    }
  }
  return any;
}

}  // namespace lode::collector
