// A fixed pool of threads running queued tasks in FIFO order: where the HTTP
// server runs handlers, so blocking work never holds an I/O thread.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace lode::server {

class WorkerPool {
 public:
  // `nice` > 0 lowers the threads' CPU priority (setpriority on each thread;
  // threads they start inherit it).
  explicit WorkerPool(int threads, int nice = 0);
  ~WorkerPool() { Stop(); }
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // Queues `task`; dropped (destroyed unrun) after Stop.
  void Submit(std::function<void()> task);
  // Lets running tasks finish, drops queued ones, joins the threads.
  void Stop();
  size_t threads() const { return threads_.size(); }

 private:
  void Run();

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> queue_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace lode::server
