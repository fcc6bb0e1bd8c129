// What the trust-record commands share.
#include "node/cli/trust_flags.h"

#include <fmt/core.h>

namespace eichub::cli {

uint64_t quotaBytes(const TrustFlags& flags) { return flags.max_mb << 20; }

int reportPublished(const Result<uint64_t>& seq, const std::string& what) {
  if (!seq.ok()) return fail(seq.status().withContext(what + " not published"));
  fmt::print("{} published at seq {}\n", what, *seq);
  return kExitOk;
}

Result<uint64_t> cutoffFor(home::Home& home, const TrustFlags& flags, const PublicKey& key) {
  if (flags.after_seq_given) return flags.after_seq;
  EICHUB_ASSIGN_OR_RETURN(feed::Head head, home.store().queries().head(key));
  return head.seq;
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

}  // namespace eichub::cli
