// Writer: the daemon's single LMDB writer thread. It takes verified batches over an inproc
// PAIR socket, applies each in one write transaction and answers with the outcome.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <zmq.hpp>

#include "federation/feed/update.h"
#include "node/store/catalog_store.h"

namespace eichub::daemon {

// What the writer answers for one batch.
struct WriteOutcome {
  uint64_t batch_id = 0;
  Status status;
  uint64_t applied = 0;
  double seconds = 0;  // time the write transaction took, for the commit latency metric
};

// Owns the writer thread. The reactor thread owns the other end of the pair (channel()).
class Writer {
 public:
  // Binds the pair, starts the thread. store must outlive the Writer.
  Writer(zmq::context_t& context, store::CatalogStore& store, const std::string& name);
  // Sends STOP and joins the thread.
  ~Writer();
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;

  // Reactor side: hands a batch to the writer (never blocks for long: the pair is unbounded
  // by HWM 0 but the sync engine's credit windows bound what is in flight).
  void submit(uint64_t batch_id, std::vector<feed::VerifiedUpdate> batch);
  // Reactor side: reads one outcome when channel() is readable.
  WriteOutcome receiveOutcome();
  zmq::socket_t& channel() { return reactor_end_; }

 private:
  void run(zmq::socket_t socket);

  store::CatalogStore& store_;
  zmq::socket_t reactor_end_;
  std::thread thread_;
};

}  // namespace eichub::daemon
