// Writer thread: applies verified batches to the store, one write transaction each.
#include "node/daemon/writer.h"

#include <chrono>
#include <cstring>

#include "node/daemon/handoff.h"
#include "node/log.h"

namespace eichub::daemon {

namespace {

// Frames: a batch is [batch id (8)][pointer to a heap vector whose ownership moves to the
// writer]; an outcome is [batch id (8)][code (1)][applied (8)][seconds (8)][message]. An
// empty frame stops
// the writer. Both ends live in this process, so passing a pointer is safe.
using Batch = std::vector<feed::VerifiedUpdate>;

zmq::message_t u64Frame(uint64_t v) { return zmq::message_t(&v, sizeof(v)); }

}  // namespace

Writer::Writer(zmq::context_t& context, store::CatalogStore& store, const std::string& name)
    : store_(store), reactor_end_(context, zmq::socket_type::pair) {
  std::string endpoint = "inproc://writer-" + name;
  reactor_end_.set(zmq::sockopt::linger, 0);
  reactor_end_.set(zmq::sockopt::sndhwm, 0);
  reactor_end_.set(zmq::sockopt::rcvhwm, 0);
  reactor_end_.bind(endpoint);
  zmq::socket_t writer_end(context, zmq::socket_type::pair);
  writer_end.set(zmq::sockopt::linger, 0);
  writer_end.set(zmq::sockopt::sndhwm, 0);
  writer_end.set(zmq::sockopt::rcvhwm, 0);
  writer_end.connect(endpoint);
  thread_ =
      std::thread([this, socket = std::move(writer_end)]() mutable { run(std::move(socket)); });
}

Writer::~Writer() {
  reactor_end_.send(zmq::message_t(), zmq::send_flags::none);
  thread_.join();
}

void Writer::submit(uint64_t batch_id, std::vector<feed::VerifiedUpdate> batch) {
  auto owned = std::make_unique<Batch>(std::move(batch));
  Batch* raw = owned.release();  // ownership moves to the writer thread with the frame
  handOffRelease(this);
  reactor_end_.send(u64Frame(batch_id), zmq::send_flags::sndmore);
  reactor_end_.send(zmq::message_t(&raw, sizeof(raw)), zmq::send_flags::none);
}

WriteOutcome Writer::receiveOutcome() {
  zmq::message_t id, code, applied, seconds, text;
  WriteOutcome out;
  (void)reactor_end_.recv(id);
  (void)reactor_end_.recv(code);
  (void)reactor_end_.recv(applied);
  (void)reactor_end_.recv(seconds);
  (void)reactor_end_.recv(text);
  handOffAcquire(this);
  std::memcpy(&out.batch_id, id.data(), sizeof(out.batch_id));
  std::memcpy(&out.applied, applied.data(), sizeof(out.applied));
  std::memcpy(&out.seconds, seconds.data(), sizeof(out.seconds));
  auto status_code = static_cast<Status::Code>(*static_cast<const uint8_t*>(code.data()));
  if (status_code != Status::Code::kOk) {
    out.status = Status::IOError(text.to_string());  // the code's detail lives in the text
  }
  return out;
}

void Writer::run(zmq::socket_t socket) {
  while (true) {
    zmq::message_t id;
    if (!socket.recv(id) || id.size() == 0) break;
    zmq::message_t pointer;
    (void)socket.recv(pointer);
    handOffAcquire(this);
    Batch* raw = nullptr;
    std::memcpy(&raw, pointer.data(), sizeof(raw));
    std::unique_ptr<Batch> batch(raw);
    auto start = std::chrono::steady_clock::now();
    auto result = store_.apply(*batch);
    double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    uint8_t code = static_cast<uint8_t>(result.ok() ? Status::Code::kOk : result.status().code());
    uint64_t applied = result.ok() ? result->applied : 0;
    std::string text = result.ok() ? "" : result.status().toString();
    if (!result.ok()) log::warn("op=apply err=\"{}\"", text);
    handOffRelease(this);
    socket.send(id, zmq::send_flags::sndmore);
    socket.send(zmq::message_t(&code, 1), zmq::send_flags::sndmore);
    socket.send(u64Frame(applied), zmq::send_flags::sndmore);
    socket.send(zmq::message_t(&seconds, sizeof(seconds)), zmq::send_flags::sndmore);
    socket.send(zmq::message_t(text.data(), text.size()), zmq::send_flags::none);
  }
}

}  // namespace eichub::daemon
