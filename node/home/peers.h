// Peers and trusted authors of a node, kept in <home>/peers.toml and managed by the CLI
// (`eichub peer add`, `eichub trust add`, `eichub trust root`); the daemon reads it at start and on
// reload.
#pragma once

#include <string>
#include <vector>

#include "node/home/home.h"

namespace eichub::home {

struct PeerList {
  std::vector<PeerCard> peers;
  std::vector<PublicKey> trusted;  // authors accepted when relayed, beyond the peers themselves
  std::vector<PublicKey> roots;    // network authorities: their members and vendors are accepted
  uint32_t root_threshold = 1;     // distinct roots that must agree on a record (m of n)
};

// Reads <dir>/peers.toml; an absent file is an empty list. Errors: InvalidArgument naming the
// entry at fault, IOError.
Result<PeerList> loadPeers(const std::string& dir);
// Writes <dir>/peers.toml atomically (temporary file, fsync, rename).
Status savePeers(const std::string& dir, const PeerList& list);

}  // namespace eichub::home
