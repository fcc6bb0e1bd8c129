// Worker threads over a bounded queue.
#include "node/http/worker_lane.h"

#include <exception>

#include "federation/common/thread_name.h"
#include "node/log.h"

namespace eichub::http {

WorkerLane::WorkerLane(std::string name, size_t threads, size_t max_queued, ServeFn serve)
    : max_queued_(max_queued), serve_(std::move(serve)) {
  for (size_t i = 0; i < threads; ++i) {
    threads_.emplace_back([this, name] {
      nameThisThread(name);
      run();
    });
  }
}

WorkerLane::~WorkerLane() { stop(); }

bool WorkerLane::offer(std::unique_ptr<Connection>& connection) {
  {
    MutexLock lock(mu_);
    if (stopping_ || queue_.size() >= max_queued_) return false;
    queue_.push_back(std::move(connection));
  }
  ready_.notify_one();
  return true;
}

void WorkerLane::stop() {
  {
    MutexLock lock(mu_);
    stopping_ = true;
    queue_.clear();
  }
  ready_.notify_all();
  for (std::thread& thread : threads_) {
    if (thread.joinable()) thread.join();
  }
}

void WorkerLane::run() {
  while (true) {
    std::unique_ptr<Connection> connection;
    {
      MutexLock lock(mu_);
      while (!stopping_ && queue_.empty()) lock.wait(ready_);
      if (stopping_) return;
      connection = std::move(queue_.front());
      queue_.pop_front();
    }
    try {
      serve_(std::move(connection));
    } catch (const std::exception& e) {  // thread entry point: log, drop the connection, go on
      log::error("event=http_worker_error err=\"{}\"", e.what());
    }
  }
}

}  // namespace eichub::http
