// Signer: signs chunks of updates in the order they are handed to it, on a thread of its own,
// so that signing overlaps the publisher's diffing and storing without waiting for whole batches.
// A caller that would wait for a signature signs queued chunks itself instead, so no core
// idles while there is signing left to do.
#pragma once

#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

#include "federation/crypto/ed25519_key.h"
#include "federation/feed/update.h"

namespace eichub::publish {

// Not copyable. The destructor stops the thread after the chunk it is signing and drops the
// rest. Borrows key, which must outlive it.
class Signer {
 public:
  explicit Signer(const crypto::SigningKey& key);
  ~Signer();
  Signer(const Signer&) = delete;
  Signer& operator=(const Signer&) = delete;

  // Queues chunk for signing.
  void submit(std::vector<feed::VerifiedUpdate> chunk);
  // The oldest chunk submitted and not taken yet, once signed. Until it is, signs the oldest
  // queued chunk on the calling thread, or waits when the thread is signing the last ones. Must
  // follow a submit() whose chunk has not been taken.
  std::vector<feed::VerifiedUpdate> take();

 private:
  enum class State { kQueued, kSigning, kSigned };
  struct Chunk {
    std::vector<feed::VerifiedUpdate> updates;
    State state = State::kQueued;
  };

  void run();
  // The oldest chunk still queued, marked as being signed, or nullptr. Call with mutex_ held.
  Chunk* claimQueued();
  // Signs chunk, claimed by claimQueued(), with lock released meanwhile, and marks it signed.
  void sign(Chunk& chunk, std::unique_lock<std::mutex>& lock);

  const crypto::SigningKey& key_;
  std::mutex mutex_;
  std::condition_variable changed_;
  // Submitted and not taken, oldest first. A deque: its elements stay in place while chunks
  // are added at the back and taken from the front, so a chunk can be signed unlocked.
  std::deque<Chunk> chunks_;
  bool stop_ = false;
  std::thread thread_;  // last: starts once the members above exist
};

}  // namespace eichub::publish
