// Writer thread: runs the daemon's write commands against the store, one at a time.
#include "node/daemon/writer.h"

#include <array>
#include <chrono>
#include <cstring>
#include <optional>
#include <type_traits>

#include "federation/common/thread_name.h"
#include "federation/transport/socket_poller.h"
#include "node/catalog/jsonl_reader.h"
#include "node/daemon/batch_group.h"
#include "node/daemon/handoff.h"
#include "node/log.h"
#include "node/publish/local_publish.h"

namespace eichub::daemon {

// A publish from another thread, owned by the writer while it runs and handed back with its
// result.
struct Writer::PublishRequest {
  std::string_view body;  // the caller's, which waits for the answer
  catalog::LoadOptions options;
  std::optional<Result<publish::StreamResult>> result;
};

namespace {

// Frames: a command, an outcome and a publish request each travel as one frame holding a
// pointer to a heap object whose ownership moves with the frame; an empty frame stops the
// writer. Both ends live in this process, so passing a pointer is safe. The ROUTER prepends the
// REQ caller's routing id and an empty delimiter.
template <typename T>
zmq::message_t pointerFrame(std::unique_ptr<T> owned) {
  T* raw = owned.release();
  return zmq::message_t(&raw, sizeof(raw));
}

template <typename T>
std::unique_ptr<T> ownPointer(const zmq::message_t& frame) {
  T* raw = nullptr;
  std::memcpy(&raw, frame.data(), sizeof(raw));
  return std::unique_ptr<T>(raw);
}

void configurePair(zmq::socket_t& socket) {
  socket.set(zmq::sockopt::linger, 0);
  socket.set(zmq::sockopt::sndhwm, 0);
  socket.set(zmq::sockopt::rcvhwm, 0);
}

}  // namespace

Writer::Writer(zmq::context_t& context, store::CatalogStore& store, const std::string& name,
               WriterIdentity identity, http::ChangeSignal& applied)
    : context_(context),
      store_(store),
      identity_(std::move(identity)),
      applied_(applied),
      publish_endpoint_("inproc://writer-publish-" + name),
      reactor_end_(context, zmq::socket_type::pair) {
  std::string endpoint = "inproc://writer-" + name;
  configurePair(reactor_end_);
  reactor_end_.bind(endpoint);
  zmq::socket_t writer_end(context, zmq::socket_type::pair);
  configurePair(writer_end);
  writer_end.connect(endpoint);
  zmq::socket_t router(context, zmq::socket_type::router);
  configurePair(router);
  router.bind(publish_endpoint_);
  thread_ =
      std::thread([this, pair = std::move(writer_end), publishes = std::move(router)]() mutable {
        nameThisThread("writer");
        run(std::move(pair), std::move(publishes));
      });
}

Writer::~Writer() {
  reactor_end_.send(zmq::message_t(), zmq::send_flags::none);
  thread_.join();
  // Outcomes the reactor did not read own heap objects: free them.
  zmq::message_t frame;
  while (reactor_end_.recv(frame, zmq::recv_flags::dontwait)) {
    handOffAcquire(this);
    if (frame.size() == sizeof(WriteOutcome*)) (void)ownPointer<WriteOutcome>(frame);
  }
}

void Writer::submit(WriteCommand command) {
  zmq::message_t frame = pointerFrame(std::make_unique<WriteCommand>(std::move(command)));
  handOffRelease(this);  // after the command is built: the writer thread reads all of it
  reactor_end_.send(frame, zmq::send_flags::none);
}

WriteOutcome Writer::receiveOutcome() {
  zmq::message_t frame;
  (void)reactor_end_.recv(frame);
  handOffAcquire(this);
  return std::move(*ownPointer<WriteOutcome>(frame));
}

Result<publish::StreamResult> Writer::publish(std::string_view body,
                                              const catalog::LoadOptions& options) {
  auto request = std::make_unique<PublishRequest>();
  request->body = body;
  request->options = options;
  try {
    zmq::socket_t socket(context_, zmq::socket_type::req);
    socket.set(zmq::sockopt::linger, 0);
    socket.connect(publish_endpoint_);
    handOffRelease(&publish_endpoint_);
    PublishRequest* raw = request.get();
    if (!socket.send(zmq::message_t(&raw, sizeof(raw)), zmq::send_flags::none)) {
      return Status::Unavailable("the writer did not take the publish");
    }
    (void)request.release();  // the writer owns it now, and hands it back in the reply
    zmq::message_t reply;
    if (!socket.recv(reply) || reply.size() != sizeof(PublishRequest*)) {
      return Status::Unavailable("the writer did not answer the publish");
    }
    handOffAcquire(&publish_endpoint_);
    auto answered = ownPointer<PublishRequest>(reply);
    if (!answered->result) return Status::Unavailable("the writer stopped before the publish");
    return std::move(*answered->result);
  } catch (const zmq::error_t& e) {
    return Status::Unavailable("the daemon is stopping", e.what());
  }
}

void Writer::sendOutcome(zmq::socket_t& pair, WriteOutcome outcome) {
  zmq::message_t frame = pointerFrame(std::make_unique<WriteOutcome>(std::move(outcome)));
  handOffRelease(this);  // after the outcome is built: the reactor reads all of it
  pair.send(frame, zmq::send_flags::none);
}

void Writer::execute(WriteCommand& command, zmq::socket_t& pair) {
  std::visit(
      [&](auto& c) {
        using T = std::decay_t<decltype(c)>;
        if constexpr (std::is_same_v<T, ApplyBatch>) {
          applyAlone(c, pair);
        } else if constexpr (std::is_same_v<T, StoreForkProof>) {
          // The proof already froze the feed in memory; a failed write is found again when
          // the next proof of the same feed arrives.
          if (Status s = store_.setMeta(c.meta_key, c.value); !s.ok()) {
            log::error("event=fork_proof_not_stored key={} err=\"{}\"", c.meta_key, s.toString());
          }
        } else if constexpr (std::is_same_v<T, RefreshTrust>) {
          TrustRefreshed out{std::move(c.trust)};
          out.changed = out.trust.refresh(store_, c.config, c.frozen);
          sendOutcome(pair, std::move(out));
        }
      },
      command);
}

void Writer::applyAlone(ApplyBatch& command, zmq::socket_t& pair) {
  auto start = std::chrono::steady_clock::now();
  auto result = store_.writer().apply(command.batch);
  BatchApplied out;
  out.batch_id = command.batch_id;
  out.reach = std::move(command.reach);
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (result.ok()) {
    out.applied = result->applied;
    if (out.applied > 0) applied_.notify();
  } else {
    out.status = result.status();
    log::warn("op=apply err=\"{}\"", result.status().toString());
  }
  sendOutcome(pair, std::move(out));
}

void Writer::applyGroup(std::vector<ApplyBatch>& group, zmq::socket_t& pair) {
  if (group.size() == 1) return applyAlone(group.front(), pair);
  auto start = std::chrono::steady_clock::now();
  auto stats = applyInOneCommit(store_, group);
  if (!stats.ok()) {
    // One batch's error must not fail the others: each alone, in order, as they came.
    for (ApplyBatch& command : group) applyAlone(command, pair);
    return;
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  bool any_applied = false;
  for (const store::ApplyStats& applied : *stats) any_applied = any_applied || applied.applied > 0;
  if (any_applied) applied_.notify();
  for (size_t i = 0; i < group.size(); ++i) {
    BatchApplied out;
    out.batch_id = group[i].batch_id;
    out.reach = std::move(group[i].reach);
    out.applied = (*stats)[i].applied;
    out.seconds = seconds;
    out.committed_with = group.size();
    sendOutcome(pair, std::move(out));
  }
}

std::unique_ptr<WriteCommand> Writer::nextQueued(zmq::socket_t& pair, bool& stop) {
  zmq::message_t frame;
  if (!pair.recv(frame, zmq::recv_flags::dontwait)) return nullptr;
  if (frame.size() == 0) {
    stop = true;
    return nullptr;
  }
  handOffAcquire(this);
  return ownPointer<WriteCommand>(frame);
}

void Writer::runQueued(zmq::socket_t& pair, bool& stop) {
  std::vector<ApplyBatch> group;
  size_t group_bytes = 0;
  std::unique_ptr<WriteCommand> other;
  while (group.size() < kMaxGroupedBatches && group_bytes < kMaxGroupedBytes) {
    std::unique_ptr<WriteCommand> command = nextQueued(pair, stop);
    if (!command) break;
    auto* batch = std::get_if<ApplyBatch>(command.get());
    if (batch == nullptr) {
      other = std::move(command);  // runs after the batches queued before it
      break;
    }
    group_bytes += feed::signedBytes(batch->batch);
    group.push_back(std::move(*batch));
  }
  if (!group.empty()) applyGroup(group, pair);
  if (other) execute(*other, pair);
}

void Writer::executePublish(PublishRequest& request, zmq::socket_t& pair) {
  publish::LocalPublish how{identity_.node_key, identity_.node_key.publicKey(), identity_.network};
  how.notify = [&] {
    applied_.notify();
    sendOutcome(pair, LocalPublished{});
  };
  // Two passes over the body held once (the HTTP body limit bounds it): strict mode must judge
  // every line before anything is signed, and the second pass builds one part at a time.
  request.result = publish::publishStream(
      store_, how, "body", request.options, [&request](catalog::ChangeSink& sink) {
        return catalog::scanJsonLinesText(request.body, request.options, sink);
      });
}

void Writer::run(zmq::socket_t pair, zmq::socket_t router) {
  transport::SocketPoller poller;
  while (true) {
    std::array<zmq::pollitem_t, 2> items{
        {{pair.handle(), 0, ZMQ_POLLIN, 0}, {router.handle(), 0, ZMQ_POLLIN, 0}}};
    try {
      poller.poll(items, std::chrono::milliseconds(-1));
    } catch (const zmq::error_t& e) {
      log::error("event=writer_stopped err=\"{}\"", e.what());
      return;
    }
    if (items[0].revents & ZMQ_POLLIN) {
      bool stop = false;
      runQueued(pair, stop);
      if (stop) break;
    }
    if (items[1].revents & ZMQ_POLLIN) {
      zmq::message_t routing_id, delimiter, frame;
      (void)router.recv(routing_id);
      if (!routing_id.more() || !router.recv(delimiter) || !delimiter.more() ||
          !router.recv(frame) || frame.size() != sizeof(PublishRequest*)) {
        continue;  // only Writer::publish connects here, and it sends one pointer
      }
      handOffAcquire(&publish_endpoint_);
      std::unique_ptr<PublishRequest> request = ownPointer<PublishRequest>(frame);
      executePublish(*request, pair);
      handOffRelease(&publish_endpoint_);
      router.send(routing_id, zmq::send_flags::sndmore);
      router.send(delimiter, zmq::send_flags::sndmore);
      router.send(pointerFrame(std::move(request)), zmq::send_flags::none);
    }
  }
}

}  // namespace eichub::daemon
