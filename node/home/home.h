// Home: a node's directory (config.toml, keys/, data/) and the handles opened from it.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "federation/crypto/ed25519_key.h"
#include "federation/transport/curve_keys.h"
#include "node/config/options.h"
#include "node/store/catalog_store.h"

namespace eichub::home {

// The CURVE key pair a node's transport uses, Z85-encoded as ZeroMQ expects.
using TransportKeys = transport::CurveKeyPair;

// The one-line card a node hands to peers:
//   eichub-peer:v1:<node id, 64 hex>:<CURVE public key, 64 hex>:<endpoint>
struct PeerCard {
  PublicKey node_id{};
  std::string transport_public_z85;
  std::string endpoint;
};
std::string formatPeerCard(const PeerCard& card);
// Errors: InvalidArgument saying which part is wrong.
Result<PeerCard> parsePeerCard(std::string_view text);

// The LMDB store directory of the home at dir: dir/data.
std::string dataDir(const std::string& dir);
// The home's config file (dir/config.toml) and node key (dir/keys/node.key).
std::string configPath(const std::string& dir);
std::string nodeKeyPath(const std::string& dir);
// How the home's store is opened, from its config.
store::StoreOptions storeOptions(const config::Options& options, bool read_only);

// --home, else $EICHUB_HOME, else ~/.eichub.
std::string resolveHomeDir(const std::string& flag_value);

class Home {
 public:
  // Creates a new home: config.toml (commented), keys/node.key (Ed25519, 0600),
  // keys/transport.key (CURVE, 0600) and the LMDB store in data/. Refuses a directory that
  // exists and is not empty (AlreadyExists). On failure removes what it created.
  static Status create(const std::string& dir, const config::Options& options);

  // Opens an existing home: loads the config, the node key and the store.
  // Errors: NotFound ("not an eichub home"), PermissionDenied (key readable by others),
  // InvalidArgument (bad config), Corruption (store).
  static Result<std::unique_ptr<Home>> open(const std::string& dir, bool read_only);

  const std::string& dir() const { return dir_; }
  const config::Options& options() const { return options_; }
  const crypto::SigningKey& nodeKey() const { return node_key_; }
  const TransportKeys& transportKeys() const { return transport_; }
  store::CatalogStore& store() { return *store_; }
  PeerCard peerCard() const;
  // Makes key the node key (after a rotation record in the old key's feed): the old key file
  // is kept as keys/node.key.<old id prefix>.old, the new one written with mode 0600, and the
  // store's node id updated. Errors: IOError, AlreadyExists.
  Status replaceNodeKey(crypto::SigningKey key);
  // The node keys this home used before rotations, oldest first: its own old feeds stay
  // trusted up to their rotation records.
  std::vector<PublicKey> formerNodeIds() const;

 private:
  struct Token {};  // keeps construction inside open()

 public:
  Home(Token, std::string dir, config::Options options, crypto::SigningKey key,
       TransportKeys transport, std::unique_ptr<store::CatalogStore> store);

 private:
  std::string dir_;
  config::Options options_;
  crypto::SigningKey node_key_;
  TransportKeys transport_;
  std::unique_ptr<store::CatalogStore> store_;
};

}  // namespace eichub::home
