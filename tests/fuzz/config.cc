// Fuzz target: a node's own configuration files: config.toml (node/config/options),
// peers.toml (node/home/peers) and peer cards (node/home/home), the three parts of the input
// as fuzz_input.h splits them; each line of the third part is one card.
// Properties: what parses is written back (renderOptions, savePeers, formatPeerCard) in a form
// that parses to the same thing, so `eichub init` and `eichub peer add` never write a file the
// node then refuses.
#include <cstddef>
#include <cstdint>
#include <fstream>
#include <string>

#include "federation/common/check.h"
#include "node/config/options.h"
#include "node/home/home.h"
#include "node/home/peers.h"
#include "tests/fuzz/fuzz_input.h"
#include "tests/testing/temp_dir.h"

using namespace eichub;

namespace {

void checkOptions(std::string_view text) {
  auto options = config::parseOptions(text, "config.toml");
  if (!options.ok()) return;
  const std::string rendered = config::renderOptions(*options);
  auto again = config::parseOptions(rendered, "rendered config.toml");
  EICHUB_CHECK(again.ok()) << "renderOptions wrote a config that does not parse: "
                           << again.status().toString();
  EICHUB_CHECK(config::renderOptions(*again) == rendered) << "config round trip changed it";
}

std::string cardsOf(const home::PeerList& list) {
  std::string out;
  for (const home::PeerCard& card : list.peers) out += home::formatPeerCard(card) + "\n";
  for (const PublicKey& key : list.trusted) out += toHex(key) + "\n";
  return out;
}

void checkPeers(std::string_view text) {
  // One directory per process: peers.toml is rewritten for every input.
  static const testing::TempDir dir;
  {
    std::ofstream out(dir.file("peers.toml"), std::ios::binary | std::ios::trunc);
    out.write(text.data(), static_cast<std::streamsize>(text.size()));
    EICHUB_CHECK(out.good()) << "cannot write " << dir.file("peers.toml");
  }
  auto list = home::loadPeers(dir.path());
  if (!list.ok()) return;
  EICHUB_CHECK(home::savePeers(dir.path(), *list).ok());
  auto again = home::loadPeers(dir.path());
  EICHUB_CHECK(again.ok()) << "savePeers wrote a file that does not load: "
                           << again.status().toString();
  EICHUB_CHECK(cardsOf(*again) == cardsOf(*list)) << "peers.toml round trip changed it";
}

void checkCards(std::string_view text) {
  while (!text.empty()) {
    const size_t end = std::min(text.find('\n'), text.size());
    auto card = home::parsePeerCard(text.substr(0, end));
    text.remove_prefix(std::min(end + 1, text.size()));
    if (!card.ok()) continue;
    const std::string formatted = home::formatPeerCard(*card);
    auto again = home::parsePeerCard(formatted);
    EICHUB_CHECK(again.ok()) << "formatPeerCard wrote a card that does not parse";
    EICHUB_CHECK(home::formatPeerCard(*again) == formatted) << "peer card round trip changed it";
    EICHUB_CHECK(again->node_id == card->node_id && again->endpoint == card->endpoint);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto parts = fuzz::splitParts(fuzz::asText(data, size), 3);
  checkOptions(parts[0]);
  checkPeers(parts[1]);
  checkCards(parts[2]);
  return 0;
}
