// HostilePeerFixture: what the hostile-peer tests (attack_test.cc, hostile_input_test.cc) share.
// Node A is attacked while an honest node B is peered with it; before each test both run and hold
// A's 20 resources. Raw peers (raw_peer.h) are admitted at A, and at B if asked.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "federation/crypto/ed25519_key.h"
#include "tests/multinode/node_process.h"
#include "tests/multinode/raw_peer.h"
#include "tests/testing/temp_dir.h"

namespace eichub::testing {

class HostilePeerFixture : public ::testing::Test {
 protected:
  // How long A and B may take to agree after a change; only a failing test waits that long.
  static constexpr std::chrono::seconds kConvergeTimeout{30};

  void SetUp() override;

  // True once A and B hold the same digest (within kConvergeTimeout).
  bool converged() const;
  // "see logs: <A's log> <B's log>".
  std::string logs() const;
  // A file of n resources named name/0..n-1 in this test's directory.
  std::string resources(const std::string& name, size_t n) const;
  // A raw peer with node key key that A (and B, with also_b) admits as a peer and whose author it
  // trusts; it serves by script to A and B.
  std::unique_ptr<RawPeer> startRaw(crypto::SigningKey key, ServeScript script,
                                    bool also_b = false);

  TempDir dir_;
  std::unique_ptr<NodeProcess> a_;
  std::unique_ptr<NodeProcess> b_;
  std::string a_key_;  // A's and B's transport keys (Z85)
  std::string b_key_;
};

}  // namespace eichub::testing
