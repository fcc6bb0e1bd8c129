#include "tests/multinode/hostile_peer_fixture.h"

#include <set>

#include "tests/multinode/cluster.h"
#include "tests/multinode/daemon_status.h"

namespace eichub::testing {

void HostilePeerFixture::SetUp() {
  a_ = std::make_unique<NodeProcess>(dir_.file("a"), "a cluster", "UKE42");
  b_ = std::make_unique<NodeProcess>(dir_.file("b"), "b cluster", "DE501");
  a_->ok({"publish", resources("a", 20)});
  a_->start();
  b_->start();
  peerBothWays(*a_, *b_);
  ASSERT_TRUE(converged()) << logs();
  a_key_ = transportKeyOf(*a_);
  b_key_ = transportKeyOf(*b_);
}

bool HostilePeerFixture::converged() const {
  return testing::converged({a_.get(), b_.get()}, kConvergeTimeout);
}

std::string HostilePeerFixture::logs() const { return testing::logs({a_.get(), b_.get()}); }

std::string HostilePeerFixture::resources(const std::string& name, size_t n) const {
  return resourceFile(dir_, name, n);
}

std::unique_ptr<RawPeer> HostilePeerFixture::startRaw(crypto::SigningKey key, ServeScript script,
                                                      bool also_b) {
  auto raw = std::make_unique<RawPeer>(std::move(key), std::set<std::string>{a_key_, b_key_},
                                       std::move(script));
  a_->ok({"peer", "add", raw->card()});
  a_->ok({"trust", "add", raw->nodeIdHex()});
  if (also_b) {
    b_->ok({"peer", "add", raw->card()});
    b_->ok({"trust", "add", raw->nodeIdHex()});
  }
  return raw;
}

}  // namespace eichub::testing
