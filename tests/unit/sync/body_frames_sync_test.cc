// Sync carries a body as the zstd frame its server stores, to a client whose hello says it reads
// frames, and the client stores the frame as it came (not compressed again); an older client,
// whose hello does not say so, gets every body as signed. Both converge on the same catalogue.
#include <gtest/gtest.h>
#include <zstd.h>

#include "tests/unit/sync/sync_harness.h"

namespace eichub::sync {
namespace {

using testing::kNet;

class BodyFramesSyncTest : public testing::SyncEngineTest {
 protected:
  // n learning resources with 600-byte descriptions, stored at the server with frames of zstd
  // level 19: bytes the stores' own levels (1 and -1) never produce, so a client holding them
  // holds what the server sent.
  void publishWithFrames(int n) {
    feed::FeedAppender app(*author_, kNet, feed::Head{});
    std::vector<feed::VerifiedUpdate> batch;
    for (int i = 0; i < n; ++i) {
      capnp::MallocMessageBuilder message;
      auto r = message.initRoot<schema::Record>().initLearningResource();
      r.setId("r/" + std::to_string(i));
      auto description = r.initDescription(1);
      description[0].setLang("en");
      std::string text;
      while (text.size() < 600) text += "wound care module " + std::to_string(i) + " ";
      description[0].setText(text);
      auto change = catalog::changeFromRecord(message.getRoot<schema::Record>().asReader());
      ASSERT_TRUE(change.ok());
      batch.push_back(app.append(feed::Op::UPSERT, catalog::kindCode(change->kind), change->id,
                                 change->tags, change->body, 1000 + i));
      Bytes& frame = batch.back().signed_update.body_zstd;
      frame.resize(ZSTD_compressBound(change->body.size()));
      frame.resize(
          ZSTD_compress(frame.data(), frame.size(), change->body.data(), change->body.size(), 19));
      frames_.push_back(frame);
    }
    ASSERT_TRUE(server_->storage.store().writer().apply(batch).ok());
  }

  size_t framesSent() const {
    size_t framed = 0;
    for (const wire::Updates& message : sent_updates_) {
      for (const feed::SignedUpdate& u : message.updates) framed += u.body_zstd.empty() ? 0 : 1;
    }
    return framed;
  }

  void expectConverged(uint64_t seq) {
    EXPECT_EQ(clientSeq(), seq);
    EXPECT_EQ(*client_->storage.store().queries().digest(),
              *server_->storage.store().queries().digest());
  }

  std::vector<Bytes> frames_;
};

TEST_F(BodyFramesSyncTest, AClientThatReadsFramesGetsAndStoresTheServersFrames) {
  publishWithFrames(40);
  connect();
  pump();
  expectConverged(40);
  EXPECT_EQ(framesSent(), 40u);
  auto held = client_->storage.store().queries().readFeed(author_->publicKey(), 1, 40, 40);
  ASSERT_TRUE(held.ok());
  ASSERT_EQ(held->size(), 40u);
  for (size_t i = 0; i < held->size(); ++i) EXPECT_EQ((*held)[i].body_zstd, frames_[i]) << i;
}

TEST_F(BodyFramesSyncTest, AnOlderClientGetsEveryBodyAsSigned) {
  publishWithFrames(40);
  rewrite_to_server = [](Bytes& bytes) {
    auto message = wire::decode(bytes);
    if (!message.ok() || !std::holds_alternative<wire::Hello>(*message)) return;
    std::get<wire::Hello>(*message).zstd_bodies = false;  // as a hello without the field reads
    bytes = wire::encode(*message);
  };
  connect();
  pump();
  expectConverged(40);
  EXPECT_FALSE(sent_updates_.empty());
  EXPECT_EQ(framesSent(), 0u);
}

}  // namespace
}  // namespace eichub::sync
