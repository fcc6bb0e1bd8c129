// Key commands: key rotate (the node key, or a vendor key the home carries).
#include <memory>
#include <optional>

#include <fmt/core.h>

#include "node/cli/commands.h"
#include "node/cli/trust_flags.h"
#include "node/cli/trust_publish.h"
#include "node/daemon/control.h"

namespace eichub::cli {

namespace {

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

}  // namespace

void addKeyCommands(CLI::App& app, int& exit_code) {
  CLI::App* key = app.add_subcommand("key", "Node and vendor keys");
  key->require_subcommand(1);
  auto rotate_flags = std::make_shared<TrustFlags>();
  CLI::App* rotate = key->add_subcommand("rotate", "Move to a new key, signed by the old one");
  addHomeFlag(*rotate, rotate_flags->common);
  addJsonFlag(*rotate, rotate_flags->common);
  rotate->add_option("--key", rotate_flags->key, "A vendor key file to rotate instead");
  rotate->add_option("--out", rotate_flags->out, "Where the vendor's new key goes (mode 0600)");
  rotate->callback([rotate_flags, &exit_code] { exit_code = runKeyRotate(*rotate_flags); });
}

}  // namespace eichub::cli
