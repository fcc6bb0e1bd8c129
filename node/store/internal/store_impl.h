// The store's private state (the environment, the clock, the write path's reused buffers) and
// the helpers its files share: opening (catalog_store.cc), writing (store_writer.cc,
// apply_session.cc), reading (feed_queries.cc, record_queries.cc), restate.cc and verify.cc.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string_view>
#include <utility>
#include <vector>

#include "node/store/internal/body_codec.h"
#include "node/store/internal/text_index.h"
#include "node/store/lmdb_env.h"
#include "node/store/prepared_body.h"
#include "node/store/store_types.h"

namespace eichub::store {

namespace internal {
inline constexpr std::string_view kSchemaVersionKey = "schema_version";
// The layouts of node/store/internal/keys.h and lmdb_env.h's tables, and the tokenizer of
// node/search. A change to either (which would leave postings that cannot be recomputed) needs
// a new version. 1: postings held record keys, bodies were keyed by hash. 2: rid postings in
// dupfixed tables, bodies beside their headers. 3: the changes table (node-local order of
// applied updates); `eichub migrate` upgrades 2 to 3. 4: feed format 2 (prev hashes the previous
// signed header): `eichub migrate` re-signs the node's own records of a 2 or 3 store into a new
// feed and drops the other feeds, which upgraded peers send again. 5: bodies compressed
// (body_codec.h; a codec byte in the headers value). 6: by_id keyed by a hash of the id. 7: by_id
// keyed by the id itself when it is shorter than a hash (keys.h byIdKey). `eichub migrate`
// copies a 4, 5 or 6 store into a new one, every feed kept.
inline constexpr std::string_view kSchemaVersion = "7";

// The first rid never handed out: one past rid_keys' last key (rids are never reused).
Result<uint64_t> nextRid(const WriteTxn& txn);
// Whether an erase held in author's feed named its upsert at seq (internal::erasedKey).
// Errors: lmdbStatus.
Result<bool> isErased(const Txn& txn, const PublicKey& author, uint64_t seq);
// Every feed held in txn, in author order (StoreQueries::feeds). Errors: Corruption,
// lmdbStatus.
Result<std::vector<FeedInfo>> feedsIn(const Txn& txn);

struct StoreImpl;
// Applies batch in txn (StoreWriter::apply says what it checks and stores); stats counts what
// it did. prepared: null, or one PreparedBody per update of batch (InvalidArgument otherwise).
// On error txn holds part of the batch and must be aborted. Implemented in store_writer.cc.
Status applyBatch(WriteTxn& txn, const std::vector<feed::VerifiedUpdate>& batch,
                  const std::vector<PreparedBody>* prepared, StoreImpl& impl, ApplyStats& stats);

struct StoreImpl {
  std::unique_ptr<LmdbEnv> env;
  std::function<int64_t()> now_ms;  // StoreOptions::now_ms (catalog_store.h)

  // The local clock: now_ms, or the system clock.
  int64_t nowMs() const {
    if (now_ms) return now_ms();
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
  // The index writes of apply(), made by the first apply() inside its write txn and kept from
  // batch to batch so that its tables keep their memory (no regrowth and page faults per
  // batch). Created and used only inside apply's write txn, which LMDB serialises.
  std::unique_ptr<internal::IndexWriter> index;
  // Compresses apply()'s bodies (body_codec.h); made and used like index.
  std::unique_ptr<internal::BodyCompressor> compressor;

  // Runs fn(WriteTxn&) and commits. On MDB_MAP_FULL anywhere (fn or commit) the txn is
  // aborted, the map doubled and fn run again from scratch, so fn must not keep state across
  // calls. Errors: fn's, lmdbStatus, ResourceExhausted when max_map_bytes is reached.
  template <typename Fn>
  Status write(Fn&& fn) {
    for (;;) {
      bool map_full = false;
      Status status;
      {
        auto txn = env->beginWrite();
        if (!txn.ok()) return txn.status();
        status = fn(*txn);
        if (status.ok()) status = txn->commit();
        map_full = txn->mapFull();
      }  // the txn (and its shared resize lock) ends here, before growMap takes it exclusively
      if (!map_full) return status;
      EICHUB_RETURN_IF_ERROR(env->growMap());
    }
  }
};

}  // namespace internal
}  // namespace eichub::store
