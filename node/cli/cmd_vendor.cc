// Vendor commands: vendor keygen, admit (a delegation of a scope), revoke.
#include <memory>

#include <fmt/core.h>

#include "node/cli/commands.h"
#include "node/cli/trust_flags.h"
#include "node/cli/trust_publish.h"

namespace eichub::cli {

namespace {

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

}  // namespace

void addVendorCommands(CLI::App& app, int& exit_code) {
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
