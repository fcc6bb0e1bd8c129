// Trust command helpers.
#include "node/cli/trust_publish.h"

#include <algorithm>
#include <ctime>

#include "node/daemon/control.h"
#include "node/publish/publisher.h"

namespace eichub::cli {

Result<uint64_t> publishTrustRecord(home::Home& home, const crypto::SigningKey& key,
                                    const trust::TrustRecord& record) {
  catalog::Change change;
  change.op = feed::Op::UPSERT;
  change.kind = catalog::Kind::TRUST;
  change.id = trust::recordId(record);
  change.body = trust::encodeRecord(record);
  // The limits peers apply, before anything is signed.
  EICHUB_RETURN_IF_ERROR(trust::decodeRecord(change.body).status());
  EICHUB_ASSIGN_OR_RETURN(
      publish::PublishSummary summary,
      publish::publishChanges(home.store(), key, home.options().network, {change}));
  if (summary.written() == 0) return Status::AlreadyExists("the same record is already published");
  (void)daemon::notifyDaemon(home.dir());
  EICHUB_ASSIGN_OR_RETURN(feed::Head head, home.store().queries().head(key.publicKey()));
  return head.seq;
}

Result<PublicKey> parseKeyOrCard(std::string_view text) {
  if (auto key = fixedFromHex<kPublicKeyBytes>(text)) return *key;
  auto card = home::parsePeerCard(text);
  if (!card.ok()) return Status::InvalidArgument("expected a 64-hex id or a peer card");
  return card->node_id;
}

Result<int64_t> parseExpiry(std::string_view date) {
  std::tm tm{};
  std::string text(date);
  const char* end = strptime(text.c_str(), "%Y-%m-%d", &tm);
  if (end == nullptr || *end != '\0') return Status::InvalidArgument("a date is YYYY-MM-DD");
  const int64_t day_start = static_cast<int64_t>(timegm(&tm));
  return (day_start + 86'400) * 1000 - 1;
}

Result<std::vector<feed::KindCode>> parseKinds(std::string_view list) {
  std::vector<feed::KindCode> kinds;
  size_t start = 0;
  while (start <= list.size()) {
    size_t comma = list.find(',', start);
    if (comma == std::string_view::npos) comma = list.size();
    auto kind = catalog::parseKind(list.substr(start, comma - start));
    if (!kind || *kind == catalog::Kind::TRUST) {
      return Status::InvalidArgument("unknown record kind",
                                     std::string(list.substr(start, comma - start)));
    }
    kinds.push_back(catalog::kindCode(*kind));
    start = comma + 1;
  }
  std::sort(kinds.begin(), kinds.end());
  kinds.erase(std::unique(kinds.begin(), kinds.end()), kinds.end());
  return kinds;
}

}  // namespace eichub::cli
