// The helpers node/store's files share (internal/store_impl.h): the next rid, erase
// marks, the feeds held.
#include "node/store/internal/store_impl.h"

#include "node/store/internal/header_table.h"
#include "node/store/internal/keys.h"

namespace eichub::store::internal {

Result<Rid> nextRid(const WriteTxn& txn) {
  EICHUB_ASSIGN_OR_RETURN(Cursor cursor, txn.cursor(Table::kRidKeys));
  Entry entry;
  EICHUB_ASSIGN_OR_RETURN(bool found, cursor.get(MDB_LAST, &entry));
  if (!found) return Rid{1};
  EICHUB_ASSIGN_OR_RETURN(Rid last, decodeRid(entry.key));
  return last + 1;
}

Result<bool> isErased(const Txn& txn, const PublicKey& author, uint64_t seq) {
  auto mark = txn.get(Table::kMeta, erasedKey(author, seq));
  if (mark.ok()) return true;
  if (mark.status().isNotFound()) return false;
  return mark.status();
}

Result<std::vector<FeedInfo>> feedsIn(const Txn& txn) {
  EICHUB_ASSIGN_OR_RETURN(Cursor cursor, txn.cursor(Table::kHeads));
  std::vector<FeedInfo> out;
  Entry entry;
  EICHUB_ASSIGN_OR_RETURN(bool more, cursor.get(MDB_FIRST, &entry));
  while (more) {
    if (entry.key.size() != kPublicKeyBytes) return Status::Corruption("bad heads key");
    EICHUB_ASSIGN_OR_RETURN(internal::HeadValue value, internal::decodeHead(entry.value));
    FeedInfo info;
    std::copy(entry.key.begin(), entry.key.end(), info.author.begin());
    EICHUB_RETURN_IF_ERROR(internal::fillFeedBytes(txn, info.author, value));
    info.head = value.head;
    info.verified_up_to = value.verified_up_to;
    out.push_back(info);
    EICHUB_ASSIGN_OR_RETURN(more, cursor.get(MDB_NEXT, &entry));
  }
  return out;
}

}  // namespace eichub::store::internal
