// Authority commands: authority init, admit, remove, approve-rotation (a trust root's
// records, signed in its own feed).
#include <memory>

#include <fmt/core.h>

#include "node/cli/commands.h"
#include "node/cli/trust_flags.h"
#include "node/cli/trust_publish.h"

namespace eichub::cli {

namespace {

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

}  // namespace

void addAuthorityCommands(CLI::App& app, int& exit_code) {
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
}

}  // namespace eichub::cli
