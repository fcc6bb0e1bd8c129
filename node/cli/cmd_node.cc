// Node commands: init (create a home), id (peer card), status, digest.
#include <algorithm>
#include <chrono>
#include <fstream>
#include <map>
#include <memory>

#include <capnp/message.h>
#include <fmt/core.h>

#include "node/catalog/change.h"
#include "node/cli/commands.h"
#include "node/cli/context.h"
#include "node/cli/progress.h"
#include "node/daemon/control.h"
#include "node/daemon/daemon.h"
#include "node/home/peers.h"
#include "node/policy/staleness.h"
#include "node/policy/trust_inputs.h"
#include "node/publish/publisher.h"
#include "node/store/fork_proofs.h"

namespace eichub::cli {

namespace {

struct InitFlags {
  CommonFlags common;
  config::Options options;
  std::string sector;
};

// The node's own ClusterProfile record: seq 1 of its feed.
Result<catalog::Change> clusterProfile(const home::Home& home) {
  const config::Options& o = home.options();
  capnp::MallocMessageBuilder message;
  auto profile = message.initRoot<schema::Record>().initClusterProfile();
  profile.setId("profile");
  auto name = profile.initName(1);
  name[0].setLang("en");
  name[0].setText(o.name);
  profile.setRegion(o.region);
  auto sectors = profile.initSectors(static_cast<unsigned>(o.sectors.size()));
  for (size_t i = 0; i < o.sectors.size(); ++i) sectors.set(static_cast<unsigned>(i), o.sectors[i]);
  profile.setContact(o.contact);
  profile.setPeerEndpoint(o.listen);
  profile.setTransportKey(home.transportKeys().public_z85);
  return catalog::changeFromRecord(message.getRoot<schema::Record>().asReader());
}

int runInit(InitFlags& flags) {
  if (!flags.sector.empty()) flags.options.sectors.push_back(flags.sector);
  std::string dir = home::resolveHomeDir(flags.common.home);
  if (Status s = home::Home::create(dir, flags.options); !s.ok()) return fail(s);
  auto home = openHome(flags.common, false);
  if (!home) return kExitFailure;
  auto profile = clusterProfile(*home);
  if (!profile.ok()) return fail(profile.status());
  auto published =
      publish::publishChanges(home->store(), home->nodeKey(), home->options().network, {*profile});
  if (!published.ok()) return fail(published.status());
  fmt::print("initialised {} for \"{}\"\nnode id {}\npeer card: {}\n", dir, home->options().name,
             toHex(home->nodeKey().publicKey()), home::formatPeerCard(home->peerCard()));
  return kExitOk;
}

int runId(const CommonFlags& flags) {
  auto home = openHome(flags, true);
  if (!home) return kExitFailure;
  home::PeerCard card = home->peerCard();
  // A daemon bound to tcp://host:* knows its real port; its run file says which.
  std::ifstream run_file(daemon::runFilePath(home->dir()));
  nlohmann::json run = nlohmann::json::parse(run_file, nullptr, false);
  if (daemon::daemonRunning(home->dir()) && run.is_object() && run["endpoint"].is_string()) {
    card.endpoint = run["endpoint"].get<std::string>();
  }
  if (flags.json) {
    printJson({{"node", toHex(card.node_id)},
               {"name", home->options().name},
               {"transport_key", card.transport_public_z85},
               {"endpoint", card.endpoint},
               {"card", home::formatPeerCard(card)}});
  } else {
    fmt::print("{}\n", home::formatPeerCard(card));
  }
  return kExitOk;
}

int runStatus(const CommonFlags& flags) {
  auto home = openHome(flags, true);
  if (!home) return kExitFailure;
  store::CatalogStore& store = home->store();
  auto counts = store.queries().countsByKind();
  auto feeds = store.queries().feeds();
  auto bytes = store.storeBytes();
  auto erased = store.queries().erasedBodies();
  if (!counts.ok()) return fail(counts.status());
  if (!feeds.ok()) return fail(feeds.status());
  if (!bytes.ok()) return fail(bytes.status());
  if (!erased.ok()) return fail(erased.status());
  const PublicKey& self = home->nodeKey().publicKey();
  // Stale by this machine's clock (a report; verdicts never read it). A peers.toml that does
  // not load is `trust show`'s error to report; status still answers.
  std::map<PublicKey, std::string_view> stale;
  if (auto peers = home::loadPeers(home->dir()); peers.ok()) {
    auto trust = policy::currentTrust(store, policy::trustConfig(*home, *peers));
    if (!trust.ok()) return fail(trust.status());
    const int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                               std::chrono::system_clock::now().time_since_epoch())
                               .count();
    const int64_t window_ms = int64_t{peers->stale_after_hours} * 3'600'000;
    for (const policy::StaleFeed& feed : policy::staleFeeds(*trust, *feeds, now_ms, window_ms)) {
      stale[feed.author] = feed.reason;
    }
  }
  // A running daemon adds what it knows of peers: the best remote head of every feed.
  nlohmann::json daemon_status;
  if (auto reply = daemon::askDaemon(home->dir(), "status"); reply.ok()) {
    daemon_status = nlohmann::json::parse(*reply, nullptr, false);
  }
  std::map<std::string, uint64_t> best_remote;
  if (daemon_status.is_object()) {
    for (const auto& f : daemon_status["feeds"]) best_remote[f["author"]] = f["best_remote_seq"];
  }
  nlohmann::json feed_list = nlohmann::json::array();
  uint64_t frozen_feeds = 0;
  for (const store::FeedInfo& f : *feeds) {
    std::string author = toHex(f.author);
    // A fork proof freezes the feed (see `eichub trust show`).
    const bool frozen = store.meta(store::forkMetaKey(f.author)).ok();
    frozen_feeds += frozen ? 1 : 0;
    uint64_t remote = std::max(best_remote[author], f.head.seq);
    feed_list.push_back({{"author", author},
                         {"own", f.author == self},
                         {"seq", f.head.seq},
                         {"head", toHex(f.head.hash)},
                         {"verified_up_to", f.verified_up_to},
                         {"best_remote_seq", remote},
                         {"frozen", frozen},
                         {"stale", stale.count(f.author) ? stale[f.author] : ""},
                         {"progress", remote ? static_cast<double>(f.head.seq) / remote : 1.0}});
  }
  for (const auto& [author, remote] : best_remote) {
    bool held = std::any_of(
        feeds->begin(), feeds->end(),
        [&, &hex = author](const store::FeedInfo& f) { return toHex(f.author) == hex; });
    if (!held && remote > 0) {
      feed_list.push_back({{"author", author},
                           {"own", false},
                           {"seq", 0},
                           {"best_remote_seq", remote},
                           {"progress", 0.0}});
    }
  }
  if (flags.json) {
    printJson({{"node", toHex(self)},
               {"name", home->options().name},
               {"region", home->options().region},
               {"network", home->options().network},
               {"records", *counts},
               {"feeds", feed_list},
               {"frozen_feeds", frozen_feeds},
               {"stale_feeds", stale.size()},
               {"erased_bodies", *erased},
               {"store_bytes", *bytes},
               {"daemon", daemon_status.is_object() ? daemon_status : nlohmann::json()}});
    return kExitOk;
  }
  fmt::print(
      "node     {}\nname     {}\nregion   {}\nnetwork  {}\nstore    {} bytes\nfrozen   {} feeds\n"
      "stale    {} feeds\nerased   {} bodies\n",
      toHex(self), home->options().name, home->options().region, home->options().network, *bytes,
      frozen_feeds, stale.size(), *erased);
  if (daemon_status.is_object() && daemon_status.value("withheld_feeds", uint64_t{0}) > 0) {
    // A peer announces more of these feeds than any peer delivers (withheld, case 14).
    fmt::print("warning  {} feeds behind what a peer announced and not advancing\n",
               daemon_status["withheld_feeds"].get<uint64_t>());
  }
  fmt::print("records:\n");
  for (const auto& [kind, n] : *counts) fmt::print("  {:<16} {}\n", kind, n);
  fmt::print("feeds:\n");
  for (const store::FeedInfo& f : *feeds) {
    fmt::print("  {} seq {}{}\n", toHex(f.author), f.head.seq, f.author == self ? " (own)" : "");
  }
  if (daemon_status.is_object() && daemon_status.value("catching_up", false)) {
    // A bar of updates held over updates peers announced, over every feed.
    uint64_t held = 0, announced = 0;
    for (const auto& f : feed_list) {
      held += f["seq"].get<uint64_t>();
      announced += f["best_remote_seq"].get<uint64_t>();
    }
    // One line, not a running Progress: that draws nothing off a terminal before 2 s.
    fmt::print("{} updates\n", progressLine("catching up", held, announced));
  }
  return kExitOk;
}

int runDigest(const CommonFlags& flags) {
  auto home = openHome(flags, true);
  if (!home) return kExitFailure;
  auto digest = home->store().queries().digest();
  if (!digest.ok()) return fail(digest.status());
  fmt::print("{}\n", toHex(*digest));
  return kExitOk;
}

}  // namespace

void addNodeCommands(CLI::App& app, int& exit_code) {
  auto init_flags = std::make_shared<InitFlags>();
  CLI::App* init = app.add_subcommand("init", "Create a node home: config, keys and store");
  addHomeFlag(*init, init_flags->common);
  init->add_option("--name", init_flags->options.name, "Cluster name")->required();
  init->add_option("--region", init_flags->options.region, "NUTS region code, e.g. UKE42");
  init->add_option("--sector", init_flags->sector, "Industry sector, e.g. healthcare");
  init->add_option("--contact", init_flags->options.contact, "Operator contact");
  init->add_option("--network", init_flags->options.network, "Network id (default eichub)");
  init->add_option("--listen", init_flags->options.listen, "Peer endpoint, tcp://host:port");
  init->add_option("--http", init_flags->options.http_listen, "Dashboard/API address host:port");
  init->callback([init_flags, &exit_code] { exit_code = runInit(*init_flags); });

  auto id_flags = std::make_shared<CommonFlags>();
  CLI::App* id = app.add_subcommand("id", "Print this node's one-line peer card");
  addHomeFlag(*id, *id_flags);
  addJsonFlag(*id, *id_flags);
  id->callback([id_flags, &exit_code] { exit_code = runId(*id_flags); });

  auto status_flags = std::make_shared<CommonFlags>();
  CLI::App* status = app.add_subcommand("status", "Records per kind, feeds and store size");
  addHomeFlag(*status, *status_flags);
  addJsonFlag(*status, *status_flags);
  status->callback([status_flags, &exit_code] { exit_code = runStatus(*status_flags); });

  auto digest_flags = std::make_shared<CommonFlags>();
  CLI::App* digest = app.add_subcommand("digest", "SHA-256 of the whole catalogue state");
  addHomeFlag(*digest, *digest_flags);
  digest->callback([digest_flags, &exit_code] { exit_code = runDigest(*digest_flags); });
}

}  // namespace eichub::cli
