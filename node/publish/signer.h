// Signer: one thread that signs chunks of updates in the order they are handed to it, so that
// signing overlaps the publisher's diffing and storing without waiting for whole batches.
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
  // The oldest chunk submitted and not taken yet, once signed (waits for it). Must follow a
  // submit() whose chunk has not been taken.
  std::vector<feed::VerifiedUpdate> take();

 private:
  void run();

  const crypto::SigningKey& key_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<std::vector<feed::VerifiedUpdate>> unsigned_;
  std::deque<std::vector<feed::VerifiedUpdate>> signed_;
  bool stop_ = false;
  std::thread thread_;  // last: starts once the members above exist
};

}  // namespace eichub::publish
