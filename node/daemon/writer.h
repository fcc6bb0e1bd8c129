// Writer: the daemon's single LMDB writer thread. Every write the daemon makes reaches it as a
// typed command (write_command.h): sync batches over an inproc PAIR from the reactor, which
// reads the outcomes from the same pair, and publishes from HTTP threads over an inproc ROUTER,
// each answered to its own caller. The reactor never opens a write transaction, so it never
// waits on LMDB's write lock.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <zmq.hpp>

#include "federation/crypto/ed25519_key.h"
#include "node/catalog/change.h"
#include "node/daemon/write_command.h"
#include "node/http/change_signal.h"
#include "node/publish/stream_publish.h"
#include "node/store/catalog_store.h"

namespace eichub::daemon {

// What the writer needs to publish into the node's own feed.
struct WriterIdentity {
  const crypto::SigningKey& node_key;
  std::string network;
};

// Owns the writer thread. The reactor thread owns the other end of the pair (channel()).
class Writer {
 public:
  // Binds the pair and the publish ROUTER, starts the thread. context, store, identity.node_key
  // and applied must outlive the Writer. applied is notified after every commit that may add
  // changes (a batch applied, a publish that wrote).
  Writer(zmq::context_t& context, store::CatalogStore& store, const std::string& name,
         WriterIdentity identity, http::ChangeSignal& applied);
  // Sends STOP and joins the thread. Callers of publish() must have returned by then.
  ~Writer();
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;

  // Reactor side: hands a command to the writer. Never blocks for long: the pair is unbounded
  // (HWM 0), and the sync engine's credit windows bound the batches in flight. Commands run in
  // the order submitted; ApplyBatch commands queued one behind another are committed together
  // (batch_group.h). Each ApplyBatch and RefreshTrust is answered by one outcome, in order.
  void submit(WriteCommand command);
  // Reactor side: reads one outcome; blocks until one comes (poll channel() first).
  WriteOutcome receiveOutcome();
  zmq::socket_t& channel() { return reactor_end_; }

  // Any thread but the reactor's (HTTP): publishes the JSON Lines in body (borrowed until it
  // returns) into the node's own feed on the writer thread and waits for the outcome. As
  // `eichub publish` does with a file (publish::publishStream): a pass that checks every line,
  // then one that signs and commits them a part (kStreamBatchChanges) at a time, so the
  // changes are never all built at once. When anything was written, the reactor gets
  // LocalPublished and long polls wake. Errors: publishStream's ("nothing published" from the
  // check); Unavailable when the daemon is stopping.
  Result<publish::StreamResult> publish(std::string_view body, const catalog::LoadOptions& options);

 private:
  struct PublishRequest;
  void run(zmq::socket_t pair, zmq::socket_t router);
  // Runs what the reactor queued on pair: the ApplyBatch commands at its front as one group
  // (batch_group.h), then the next other command. Sets stop when the STOP frame came.
  void runQueued(zmq::socket_t& pair, bool& stop);
  // The next command queued on pair, without waiting: nullptr when none is, or at STOP (stop set).
  std::unique_ptr<WriteCommand> nextQueued(zmq::socket_t& pair, bool& stop);
  // Applies group in one commit and answers each batch; when that fails, each alone.
  void applyGroup(std::vector<ApplyBatch>& group, zmq::socket_t& pair);
  // Applies one batch in its own write transaction and answers it.
  void applyAlone(ApplyBatch& command, zmq::socket_t& pair);
  // Runs one command from the reactor; answers on pair when it has an outcome.
  void execute(WriteCommand& command, zmq::socket_t& pair);
  void sendOutcome(zmq::socket_t& pair, WriteOutcome outcome);
  // Runs one publish request; wakes the reactor through pair.
  void executePublish(PublishRequest& request, zmq::socket_t& pair);

  zmq::context_t& context_;
  store::CatalogStore& store_;
  WriterIdentity identity_;
  http::ChangeSignal& applied_;
  std::string publish_endpoint_;
  zmq::socket_t reactor_end_;
  std::thread thread_;
};

}  // namespace eichub::daemon
