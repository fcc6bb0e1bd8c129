// What the trust-record commands share (authority, vendor, key, trust): their flags, the
// quota and cut-off flags, and how a published record is reported.
#pragma once

#include <cstdint>
#include <string>

#include <CLI/CLI.hpp>

#include "federation/common/result.h"
#include "node/cli/context.h"
#include "node/home/home.h"

namespace eichub::cli {

struct TrustFlags {
  CommonFlags common;
  config::Options options;  // authority init
  std::string key;          // the key or card a command is about
  std::string name;
  std::string region;
  std::string reason;
  std::string kinds;
  std::string id_prefix;
  std::string expires;  // vendor admit --expires, trust expires: YYYY-MM-DD
  std::string out;
  std::string new_key;  // authority approve-rotation
  uint64_t after_seq = 0;
  uint64_t max_records = 0;  // authority admit, vendor admit: the signed quota; 0: no limit
  uint64_t max_mb = 0;       // the same, in MiB of record bodies; 0: no limit
  uint32_t threshold = 0;    // trust root --threshold; 0: unchanged
  uint32_t hours = 0;        // trust stale-after
  bool after_seq_given = false;
  bool drop = false;
};

// --max-mb takes at most this many MiB: bytes fit a UInt64 with room (2^60 bytes, an exbibyte).
inline constexpr uint64_t kMaxQuotaMb = 1ull << 40;

// The byte quota --max-mb signs: MiB of record bodies (bodySize summed from seq 1).
uint64_t quotaBytes(const TrustFlags& flags);
// Prints "<what> published at seq N"; the exit code.
int reportPublished(const Result<uint64_t>& seq, const std::string& what);
// The cut-off of a removal or revocation: --after-seq, else the seq of the key's feed this
// home holds now (0 when it holds none), so that what this operator has seen stays.
Result<uint64_t> cutoffFor(home::Home& home, const TrustFlags& flags, const PublicKey& key);
// --reason (required), --after-seq, --drop.
void addCutFlags(CLI::App& command, TrustFlags& flags);
// The signed quotas of a membership or delegation. "Records" are updates of the key's feed:
// every version of a record is stored, so a re-published record counts again, in both.
void addQuotaFlag(CLI::App& command, TrustFlags& flags);

}  // namespace eichub::cli
