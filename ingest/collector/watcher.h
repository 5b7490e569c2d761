// DirWatcher: wakes the collector when something changes in the watched
// directories (inotify). Without inotify (unsupported filesystem, watch limit
// reached) Wait() simply sleeps its timeout and the collector polls.
// Not thread-safe (except Wake): owned by the collector thread.
#pragma once

#include <map>
#include <set>
#include <string>

namespace lode::collector {

class DirWatcher {
 public:
  DirWatcher();
  ~DirWatcher();
  DirWatcher(const DirWatcher&) = delete;
  DirWatcher& operator=(const DirWatcher&) = delete;

  // Watches exactly `dirs` (adds new ones, removes others). Directories that
  // cannot be watched are polled.
  void SetDirs(const std::set<std::string>& dirs);

  // Waits up to timeout_ms for events. Returns true when something happened;
  // *structural: a file was created, renamed or deleted (rescan needed).
  bool Wait(int timeout_ms, bool* structural);

  // Ends a Wait() early (from any thread): data arrived from a docker source.
  void Wake();

  // True when every directory is watched by inotify.
  bool all_watched() const { return fd_ >= 0 && unwatched_ == 0; }

 private:
  int fd_ = -1;
  int wake_fd_ = -1;                // eventfd
  std::map<std::string, int> wds_;  // dir -> watch descriptor
  size_t unwatched_ = 0;
};

}  // namespace lode::collector
