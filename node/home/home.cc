// Creating and opening a node's home directory.
#include "node/home/home.h"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zmq.h>

#include "federation/transport/curve_keys.h"

namespace eichub::home {

namespace {

namespace fs = std::filesystem;

constexpr char kConfigFile[] = "config.toml";
constexpr char kNodeKeyFile[] = "keys/node.key";
constexpr char kFormerNodeIdsKey[] = "former_node_ids";  // comma-separated hex, oldest first
constexpr char kTransportKeyFile[] = "keys/transport.key";
constexpr char kDataDir[] = "data";
constexpr char kCardPrefix[] = "eichub-peer:v1:";
constexpr size_t kZ85KeyChars = 40;

Status writeNewFile(const std::string& path, std::string_view content, mode_t mode) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) return Status::IOError("cannot create " + path, std::strerror(errno));
  bool ok = ::write(fd, content.data(), content.size()) == static_cast<ssize_t>(content.size()) &&
            ::fsync(fd) == 0;
  ok = (::close(fd) == 0) && ok;
  if (!ok) return Status::IOError("cannot write " + path, std::strerror(errno));
  return Status::OK();
}

Result<TransportKeys> loadTransportKeys(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return Status::NotFound("no transport key", path);
  if ((st.st_mode & 077) != 0) {
    return Status::PermissionDenied("key file " + path + " can be read by others; run: chmod 600 " +
                                    path);
  }
  std::ifstream in(path);
  std::string secret;
  std::getline(in, secret);
  auto keys = transport::curveKeyPairFromSecret(secret);
  if (!keys.ok()) return Status::InvalidArgument("malformed transport key", path);
  return *keys;
}

// Printable ASCII without spaces, quotes or backslashes: an endpoint is one field of a one-line
// card, and savePeers writes it inside a TOML string (a quote there would end the string and let
// a card write its own peers.toml lines).
bool isPlainEndpoint(std::string_view endpoint) {
  return std::all_of(endpoint.begin(), endpoint.end(),
                     [](char c) { return c > ' ' && c < 0x7f && c != '"' && c != '\\'; });
}

}  // namespace

std::string formatPeerCard(const PeerCard& card) {
  uint8_t key[32];
  zmq_z85_decode(key, card.transport_public_z85.c_str());
  return std::string(kCardPrefix) + toHex(card.node_id) + ":" + toHex(ByteView(key, 32)) + ":" +
         card.endpoint;
}

Result<PeerCard> parsePeerCard(std::string_view text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.remove_suffix(1);
  if (text.rfind(kCardPrefix, 0) != 0) {
    return Status::InvalidArgument("not a peer card (expected eichub-peer:v1:...)");
  }
  text.remove_prefix(std::strlen(kCardPrefix));
  size_t first = text.find(':');
  size_t second = first == std::string_view::npos ? first : text.find(':', first + 1);
  if (second == std::string_view::npos) return Status::InvalidArgument("peer card is incomplete");
  PeerCard card;
  auto node_id = fixedFromHex<32>(text.substr(0, first));
  if (!node_id) return Status::InvalidArgument("peer card: node id is not 64 hex digits");
  card.node_id = *node_id;
  auto transport = fixedFromHex<32>(text.substr(first + 1, second - first - 1));
  if (!transport) return Status::InvalidArgument("peer card: transport key is not 64 hex digits");
  char z85[kZ85KeyChars + 1];
  zmq_z85_encode(z85, transport->data(), transport->size());
  card.transport_public_z85 = z85;
  card.endpoint = std::string(text.substr(second + 1));
  if (card.endpoint.rfind("tcp://", 0) != 0 && card.endpoint.rfind("ipc://", 0) != 0) {
    return Status::InvalidArgument("peer card: endpoint must start with tcp:// or ipc://");
  }
  if (!isPlainEndpoint(card.endpoint)) {
    return Status::InvalidArgument(
        "peer card: endpoint holds a space, quote, backslash or non-printable character");
  }
  return card;
}

std::string resolveHomeDir(const std::string& flag_value) {
  if (!flag_value.empty()) return flag_value;
  if (const char* env = std::getenv("EICHUB_HOME"); env && *env) return env;
  const char* home = std::getenv("HOME");
  return std::string(home && *home ? home : ".") + "/.eichub";
}

Status Home::create(const std::string& dir, const config::Options& options) {
  std::error_code ec;
  if (fs::exists(dir, ec) && !fs::is_empty(dir, ec)) {
    return Status::AlreadyExists(dir + " exists and is not empty; init refuses to overwrite it");
  }
  bool created_dir = !fs::exists(dir, ec);
  auto fail = [&](Status status) {
    if (created_dir) {
      fs::remove_all(dir, ec);
    } else {
      for (const auto& entry : fs::directory_iterator(dir, ec)) fs::remove_all(entry.path(), ec);
    }
    return status;
  };
  fs::create_directories(fs::path(dir) / "keys", ec);
  if (ec) return fail(Status::IOError("cannot create " + dir, ec.message()));
  fs::permissions(fs::path(dir) / "keys", fs::perms::owner_all, ec);

  // 0600: the file may hold http.api_token (loadOptions refuses a token others can read).
  Status s = writeNewFile(dir + "/" + kConfigFile, config::renderOptions(options), 0600);
  if (!s.ok()) return fail(s);

  auto key = crypto::SigningKey::generate();
  if (!key.ok()) return fail(key.status());
  s = key->savePem(dir + "/" + kNodeKeyFile);
  if (!s.ok()) return fail(s);

  auto transport_keys = transport::generateCurveKeyPair();
  if (!transport_keys.ok()) return fail(transport_keys.status());
  s = writeNewFile(dir + "/" + kTransportKeyFile, transport_keys->secret_z85 + "\n", 0600);
  if (!s.ok()) return fail(s);

  auto store = store::CatalogStore::open(dir + "/" + kDataDir, storeOptions(options, false));
  if (!store.ok()) return fail(store.status());
  s = (*store)->setMeta("node_id", toHex(key->publicKey()));
  if (!s.ok()) return fail(s);
  return Status::OK();
}

std::string dataDir(const std::string& dir) { return dir + "/" + kDataDir; }
std::string configPath(const std::string& dir) { return dir + "/" + kConfigFile; }
std::string nodeKeyPath(const std::string& dir) { return dir + "/" + kNodeKeyFile; }

store::StoreOptions storeOptions(const config::Options& o, bool read_only) {
  store::StoreOptions s;
  s.read_only = read_only;
  s.initial_map_bytes = o.store_initial_map_mb << 20;
  s.max_map_bytes = o.store_max_map_mb << 20;
  return s;
}

Result<std::unique_ptr<Home>> Home::open(const std::string& dir, bool read_only) {
  std::error_code ec;
  if (!fs::is_regular_file(dir + "/" + kConfigFile, ec)) {
    return Status::NotFound(dir + " is not an eichub home (no config.toml); create one with: " +
                            "eichub init --home " + dir);
  }
  EICHUB_ASSIGN_OR_RETURN(config::Options options, config::loadOptions(dir + "/" + kConfigFile));
  EICHUB_ASSIGN_OR_RETURN(crypto::SigningKey key,
                          crypto::SigningKey::loadPem(dir + "/" + kNodeKeyFile));
  EICHUB_ASSIGN_OR_RETURN(TransportKeys transport,
                          loadTransportKeys(dir + "/" + kTransportKeyFile));
  auto store = store::CatalogStore::open(dir + "/" + kDataDir, storeOptions(options, read_only));
  if (!store.ok()) return store.status().withContext("store in " + dir + "/" + kDataDir);
  auto node_id = (*store)->meta("node_id");
  if (node_id.ok() && *node_id != toHex(key.publicKey())) {
    return Status::Corruption("the store in " + dir + " belongs to another node key");
  }
  return std::make_unique<Home>(Token{}, dir, std::move(options), std::move(key),
                                std::move(transport), std::move(store).value());
}

Home::Home(Token, std::string dir, config::Options options, crypto::SigningKey key,
           TransportKeys transport, std::unique_ptr<store::CatalogStore> store)
    : dir_(std::move(dir)),
      options_(std::move(options)),
      node_key_(std::move(key)),
      transport_(std::move(transport)),
      store_(std::move(store)) {}

Status Home::replaceNodeKey(crypto::SigningKey key) {
  const std::string current = dir_ + "/" + kNodeKeyFile;
  const std::string kept = current + "." + toHex(node_key_.publicKey()).substr(0, 16) + ".old";
  std::error_code ec;
  if (fs::exists(kept, ec)) return Status::AlreadyExists(kept + " exists");
  fs::rename(current, kept, ec);
  if (ec) return Status::IOError("cannot keep the old key as " + kept, ec.message());
  EICHUB_RETURN_IF_ERROR(key.savePem(current));
  auto held = store_->meta(kFormerNodeIdsKey);
  std::string former = held.ok() ? *held : "";
  former += (former.empty() ? "" : ",") + toHex(node_key_.publicKey());
  EICHUB_RETURN_IF_ERROR(store_->setMeta(kFormerNodeIdsKey, former));
  EICHUB_RETURN_IF_ERROR(store_->setMeta("node_id", toHex(key.publicKey())));
  node_key_ = std::move(key);
  return Status::OK();
}

std::vector<PublicKey> Home::formerNodeIds() const {
  std::vector<PublicKey> out;
  auto held = store_->meta(kFormerNodeIdsKey);
  if (!held.ok()) return out;
  for (size_t at = 0; at + 2 * kPublicKeyBytes <= held->size(); at += 2 * kPublicKeyBytes + 1) {
    if (auto key = fixedFromHex<kPublicKeyBytes>(held->substr(at, 2 * kPublicKeyBytes))) {
      out.push_back(*key);
    }
  }
  return out;
}

PeerCard Home::peerCard() const {
  return PeerCard{node_key_.publicKey(), transport_.public_z85, options_.listen};
}

}  // namespace eichub::home
