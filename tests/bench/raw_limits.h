// Raw limits of this machine, measured in the same run as the federation benchmark: what one
// core verifies, what LMDB writes, what ZeroMQ CURVE carries over tcp loopback.
#pragma once

#include <cstdint>
#include <string>

#include "federation/common/result.h"
#include "federation/feed/update.h"

namespace eichub::bench {

// Ed25519 verifications per second on one core, of a real update header, through
// crypto::verifySignature (OpenSSL's one-shot EVP_DigestVerify, as the sync engine calls it).
double rawVerifyRate(const feed::VerifiedUpdate& sample, int verifies);

struct LmdbRate {
  double puts_per_s = 0;
  double mib_per_s = 0;  // value bytes
};
// mdb_put (MDB_APPEND, the best case) of count values of value_bytes under 40-byte keys
// (author || seq, as the headers table) into a fresh environment in dir, through
// store::LmdbEnv, committing every txn_puts puts (each commit syncs to disk).
// Errors: from LMDB.
Result<LmdbRate> rawLmdbWriteRate(const std::string& dir, uint64_t count, size_t value_bytes,
                                  uint64_t txn_puts);

struct CommitLatency {
  double median_us = 0;
  double p99_us = 0;
};
// Latency of a write txn holding one put of value_bytes, commit (and its fsync) included, over
// rounds txns in a fresh environment in dir: the floor of every hop of a live update.
Result<CommitLatency> rawLmdbCommitLatency(const std::string& dir, int rounds, size_t value_bytes);

struct CurveRate {
  double messages_per_s = 0;
  double mib_per_s = 0;
  double rtt_median_us = 0;  // one small message there and back
  double rtt_p99_us = 0;
};
// A DEALER and a ROUTER made by federation/transport/sockets.h, CURVE on with a ZAP handler,
// each in its own context (as in two daemons) over tcp://127.0.0.1. First rtt_rounds round
// trips of 64-byte messages, then messages of message_bytes sent one way as fast as they go.
// Errors: Unavailable when the sockets cannot be made.
Result<CurveRate> rawCurveRate(uint64_t messages, size_t message_bytes, int rtt_rounds);

}  // namespace eichub::bench
