// Peers and trusted authors of a node, kept in <home>/peers.toml and managed by the CLI
// (`eichub peer add`, `eichub trust add`, `eichub trust root`); the daemon reads it at start and on
// reload.
#pragma once

#include <string>
#include <vector>

#include "node/home/home.h"

namespace eichub::home {

// A staleness window longer than ten years is a typo.
inline constexpr uint32_t kMaxStaleAfterHours = 87'600;

struct PeerList {
  std::vector<PeerCard> peers;
  std::vector<PublicKey> trusted;  // authors accepted when relayed, beyond the peers themselves
  std::vector<PublicKey> roots;    // network authorities: their members and vendors are accepted
  uint32_t root_threshold = 1;     // distinct roots that must agree on a record (m of n)
  uint32_t stale_after_hours = 0;  // feeds silent longer are reported stale; 0: not reported
};

// Reads <dir>/peers.toml; an absent file is an empty list. Errors: InvalidArgument naming the
// entry at fault, IOError.
Result<PeerList> loadPeers(const std::string& dir);
// Writes <dir>/peers.toml atomically (temporary file, fsync, rename).
Status savePeers(const std::string& dir, const PeerList& list);
// Adds author to the trusted authors of the home at dir (`eichub trust add`); returns false when
// it was trusted already (nothing written). Errors: loadPeers', savePeers'.
Result<bool> addTrustedAuthor(const std::string& dir, const PublicKey& author);

}  // namespace eichub::home
