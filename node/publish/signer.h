// Signer: appends and signs chunks of drafted updates to one feed, in the order they are handed
// to it, on a thread of its own, so that signing overlaps the publisher's diffing and storing.
// Each header's prev is the hash of the previous signed header (feed format 2), so chunks are
// signed one after the other; a caller that would wait for a chunk signs the next one itself
// while the thread is not signing, so no core idles while there is signing left to do. The
// headers are encoded on the caller's thread when submitted (FeedPreparer), so that the chain
// carries only what must wait for the previous signature: writing prev, signing, hashing.
#pragma once

#include <condition_variable>
#include <deque>
#include <thread>
#include <vector>

#include "federation/common/mutex.h"
#include "federation/crypto/ed25519_key.h"
#include "federation/feed/appender.h"
#include "federation/feed/update.h"

namespace eichub::publish {

// An update not yet in the feed: its header fields but network, author, seq, prev and time,
// which the appender sets (see FeedAppender::append), its body and its author's clock.
struct Draft {
  feed::HeaderFields fields;
  Bytes body;
  int64_t time_ms = 0;
};

// Whether a Signer has a thread of its own. A publish of one chunk has nothing to overlap its
// signing with: the caller signs it in take(), and no thread is started (starting and joining
// one is 50 µs on a 2-vCPU VM, about as much as signing two updates).
enum class SignerThread { kStarted, kNone };

// Not copyable. submit() and take() are called from one thread. The destructor stops the thread
// after the chunk it is signing and drops the rest. Borrows key, which must outlive it.
class Signer {
 public:
  // head: the feed's head before the first draft (seq 0 for a new feed).
  Signer(const crypto::SigningKey& key, std::string network, feed::Head head,
         SignerThread thread = SignerThread::kStarted);
  ~Signer();
  Signer(const Signer&) = delete;
  Signer& operator=(const Signer&) = delete;

  // Encodes the drafts' headers on the calling thread and queues them; they follow the drafts
  // submitted before.
  void submit(std::vector<Draft> chunk);
  // The oldest chunk submitted and not taken yet, signed and chained. Until it is, signs the next
  // queued chunk on the calling thread when the thread is not signing, else waits. Must follow a
  // submit() whose chunk has not been taken.
  std::vector<feed::VerifiedUpdate> take();

 private:
  enum class State { kQueued, kSigning, kSigned };
  struct Chunk {
    std::vector<feed::PreparedUpdate> prepared;
    std::vector<feed::VerifiedUpdate> updates;
    State state = State::kQueued;
  };

  void run();
  // The oldest chunk still queued, marked as being signed, or nullptr when there is none or a
  // chunk is being signed (the chain orders them).
  Chunk* claimQueued() EICHUB_REQUIRES(mutex_);
  // Signs chunk, claimed by claimQueued(), with mutex_ released meanwhile (the claim makes the
  // chunk and appender_ the caller's alone), and marks it signed.
  void sign(Chunk& chunk) EICHUB_REQUIRES(mutex_);

  // Used by submit() only, on the caller's thread.
  feed::FeedPreparer preparer_;
  Mutex mutex_;
  std::condition_variable changed_;
  // Used by whoever holds the one claimed chunk: claimQueued() hands out one at a time.
  feed::FeedAppender appender_;
  // Submitted and not taken, oldest first. A deque: its elements stay in place while chunks
  // are added at the back and taken from the front, so a claimed chunk is signed unlocked.
  std::deque<Chunk> chunks_ EICHUB_GUARDED_BY(mutex_);
  bool stop_ EICHUB_GUARDED_BY(mutex_) = false;
  std::thread thread_;  // last: starts once the members above exist; none for kNone
};

}  // namespace eichub::publish
