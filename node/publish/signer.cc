// Signer: one queue of chunks, each queued, being signed or signed; the thread and the caller of
// take() both sign the oldest queued chunk, one chunk at a time.
#include "node/publish/signer.h"

#include "federation/common/thread_name.h"

namespace eichub::publish {

Signer::Signer(const crypto::SigningKey& key, std::string network, feed::Head head,
               SignerThread thread)
    : preparer_(key.publicKey(), network, head), appender_(key, std::move(network), head) {
  if (thread == SignerThread::kStarted)
    thread_ = std::thread([this] {
      nameThisThread("signer");
      run();
    });
}

Signer::~Signer() {
  if (!thread_.joinable()) return;
  {
    MutexLock lock(mutex_);
    stop_ = true;
  }
  changed_.notify_all();
  thread_.join();
}

void Signer::submit(std::vector<Draft> chunk) {
  std::vector<feed::PreparedUpdate> prepared;
  prepared.reserve(chunk.size());
  for (Draft& draft : chunk) {
    prepared.push_back(
        preparer_.prepare(std::move(draft.fields), std::move(draft.body), draft.time_ms));
  }
  {
    MutexLock lock(mutex_);
    chunks_.push_back({std::move(prepared), {}, State::kQueued});
  }
  changed_.notify_all();
}

std::vector<feed::VerifiedUpdate> Signer::take() {
  MutexLock lock(mutex_);
  while (chunks_.front().state != State::kSigned) {
    if (Chunk* chunk = claimQueued()) {
      sign(*chunk);
    } else {
      lock.wait(changed_);
    }
  }
  std::vector<feed::VerifiedUpdate> updates = std::move(chunks_.front().updates);
  chunks_.pop_front();
  return updates;
}

Signer::Chunk* Signer::claimQueued() {
  // Chunks are signed in order, one at a time: the oldest not yet signed is the only candidate.
  for (Chunk& chunk : chunks_) {
    if (chunk.state == State::kSigned) continue;
    if (chunk.state == State::kSigning) return nullptr;
    chunk.state = State::kSigning;
    return &chunk;
  }
  return nullptr;
}

void Signer::sign(Chunk& chunk) {
  mutex_.unlock();
  chunk.updates.reserve(chunk.prepared.size());
  for (feed::PreparedUpdate& prepared : chunk.prepared) {
    chunk.updates.push_back(appender_.append(std::move(prepared)));
  }
  chunk.prepared.clear();
  mutex_.lock();
  chunk.state = State::kSigned;
  changed_.notify_all();
}

void Signer::run() {
  MutexLock lock(mutex_);
  for (;;) {
    Chunk* chunk = nullptr;
    while (!stop_ && (chunk = claimQueued()) == nullptr) lock.wait(changed_);
    if (stop_) return;
    sign(*chunk);
  }
}

}  // namespace eichub::publish
