// peers.toml: reading and atomic writing.
#include "node/home/peers.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include <fcntl.h>
#include <toml++/toml.h>
#include <unistd.h>

#include "federation/trust/trust_state.h"

namespace eichub::home {

namespace {
constexpr char kPeersFile[] = "peers.toml";
constexpr size_t kMaxPeers = 1000;        // a node peers with a handful; this bounds the file
constexpr size_t kMaxTrustedKeys = 1000;  // configured keys; members and vendors come by records

std::string keyList(const std::vector<PublicKey>& keys) {
  std::string text = "[";
  for (size_t i = 0; i < keys.size(); ++i) text += (i ? ", \"" : "\"") + toHex(keys[i]) + "\"";
  return text + "]";
}
}  // namespace

Result<PeerList> loadPeers(const std::string& dir) {
  std::string path = dir + "/" + kPeersFile;
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return PeerList{};
  toml::table table;
  try {
    table = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    return Status::InvalidArgument(path + ": " + std::string(e.description()));
  }
  PeerList list;
  if (const toml::array* peers = table["peer"].as_array()) {
    if (peers->size() > kMaxPeers) return Status::InvalidArgument(path + ": too many peers");
    for (const toml::node& entry : *peers) {
      const toml::table* peer = entry.as_table();
      std::optional<std::string> card = peer ? (*peer)["card"].value<std::string>() : std::nullopt;
      if (!card) return Status::InvalidArgument(path + ": a [[peer]] has no card");
      auto parsed = parsePeerCard(*card);
      if (!parsed.ok()) return parsed.status().withContext(path);
      list.peers.push_back(*parsed);
    }
  }
  for (auto [field, out] : {std::pair{"authors", &list.trusted}, std::pair{"roots", &list.roots}}) {
    const toml::array* keys = table["trust"][field].as_array();
    if (keys == nullptr) continue;
    if (keys->size() > kMaxTrustedKeys) {
      return Status::InvalidArgument(path + ": too many keys in trust." + field);
    }
    for (const toml::node& entry : *keys) {
      auto key = fixedFromHex<kPublicKeyBytes>(entry.value<std::string>().value_or(""));
      if (!key) {
        return Status::InvalidArgument(path + ": trust." + field + " holds a malformed id");
      }
      out->push_back(*key);
    }
  }
  if (const toml::node* threshold = table["trust"]["root_threshold"].node()) {
    std::optional<int64_t> m = threshold->value<int64_t>();
    if (!m || *m < 1 || *m > trust::kMaxRootThreshold) {
      return Status::InvalidArgument(path + ": trust.root_threshold must be 1 to 64");
    }
    list.root_threshold = static_cast<uint32_t>(*m);
  }
  if (const toml::node* hours = table["trust"]["stale_after_hours"].node()) {
    std::optional<int64_t> h = hours->value<int64_t>();
    if (!h || *h < 0 || *h > kMaxStaleAfterHours) {
      return Status::InvalidArgument(path + ": trust.stale_after_hours must be 0 to " +
                                     std::to_string(kMaxStaleAfterHours));
    }
    list.stale_after_hours = static_cast<uint32_t>(*h);
  }
  return list;
}

Status savePeers(const std::string& dir, const PeerList& list) {
  std::string text =
      "# Peers of this node, authors it trusts when peers relay them, and network roots.\n"
      "# Managed by `eichub peer add` and `eichub trust add`; the daemon reloads it on change.\n";
  for (const PeerCard& peer : list.peers) {
    text += "\n[[peer]]\ncard = \"" + formatPeerCard(peer) + "\"\n";
  }
  text += "\n[trust]\n# Authors accepted directly (`eichub trust add`).\nauthors = " +
          keyList(list.trusted) +
          "\n# Network authorities (`eichub trust root`): the members they admit and the vendors\n"
          "# those members delegate are accepted within their scopes.\nroots = " +
          keyList(list.roots) +
          "\n# How many distinct roots must publish the same record for it to count (m of n).\n"
          "root_threshold = " +
          std::to_string(list.root_threshold) +
          "\n# Hours after which a trusted feed whose newest signed time is older is reported\n"
          "# stale (`eichub trust stale-after`); 0 reports none. A report only: no verdict reads"
          " it.\nstale_after_hours = " +
          std::to_string(list.stale_after_hours) + "\n";
  std::string path = dir + "/" + kPeersFile;
  std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Status::IOError("cannot write " + tmp, std::strerror(errno));
  bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
            ::fsync(fd) == 0;
  ok = (::close(fd) == 0) && ok;
  if (!ok || std::rename(tmp.c_str(), path.c_str()) != 0) {
    return Status::IOError("cannot write " + path, std::strerror(errno));
  }
  return Status::OK();
}

Result<bool> addTrustedAuthor(const std::string& dir, const PublicKey& author) {
  EICHUB_ASSIGN_OR_RETURN(PeerList peers, loadPeers(dir));
  if (std::find(peers.trusted.begin(), peers.trusted.end(), author) != peers.trusted.end()) {
    return false;
  }
  peers.trusted.push_back(author);
  EICHUB_RETURN_IF_ERROR(savePeers(dir, peers));
  return true;
}

}  // namespace eichub::home
