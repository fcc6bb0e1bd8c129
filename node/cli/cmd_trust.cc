// Trust commands, what this node accepts: trust add (an author, from any peer), root (a network
// authority's members), show; and freshness (freeze protection): `trust expires` declares how
// long this node's own feed stays fresh, in a signed record, `trust stale-after` sets the window
// after which a silent feed is reported stale. Freshness feeds reports only; no verdict reads it.
#include <chrono>
#include <memory>

#include <fmt/core.h>

#include "node/catalog/record_json.h"
#include "node/cli/commands.h"
#include "node/cli/trust_flags.h"
#include "node/cli/trust_publish.h"
#include "node/daemon/control.h"
#include "node/home/peers.h"
#include "node/policy/staleness.h"
#include "node/policy/trust_inputs.h"
#include "node/store/fork_proofs.h"

namespace eichub::cli {

namespace {

constexpr char kTrustDescription[] = "Authors whose feeds peers may relay to us";

int runTrustAdd(const TrustFlags& flags) {
  auto home = openHome(flags.common, true);
  if (!home) return kExitFailure;
  auto author = fixedFromHex<kPublicKeyBytes>(flags.key);
  if (!author) return fail("an author id is 64 hex digits (see `eichub id`)");
  if (auto added = home::addTrustedAuthor(home->dir(), *author); !added.ok()) {
    return fail(added.status());
  }
  reloadDaemon(home->dir());
  fmt::print("trusting feeds by {}\n", flags.key);
  return kExitOk;
}

int runTrustRoot(const TrustFlags& flags) {
  auto home = openHome(flags.common, true);
  if (!home) return kExitFailure;
  auto root = fixedFromHex<kPublicKeyBytes>(flags.key);
  if (!root) return fail("an authority id is 64 hex digits (printed by `eichub authority init`)");
  auto peers = home::loadPeers(home->dir());
  if (!peers.ok()) return fail(peers.status());
  if (std::find(peers->roots.begin(), peers->roots.end(), *root) == peers->roots.end()) {
    peers->roots.push_back(*root);
  }
  if (flags.threshold != 0) {
    if (flags.threshold > trust::kMaxRootThreshold) return fail("--threshold must be 1 to 64");
    peers->root_threshold = flags.threshold;
  }
  if (peers->root_threshold > peers->roots.size()) {
    fmt::print(stderr, "note: {} of {} roots must agree; add the other roots with `trust root`\n",
               peers->root_threshold, peers->roots.size());
  }
  if (Status s = home::savePeers(home->dir(), *peers); !s.ok()) return fail(s);
  reloadDaemon(home->dir());
  fmt::print("trusting network root {}\n", flags.key);
  return kExitOk;
}

nlohmann::json trustJson(home::Home& home, const trust::TrustState& state,
                         const home::PeerList& peers) {
  const int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
  nlohmann::json roots = nlohmann::json::array();
  for (const PublicKey& root : peers.roots) roots.push_back(toHex(root));
  nlohmann::json direct = nlohmann::json::array();
  nlohmann::json members = nlohmann::json::array();
  nlohmann::json vendors = nlohmann::json::array();
  nlohmann::json stale = nlohmann::json::array();
  for (const auto& [key, entry] : state.authors()) {
    nlohmann::json item = {{"id", toHex(key)}, {"role", trust::roleName(entry.role)}};
    if (entry.granted_by != PublicKey{}) {
      item["granted_by"] = toHex(entry.granted_by);
      item["granted_at_seq"] = entry.granted_at_seq;
    }
    if (entry.rotated_from != PublicKey{}) item["rotated_from"] = toHex(entry.rotated_from);
    if (!entry.name.empty()) item["name"] = entry.name;
    if (entry.max_updates != 0) item["max_updates"] = entry.max_updates;
    if (entry.max_bytes != 0) item["max_bytes"] = entry.max_bytes;
    if (auto expiry = state.expiries().find(key); expiry != state.expiries().end()) {
      item["expires_ms"] = expiry->second;  // the author's own signed freshness limit
    }
    switch (entry.role) {
      case trust::Role::kRoot:
        break;
      case trust::Role::kDirect:
        direct.push_back(item);
        // A configured key a root also admitted is a member too.
        if (entry.granted_by != PublicKey{}) {
          item["region"] = entry.region;
          members.push_back(item);
        }
        break;
      case trust::Role::kMember:
        item["region"] = entry.region;
        members.push_back(item);
        break;
      case trust::Role::kVendor: {
        nlohmann::json kinds = nlohmann::json::array();
        for (feed::KindCode kind : entry.scope.kinds) kinds.push_back(catalog::kindName(kind));
        // Stale is a report for the operator, by this machine's clock; verdicts never use it.
        const bool expired = entry.scope.expires_ms != 0 && entry.scope.expires_ms < now_ms;
        item["scope"] = {{"kinds", kinds},
                         {"id_prefix", entry.scope.id_prefix},
                         {"expires_ms", entry.scope.expires_ms}};
        item["stale"] = expired;
        vendors.push_back(item);
        break;
      }
    }
  }
  nlohmann::json cuts = nlohmann::json::array();
  for (const auto& [key, cut] : state.cuts()) {
    nlohmann::json item = {{"id", toHex(key)},
                           {"cause", trust::cutCauseName(cut.cause)},
                           {"cutoff_seq", cut.cutoff_seq},
                           {"drop_records", cut.drop},
                           {"by", toHex(cut.by)},
                           {"reason", cut.reason}};
    if (cut.cause == trust::CutCause::kRotated) item["rotated_to"] = toHex(cut.rotated_to);
    cuts.push_back(item);
  }
  nlohmann::json pending = nlohmann::json::array();
  for (const auto& [new_key, rotation] : state.pendingRotations()) {
    pending.push_back({{"old", toHex(rotation.old_key)},
                       {"new", toHex(new_key)},
                       {"roots_behind", rotation.identities},
                       {"roots_needed", peers.root_threshold}});
  }
  nlohmann::json overflowing = nlohmann::json::array();
  for (const auto& [author, ignored] : state.overflowing()) {
    overflowing.push_back({{"id", toHex(author)},
                           {"ignored_records", ignored},
                           {"limit", trust::kMaxTrustRecordsPerAuthor}});
  }
  nlohmann::json frozen = nlohmann::json::array();
  nlohmann::json stale_feeds = nlohmann::json::array();
  if (auto feeds = home.store().queries().feeds(); feeds.ok()) {
    for (const store::FeedInfo& feed : *feeds) {
      if (auto proof = home.store().meta(store::forkMetaKey(feed.author)); proof.ok()) {
        frozen.push_back({{"id", toHex(feed.author)}, {"fork_seq", store::forkSeq(*proof)}});
      }
    }
    const int64_t window_ms = int64_t{peers.stale_after_hours} * 3'600'000;
    for (const policy::StaleFeed& feed : policy::staleFeeds(state, *feeds, now_ms, window_ms)) {
      stale.push_back(toHex(feed.author));
      stale_feeds.push_back({{"id", toHex(feed.author)},
                             {"role", trust::roleName(feed.role)},
                             {"reason", feed.reason},
                             {"since_ms", feed.since_ms}});
    }
  }
  return {{"roots", roots},
          {"root_threshold", peers.root_threshold},
          {"direct", direct},
          {"members", members},
          {"vendors", vendors},
          {"cuts", cuts},
          {"pending_rotations", pending},
          {"trust_record_overflow", overflowing},
          {"frozen", frozen},
          {"stale", stale},
          {"stale_feeds", stale_feeds},
          {"stale_after_hours", peers.stale_after_hours}};
}

int runTrustShow(const TrustFlags& flags) {
  auto home = openHome(flags.common, true);
  if (!home) return kExitFailure;
  auto peers = home::loadPeers(home->dir());
  if (!peers.ok()) return fail(peers.status());
  auto state = policy::currentTrust(home->store(), policy::trustConfig(*home, *peers));
  if (!state.ok()) return fail(state.status());
  nlohmann::json doc = trustJson(*home, *state, *peers);
  if (flags.common.json) {
    printJson(doc);
    return kExitOk;
  }
  fmt::print("roots    {}\nmembers  {}\nvendors  {}\ncuts     {}\nfrozen   {}\nstale    {}\n",
             doc["roots"].size(), doc["members"].size(), doc["vendors"].size(), doc["cuts"].size(),
             doc["frozen"].size(), doc["stale"].size());
  for (const auto& f : doc["stale_feeds"]) {
    fmt::print("stale {} {} ({})\n", f["id"].get<std::string>(), f["role"].get<std::string>(),
               f["reason"].get<std::string>());
  }
  for (const auto& p : doc["pending_rotations"]) {
    fmt::print("rotation {} -> {} waits: {} of {} roots\n", p["old"].get<std::string>(),
               p["new"].get<std::string>(), p["roots_behind"].get<uint32_t>(),
               p["roots_needed"].get<uint32_t>());
  }
  for (const auto& v : doc["vendors"]) {
    std::string quota = v.contains("max_updates")
                            ? fmt::format(" quota {} updates", v["max_updates"].get<uint64_t>())
                            : std::string();
    if (v.contains("max_bytes")) {
      quota += fmt::format(" quota {} MiB", v["max_bytes"].get<uint64_t>() >> 20);
    }
    fmt::print("vendor {} \"{}\" prefix \"{}\"{}\n", v["id"].get<std::string>(),
               v.value("name", ""), v["scope"]["id_prefix"].get<std::string>(), quota);
  }
  for (const auto& c : doc["cuts"]) {
    fmt::print("cut {} {} after seq {}{}\n", c["id"].get<std::string>(),
               c["cause"].get<std::string>(), c["cutoff_seq"].get<uint64_t>(),
               c["drop_records"].get<bool>() ? " (records dropped)" : "");
  }
  return kExitOk;
}

int runTrustExpires(const TrustFlags& flags) {
  auto home = openHome(flags.common, false);
  if (!home) return kExitFailure;
  auto expires = parseExpiry(flags.expires);
  if (!expires.ok()) return fail(expires.status());
  auto seq = publishTrustRecord(*home, home->nodeKey(), trust::Expiry{*expires});
  if (!seq.ok()) return fail(seq.status().withContext("expiry not published"));
  fmt::print("feed fresh until {} (expires_ms {}), published at seq {}\n", flags.expires, *expires,
             *seq);
  return kExitOk;
}

int runTrustStaleAfter(const TrustFlags& flags) {
  auto home = openHome(flags.common, true);
  if (!home) return kExitFailure;
  if (flags.hours > home::kMaxStaleAfterHours) {
    return fail(fmt::format("hours must be 0 to {}", home::kMaxStaleAfterHours));
  }
  auto peers = home::loadPeers(home->dir());
  if (!peers.ok()) return fail(peers.status());
  peers->stale_after_hours = flags.hours;
  if (Status s = home::savePeers(home->dir(), *peers); !s.ok()) return fail(s);
  reloadDaemon(home->dir());
  if (flags.hours == 0) {
    fmt::print("silent feeds are not reported stale\n");
  } else {
    fmt::print("feeds silent for over {} hours are reported stale\n", flags.hours);
  }
  return kExitOk;
}

}  // namespace

void addTrustCommands(CLI::App& app, int& exit_code) {
  CLI::App* trust_cmd = &subcommandGroup(app, "trust", kTrustDescription);
  auto add_flags = std::make_shared<TrustFlags>();
  CLI::App* add = trust_cmd->add_subcommand("add", "Accept an author's feed from any peer");
  addHomeFlag(*add, add_flags->common);
  add->add_option("author", add_flags->key, "Author id (64 hex)")->required();
  add->callback([add_flags, &exit_code] { exit_code = runTrustAdd(*add_flags); });

  auto root_flags = std::make_shared<TrustFlags>();
  CLI::App* root = trust_cmd->add_subcommand("root", "Trust a network authority's members");
  addHomeFlag(*root, root_flags->common);
  root->add_option("authority", root_flags->key, "Authority id (64 hex)")->required();
  root->add_option("--threshold", root_flags->threshold,
                   "How many distinct roots must publish a record for it to count (m of n)");
  root->callback([root_flags, &exit_code] { exit_code = runTrustRoot(*root_flags); });

  auto show_flags = std::make_shared<TrustFlags>();
  CLI::App* show = trust_cmd->add_subcommand(
      "show", "Roots, members, vendors and scopes, cut-offs, rotations, frozen and stale feeds");
  addHomeFlag(*show, show_flags->common);
  addJsonFlag(*show, show_flags->common);
  show->callback([show_flags, &exit_code] { exit_code = runTrustShow(*show_flags); });

  auto expires_flags = std::make_shared<TrustFlags>();
  CLI::App* expires = trust_cmd->add_subcommand(
      "expires", "Declare, signed, until when this node's feed is fresh (renew before then)");
  addHomeFlag(*expires, expires_flags->common);
  expires->add_option("date", expires_flags->expires, "YYYY-MM-DD (UTC, end of day)")->required();
  expires->callback([expires_flags, &exit_code] { exit_code = runTrustExpires(*expires_flags); });

  auto window_flags = std::make_shared<TrustFlags>();
  CLI::App* window = trust_cmd->add_subcommand(
      "stale-after", "Report trusted feeds stale when their newest signed time is older");
  addHomeFlag(*window, window_flags->common);
  window->add_option("hours", window_flags->hours, "Hours; 0 reports no silent feed")->required();
  window->callback([window_flags, &exit_code] { exit_code = runTrustStaleAfter(*window_flags); });
}

}  // namespace eichub::cli
