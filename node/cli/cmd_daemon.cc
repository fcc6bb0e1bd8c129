// Daemon and peer commands: run, peer add, peer remove, peer list.
#include <algorithm>
#include <fstream>
#include <memory>
#include <vector>

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include "node/cli/commands.h"
#include "node/cli/context.h"
#include "node/config/limits.h"
#include "node/daemon/control.h"
#include "node/daemon/daemon.h"
#include "node/home/peers.h"
#include "node/log.h"

namespace eichub::cli {

namespace {

struct DaemonFlags {
  CommonFlags common;
  bool check_config = false;
  std::string log_level;
  std::string card;
  std::string author;
};

// --check-config's report: the home validated, and every limit in force with its unit, and its
// default where the config changed it.
int printCheckedConfig(const home::Home& home, size_t peers, bool json) {
  const config::Limits& limits = home.options().limits;
  if (json) {
    nlohmann::json out = {{"config", "ok"},
                          {"peers", peers},
                          {"listen", home.options().listen},
                          {"limits", nlohmann::json::array()}};
    for (const config::LimitSpec& spec : config::limitSpecs()) {
      out["limits"].push_back({{"key", config::fullLimitKey(spec)},
                               {"value", limits.*spec.field},
                               {"default", spec.default_value},
                               {"unit", spec.unit}});
    }
    fmt::print("{}\n", out.dump(2));
    return kExitOk;
  }
  fmt::print("config ok: {} peers, listen {}\n", peers, home.options().listen);
  fmt::print("limits in force (docs/limits.md):\n");
  for (const config::LimitSpec& spec : config::limitSpecs()) {
    const uint64_t value = limits.*spec.field;
    fmt::print("  {:<40} {:>12} {}{}\n", config::fullLimitKey(spec), value, spec.unit,
               value == spec.default_value ? "" : fmt::format(" (default {})", spec.default_value));
  }
  return kExitOk;
}

int runRun(const DaemonFlags& flags) {
  auto home = openHome(flags.common, false);
  if (!home) return kExitFailure;
  auto peers = home::loadPeers(home->dir());
  if (!peers.ok()) return fail(peers.status());
  if (flags.check_config) return printCheckedConfig(*home, peers->peers.size(), flags.common.json);
  if (daemon::daemonRunning(home->dir())) {
    return fail("a daemon is already running for " + home->dir());
  }
  log::configure(flags.log_level.empty() ? home->options().log_level : flags.log_level);
  Status s = daemon::runDaemon(*home, flags.log_level);
  if (!s.ok()) return fail(s);
  return kExitOk;
}

int runPeerAdd(const DaemonFlags& flags) {
  auto home = openHome(flags.common, true);
  if (!home) return kExitFailure;
  auto card = home::parsePeerCard(flags.card);
  if (!card.ok()) return fail(card.status().withContext("peer card"));
  if (card->node_id == home->nodeKey().publicKey()) return fail("that is this node's own card");
  auto peers = home::loadPeers(home->dir());
  if (!peers.ok()) return fail(peers.status());
  bool replaced = false;
  for (home::PeerCard& peer : peers->peers) {
    if (peer.node_id == card->node_id) {
      peer = *card;
      replaced = true;
    }
  }
  if (!replaced) peers->peers.push_back(*card);
  if (Status s = home::savePeers(home->dir(), *peers); !s.ok()) return fail(s);
  reloadDaemon(home->dir());
  fmt::print("{} peer {} at {}\n", replaced ? "updated" : "added", toHex(card->node_id),
             card->endpoint);
  return kExitOk;
}

int runPeerRemove(const DaemonFlags& flags) {
  auto home = openHome(flags.common, true);
  if (!home) return kExitFailure;
  auto node_id = fixedFromHex<kPublicKeyBytes>(flags.author);
  if (!node_id) return fail("a node id is 64 hex digits (see `eichub peer list`)");
  auto peers = home::loadPeers(home->dir());
  if (!peers.ok()) return fail(peers.status());
  const size_t before = peers->peers.size();
  std::erase_if(peers->peers, [&](const home::PeerCard& peer) { return peer.node_id == *node_id; });
  if (peers->peers.size() == before) return fail("no peer " + flags.author + " in peers.toml");
  if (Status s = home::savePeers(home->dir(), *peers); !s.ok()) return fail(s);
  // The running daemon closes the peer's sessions at once (ZAP only judges new ones).
  reloadDaemon(home->dir());
  fmt::print("removed peer {}\n", flags.author);
  return kExitOk;
}

int runPeerList(const DaemonFlags& flags) {
  auto home = openHome(flags.common, true);
  if (!home) return kExitFailure;
  auto peers = home::loadPeers(home->dir());
  if (!peers.ok()) return fail(peers.status());
  nlohmann::json status;
  if (auto reply = daemon::askDaemon(home->dir(), "status"); reply.ok()) {
    status = nlohmann::json::parse(*reply, nullptr, false);
  }
  nlohmann::json list = nlohmann::json::array();
  for (const home::PeerCard& peer : peers->peers) {
    nlohmann::json entry = {{"node", toHex(peer.node_id)},
                            {"endpoint", peer.endpoint},
                            {"transport_key", peer.transport_public_z85},
                            {"connected", false},
                            {"last_seen_ms", 0},
                            {"updates_sent", 0},
                            {"updates_received", 0},
                            {"rejected", 0}};
    if (status.is_object() && status.contains("links")) {
      for (const nlohmann::json& link : status["links"]) {
        if (link["peer_key"] != peer.transport_public_z85) continue;
        if (link["role"] == "client") entry["connected"] = link["up"];
        entry["last_seen_ms"] =
            std::max(entry["last_seen_ms"].get<int64_t>(), link["last_seen_ms"].get<int64_t>());
        for (const char* counter : {"updates_sent", "updates_received", "rejected"}) {
          entry[counter] = entry[counter].get<uint64_t>() + link[counter].get<uint64_t>();
        }
        if (link["rejected"].get<uint64_t>() > 0) {
          entry["rejected_by_reason"] = link["rejected_by_reason"];
        }
      }
    }
    list.push_back(entry);
  }
  if (flags.common.json) {
    printJson({{"daemon_running", status.is_object()}, {"peers", list}});
    return kExitOk;
  }
  if (!status.is_object()) fmt::print("(no daemon running: connection state unknown)\n");
  for (const nlohmann::json& p : list) {
    fmt::print("{} {} {} sent {} received {} rejected {}\n", p["node"].get<std::string>(),
               p["endpoint"].get<std::string>(), p["connected"].get<bool>() ? "up" : "down",
               p["updates_sent"].get<uint64_t>(), p["updates_received"].get<uint64_t>(),
               p["rejected"].get<uint64_t>());
  }
  return kExitOk;
}

}  // namespace

void addDaemonCommands(CLI::App& app, int& exit_code) {
  // Each command's flags are shared by its option bindings and its callback, and live as long
  // as the app.
  auto run_flags = std::make_shared<DaemonFlags>();
  CLI::App* run = app.add_subcommand("run", "Run the node daemon until SIGTERM or SIGINT");
  addHomeFlag(*run, run_flags->common);
  run->add_flag("--check-config", run_flags->check_config,
                "Validate the home, print the limits in force and exit");
  addJsonFlag(*run, run_flags->common);
  run->add_option("--log-level", run_flags->log_level, "trace, debug, info, warn or error");
  run->callback([run_flags, &exit_code] { exit_code = runRun(*run_flags); });

  CLI::App* peer = app.add_subcommand("peer", "Configure and list peers");
  peer->require_subcommand(1);
  auto add_flags = std::make_shared<DaemonFlags>();
  CLI::App* add = peer->add_subcommand("add", "Trust and connect to a peer, given its card");
  addHomeFlag(*add, add_flags->common);
  add->add_option("card", add_flags->card, "The peer's card (eichub id on that node)")->required();
  add->callback([add_flags, &exit_code] { exit_code = runPeerAdd(*add_flags); });

  auto remove_flags = std::make_shared<DaemonFlags>();
  CLI::App* remove = peer->add_subcommand(
      "remove", "Stop trusting a peer's transport key and close its sessions now");
  addHomeFlag(*remove, remove_flags->common);
  remove->add_option("node", remove_flags->author, "The peer's node id (64 hex)")->required();
  remove->callback([remove_flags, &exit_code] { exit_code = runPeerRemove(*remove_flags); });

  auto list_flags = std::make_shared<DaemonFlags>();
  CLI::App* list = peer->add_subcommand("list", "Peers with connection state and counters");
  addHomeFlag(*list, list_flags->common);
  addJsonFlag(*list, list_flags->common);
  list->callback([list_flags, &exit_code] { exit_code = runPeerList(*list_flags); });
}

}  // namespace eichub::cli
