// Trust commands: authority init/admit/remove/approve-rotation, trust root/show, key rotate,
// vendor keygen/admit/revoke.
#include <chrono>
#include <memory>
#include <optional>

#include <fmt/core.h>

#include "node/catalog/record_json.h"
#include "node/cli/commands.h"
#include "node/cli/context.h"
#include "node/cli/trust_publish.h"
#include "node/daemon/control.h"
#include "node/daemon/store_adapter.h"
#include "node/home/peers.h"
#include "node/policy/staleness.h"
#include "node/policy/trust_inputs.h"

namespace eichub::cli {

namespace {

struct TrustFlags {
  CommonFlags common;
  config::Options options;  // authority init
  std::string key;          // the key or card a command is about
  std::string name;
  std::string region;
  std::string reason;
  std::string kinds;
  std::string id_prefix;
  std::string expires;
  std::string out;
  std::string new_key;  // authority approve-rotation
  uint64_t after_seq = 0;
  uint64_t max_records = 0;  // authority admit, vendor admit: the signed quota; 0: no limit
  uint64_t max_mb = 0;       // the same, in MiB of record bodies; 0: no limit
  uint32_t threshold = 0;    // trust root --threshold; 0: unchanged
  bool after_seq_given = false;
  bool drop = false;
};

// --max-mb takes at most this many MiB: bytes fit a UInt64 with room (2^60 bytes, an exbibyte).
constexpr uint64_t kMaxQuotaMb = 1ull << 40;

// The byte quota --max-mb signs: MiB of record bodies (bodySize summed from seq 1).
uint64_t quotaBytes(const TrustFlags& flags) { return flags.max_mb << 20; }

int reportPublished(const Result<uint64_t>& seq, const std::string& what) {
  if (!seq.ok()) return fail(seq.status().withContext(what + " not published"));
  fmt::print("{} published at seq {}\n", what, *seq);
  return kExitOk;
}

int runAuthorityInit(TrustFlags& flags) {
  std::string dir = home::resolveHomeDir(flags.common.home);
  if (flags.options.name.empty()) flags.options.name = "network authority";
  if (Status s = home::Home::create(dir, flags.options); !s.ok()) return fail(s);
  auto home = openHome(flags.common, true);
  if (!home) return kExitFailure;
  fmt::print("authority id {}\nmembers trust it with: eichub trust root {}\n",
             toHex(home->nodeKey().publicKey()), toHex(home->nodeKey().publicKey()));
  return kExitOk;
}

int runAuthorityAdmit(const TrustFlags& flags) {
  auto home = openHome(flags.common, false);
  if (!home) return kExitFailure;
  auto node = parseKeyOrCard(flags.key);
  if (!node.ok()) return fail(node.status());
  trust::Membership membership{*node, flags.name, flags.region, flags.max_records,
                               quotaBytes(flags)};
  return reportPublished(publishTrustRecord(*home, home->nodeKey(), membership),
                         "membership of " + flags.key.substr(0, 16));
}

// The cut-off of a removal or revocation: --after-seq, else the seq of the key's feed this
// home holds now (0 when it holds none), so that what this operator has seen stays.
Result<uint64_t> cutoffFor(home::Home& home, const TrustFlags& flags, const PublicKey& key) {
  if (flags.after_seq_given) return flags.after_seq;
  EICHUB_ASSIGN_OR_RETURN(feed::Head head, home.store().head(key));
  return head.seq;
}

int runAuthorityRemove(const TrustFlags& flags) {
  auto home = openHome(flags.common, false);
  if (!home) return kExitFailure;
  auto node = parseKeyOrCard(flags.key);
  if (!node.ok()) return fail(node.status());
  auto cutoff = cutoffFor(*home, flags, *node);
  if (!cutoff.ok()) return fail(cutoff.status());
  trust::Removal removal{*node, *cutoff, flags.drop, flags.reason};
  return reportPublished(publishTrustRecord(*home, home->nodeKey(), removal),
                         fmt::format("removal after seq {}", *cutoff));
}

// Under an m-of-n root threshold, another root's key rotation counts once enough roots stand
// behind it: this root's approval goes in its own feed.
int runAuthorityApproveRotation(const TrustFlags& flags) {
  auto home = openHome(flags.common, false);
  if (!home) return kExitFailure;
  auto old_key = fixedFromHex<kPublicKeyBytes>(flags.key);
  auto new_key = fixedFromHex<kPublicKeyBytes>(flags.new_key);
  if (!old_key || !new_key) return fail("the old and new root ids are 64 hex digits each");
  if (*old_key == *new_key) return fail("the old and new root ids are the same");
  trust::RotationApproval approval{*old_key, *new_key};
  return reportPublished(publishTrustRecord(*home, home->nodeKey(), approval),
                         "approval of the rotation of " + flags.key.substr(0, 16));
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
  if (daemon::daemonRunning(home->dir())) (void)daemon::askDaemon(home->dir(), "reload");
  fmt::print("trusting network root {}\n", flags.key);
  return kExitOk;
}

int runVendorKeygen(const TrustFlags& flags) {
  auto key = crypto::SigningKey::generate();
  if (!key.ok()) return fail(key.status());
  if (Status s = key->savePem(flags.out); !s.ok()) return fail(s);
  fmt::print("{}\n", toHex(key->publicKey()));
  return kExitOk;
}

int runVendorAdmit(const TrustFlags& flags) {
  auto home = openHome(flags.common, false);
  if (!home) return kExitFailure;
  auto vendor = fixedFromHex<kPublicKeyBytes>(flags.key);
  if (!vendor) return fail("a vendor id is 64 hex digits (printed by `eichub vendor keygen`)");
  auto kinds = parseKinds(flags.kinds);
  if (!kinds.ok()) return fail(kinds.status().withContext("--kinds"));
  int64_t expires = 0;
  if (!flags.expires.empty()) {
    auto parsed = parseExpiry(flags.expires);
    if (!parsed.ok()) return fail(parsed.status().withContext("--expires"));
    expires = *parsed;
  }
  trust::Delegation delegation{*vendor, flags.name,        *kinds,           flags.id_prefix,
                               expires, flags.max_records, quotaBytes(flags)};
  return reportPublished(publishTrustRecord(*home, home->nodeKey(), delegation),
                         "delegation of " + flags.key.substr(0, 16));
}

int runVendorRevoke(const TrustFlags& flags) {
  auto home = openHome(flags.common, false);
  if (!home) return kExitFailure;
  auto vendor = fixedFromHex<kPublicKeyBytes>(flags.key);
  if (!vendor) return fail("a vendor id is 64 hex digits");
  auto cutoff = cutoffFor(*home, flags, *vendor);
  if (!cutoff.ok()) return fail(cutoff.status());
  trust::Revocation revocation{*vendor, *cutoff, flags.drop, flags.reason};
  return reportPublished(publishTrustRecord(*home, home->nodeKey(), revocation),
                         fmt::format("revocation after seq {}", *cutoff));
}

// Rotates the home's node key, or with --key a vendor key it carries (new key to --out): the
// rotation record goes in the old key's feed, signed by the old key, and carries the new
// key's signature.
int runKeyRotate(const TrustFlags& flags) {
  auto home = openHome(flags.common, false);
  if (!home) return kExitFailure;
  const bool vendor = !flags.key.empty();
  if (vendor == flags.out.empty()) return fail("--key and --out go together");
  if (!vendor && daemon::daemonRunning(home->dir())) {
    return fail("stop the daemon first: it signs with the current node key");
  }
  std::optional<crypto::SigningKey> vendor_key;
  if (vendor) {
    auto loaded = crypto::SigningKey::loadPem(flags.key);
    if (!loaded.ok()) return fail(loaded.status().withContext("--key " + flags.key));
    vendor_key = std::move(*loaded);
  }
  const crypto::SigningKey& old_key = vendor ? *vendor_key : home->nodeKey();
  const PublicKey old_id = old_key.publicKey();
  auto new_key = crypto::SigningKey::generate();
  if (!new_key.ok()) return fail(new_key.status());
  const PublicKey new_id = new_key->publicKey();
  trust::Rotation rotation{
      new_id, new_key->sign(trust::rotationMessage(home->options().network, old_id, new_id))};
  auto seq = publishTrustRecord(*home, old_key, rotation);
  if (!seq.ok()) return fail(seq.status().withContext("rotation not published"));
  Status saved = vendor ? new_key->savePem(flags.out) : home->replaceNodeKey(std::move(*new_key));
  if (!saved.ok()) {
    return fail(saved.withContext("the rotation is published but the new key was not saved"));
  }
  if (flags.common.json) {
    printJson({{"old_key", toHex(old_id)}, {"new_key", toHex(new_id)}, {"rotation_seq", *seq}});
  } else {
    fmt::print("rotated {} to {} at seq {}\n", toHex(old_id), toHex(new_id), *seq);
  }
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
  if (auto feeds = home.store().feeds(); feeds.ok()) {
    for (const store::FeedInfo& feed : *feeds) {
      if (auto proof = home.store().meta(daemon::forkMetaKey(feed.author)); proof.ok()) {
        frozen.push_back({{"id", toHex(feed.author)}, {"fork_seq", daemon::forkSeq(*proof)}});
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

void addCutFlags(CLI::App& command, TrustFlags& flags) {
  command.add_option("--reason", flags.reason, "Why, for the record")->required();
  command
      .add_option("--after-seq", flags.after_seq,
                  "Last seq of the key's feed that still counts (default: what this home "
                  "holds now)")
      ->each([&flags](const std::string&) { flags.after_seq_given = true; });
  command.add_flag("--drop", flags.drop, "Drop the key's earlier records from the state too");
}

// The signed quotas of a membership or delegation. "Records" are updates of the key's feed:
// every version of a record is stored, so a re-published record counts again, in both.
void addQuotaFlag(CLI::App& command, TrustFlags& flags) {
  command.add_option("--max-records", flags.max_records,
                     "Quota: updates of the key's feed every node stores (each new version of a "
                     "record counts; later ones are refused as over_quota); 0: no limit");
  command
      .add_option("--max-mb", flags.max_mb,
                  "Quota: MiB of records (body bytes summed over the key's feed) every node "
                  "stores; the update that passes it and all later ones are refused as "
                  "over_quota; 0: no limit")
      ->check(CLI::Range(uint64_t{0}, kMaxQuotaMb));
}

}  // namespace

void addTrustCommands(CLI::App& app, int& exit_code) {
  CLI::App* authority = app.add_subcommand("authority", "A network authority (a trust root)");
  authority->require_subcommand(1);

  auto init_flags = std::make_shared<TrustFlags>();
  CLI::App* init = authority->add_subcommand("init", "Create an authority home and key");
  addHomeFlag(*init, init_flags->common);
  init->add_option("--name", init_flags->options.name, "Authority name");
  init->add_option("--network", init_flags->options.network, "Network id (default eichub)");
  init->add_option("--listen", init_flags->options.listen, "Peer endpoint, to run it as a node");
  init->callback([init_flags, &exit_code] { exit_code = runAuthorityInit(*init_flags); });

  auto admit_flags = std::make_shared<TrustFlags>();
  CLI::App* admit = authority->add_subcommand("admit", "Admit a node as a member");
  addHomeFlag(*admit, admit_flags->common);
  admit->add_option("node", admit_flags->key, "The node's card or id")->required();
  admit->add_option("--name", admit_flags->name, "Member name")->required();
  admit->add_option("--region", admit_flags->region, "NUTS region code");
  addQuotaFlag(*admit, *admit_flags);
  admit->callback([admit_flags, &exit_code] { exit_code = runAuthorityAdmit(*admit_flags); });

  auto remove_flags = std::make_shared<TrustFlags>();
  CLI::App* remove = authority->add_subcommand("remove", "Remove a member (or any key)");
  addHomeFlag(*remove, remove_flags->common);
  remove->add_option("node", remove_flags->key, "The node's card or id")->required();
  addCutFlags(*remove, *remove_flags);
  remove->callback([remove_flags, &exit_code] { exit_code = runAuthorityRemove(*remove_flags); });

  auto approve_flags = std::make_shared<TrustFlags>();
  CLI::App* approve = authority->add_subcommand(
      "approve-rotation", "Stand behind another root's key rotation (m-of-n roots)");
  addHomeFlag(*approve, approve_flags->common);
  approve->add_option("old", approve_flags->key, "The rotated root id (64 hex)")->required();
  approve->add_option("new", approve_flags->new_key, "Its new id (64 hex)")->required();
  approve->callback(
      [approve_flags, &exit_code] { exit_code = runAuthorityApproveRotation(*approve_flags); });

  CLI::App* trust_cmd = app.get_subcommand("trust");
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

  CLI::App* key = app.add_subcommand("key", "Node and vendor keys");
  key->require_subcommand(1);
  auto rotate_flags = std::make_shared<TrustFlags>();
  CLI::App* rotate = key->add_subcommand("rotate", "Move to a new key, signed by the old one");
  addHomeFlag(*rotate, rotate_flags->common);
  addJsonFlag(*rotate, rotate_flags->common);
  rotate->add_option("--key", rotate_flags->key, "A vendor key file to rotate instead");
  rotate->add_option("--out", rotate_flags->out, "Where the vendor's new key goes (mode 0600)");
  rotate->callback([rotate_flags, &exit_code] { exit_code = runKeyRotate(*rotate_flags); });

  CLI::App* vendor = app.add_subcommand("vendor", "Vendors publishing through this node");
  vendor->require_subcommand(1);
  auto keygen_flags = std::make_shared<TrustFlags>();
  CLI::App* keygen = vendor->add_subcommand("keygen", "Create a vendor key; prints its id");
  keygen->add_option("--out", keygen_flags->out, "Key file to create (mode 0600)")->required();
  keygen->callback([keygen_flags, &exit_code] { exit_code = runVendorKeygen(*keygen_flags); });

  auto vadmit_flags = std::make_shared<TrustFlags>();
  CLI::App* vadmit = vendor->add_subcommand("admit", "Delegate a scope to a vendor key");
  addHomeFlag(*vadmit, vadmit_flags->common);
  vadmit->add_option("vendor", vadmit_flags->key, "Vendor id (64 hex)")->required();
  vadmit->add_option("--name", vadmit_flags->name, "Vendor name")->required();
  vadmit->add_option("--kinds", vadmit_flags->kinds, "Record kinds, e.g. LearningResource,Provider")
      ->required();
  vadmit->add_option("--id-prefix", vadmit_flags->id_prefix, "Ids must start with this");
  vadmit->add_option("--expires", vadmit_flags->expires,
                     "YYYY-MM-DD: updates signed after that day are refused");
  addQuotaFlag(*vadmit, *vadmit_flags);
  vadmit->callback([vadmit_flags, &exit_code] { exit_code = runVendorAdmit(*vadmit_flags); });

  auto revoke_flags = std::make_shared<TrustFlags>();
  CLI::App* revoke = vendor->add_subcommand("revoke", "Cut a vendor's feed at a seq");
  addHomeFlag(*revoke, revoke_flags->common);
  revoke->add_option("vendor", revoke_flags->key, "Vendor id (64 hex)")->required();
  addCutFlags(*revoke, *revoke_flags);
  revoke->callback([revoke_flags, &exit_code] { exit_code = runVendorRevoke(*revoke_flags); });
}

}  // namespace eichub::cli
