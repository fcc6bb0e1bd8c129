// WorkerLane: a fixed set of threads serving connections from a bounded queue. The front door
// has two: one for the API and dashboard, one kept for health, readiness and metrics.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "federation/common/mutex.h"
#include "node/http/connection.h"

namespace eichub::http {

class WorkerLane {
 public:
  using ServeFn = std::function<void(std::unique_ptr<Connection>)>;

  // Starts threads threads, named name, that each call serve on a queued connection.
  WorkerLane(std::string name, size_t threads, size_t max_queued, ServeFn serve);
  // stop().
  ~WorkerLane();
  WorkerLane(const WorkerLane&) = delete;
  WorkerLane& operator=(const WorkerLane&) = delete;

  // Queues connection for a thread and takes it; when max_queued connections already wait,
  // returns false and leaves connection with the caller (who answers 503). Thread-safe.
  bool offer(std::unique_ptr<Connection>& connection) EICHUB_EXCLUDES(mu_);
  // Closes what is queued, lets the requests being served finish and joins the threads.
  void stop() EICHUB_EXCLUDES(mu_);

 private:
  void run() EICHUB_EXCLUDES(mu_);

  const size_t max_queued_;
  const ServeFn serve_;
  Mutex mu_;
  std::condition_variable ready_;
  std::deque<std::unique_ptr<Connection>> queue_ EICHUB_GUARDED_BY(mu_);
  bool stopping_ EICHUB_GUARDED_BY(mu_) = false;
  std::vector<std::thread> threads_;
};

}  // namespace eichub::http
