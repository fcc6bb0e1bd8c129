// TrustState: derivation from held trust records and the verdict on one header.
#include "federation/trust/trust_state.h"

#include <algorithm>

namespace eichub::trust {

namespace {

bool startsWith(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

// Who may write a trust record with this id: roots admit and remove members and approve root
// rotations; roots, members and directly trusted keys admit and revoke vendors; any author may
// rotate its own key and declare its own feed's expiry.
bool mayWriteTrust(Role role, std::string_view id) {
  if (startsWith(id, "rotate/") || id == "expires") return true;
  if (startsWith(id, "member/") || startsWith(id, "remove/") || startsWith(id, "approve/")) {
    return role == Role::kRoot;
  }
  if (startsWith(id, "delegate/") || startsWith(id, "revoke/")) return role != Role::kVendor;
  return false;
}

// Members and vendors: the authors quotas bind (configured keys are this node's own choice).
bool admittedByRecord(Role role) { return role == Role::kMember || role == Role::kVendor; }

// Orders held for judging: the configured roots' records first, then the others, each author's
// in seq order; keeps at most kMaxTrustRecordsPerAuthor per author and counts the rest.
std::map<PublicKey, uint64_t> judgingOrder(const TrustConfig& config,
                                           std::vector<HeldRecord>& held) {
  std::sort(held.begin(), held.end(), [&config](const HeldRecord& a, const HeldRecord& b) {
    const bool a_root = config.roots.count(a.author) != 0;
    const bool b_root = config.roots.count(b.author) != 0;
    if (a_root != b_root) return a_root;
    return a.author != b.author ? a.author < b.author : a.seq < b.seq;
  });
  std::map<PublicKey, uint64_t> overflowing;
  size_t kept = 0;
  size_t of_author = 0;
  for (size_t i = 0; i < held.size(); ++i) {
    of_author = i > 0 && held[i].author == held[i - 1].author ? of_author + 1 : 1;
    if (of_author > kMaxTrustRecordsPerAuthor) {
      ++overflowing[held[i].author];
      continue;
    }
    if (kept != i) held[kept] = std::move(held[i]);
    ++kept;
  }
  held.resize(kept);
  return overflowing;
}

}  // namespace

std::string_view roleName(Role role) {
  switch (role) {
    case Role::kRoot:
      return "root";
    case Role::kDirect:
      return "direct";
    case Role::kMember:
      return "member";
    case Role::kVendor:
      return "vendor";
  }
  return "?";
}

std::string_view cutCauseName(CutCause cause) {
  switch (cause) {
    case CutCause::kRemoved:
      return "removed";
    case CutCause::kRevoked:
      return "revoked";
    case CutCause::kRotated:
      return "rotated";
  }
  return "?";
}

TrustState TrustState::base(const TrustConfig& config) {
  TrustState state;
  for (const PublicKey& key : config.direct) state.authors_[key].role = Role::kDirect;
  for (const PublicKey& key : config.roots) state.authors_[key].role = Role::kRoot;
  for (auto& [key, entry] : state.authors_) entry.identity = key;
  state.local_max_updates_ = config.local_max_updates;
  state.local_max_bytes_ = config.local_max_bytes;
  state.own_ = config.own;
  return state;
}

TrustState TrustState::derive(const TrustConfig& config, std::vector<HeldRecord> held) {
  std::map<PublicKey, uint64_t> overflowing = judgingOrder(config, held);
  TrustState prev = base(config);
  for (int round = 0; round < kMaxDeriveRounds; ++round) {
    TrustState next = base(config);
    // Root records under a threshold: the root identities holding each (id, body), and the
    // first such record in (author, seq) order, applied once enough identities agree.
    std::map<std::pair<std::string, Bytes>, std::pair<std::set<PublicKey>, const HeldRecord*>>
        agreement;
    // Root rotations under a threshold, by (old key, new key): the identities behind each and
    // the rotation record itself (null while only approvals are held).
    std::map<std::pair<PublicKey, PublicKey>, std::pair<std::set<PublicKey>, const HeldRecord*>>
        rotations;
    for (const HeldRecord& record : held) {
      feed::HeaderFields header;
      header.author = record.author;
      header.seq = record.seq;
      header.time_ms = record.time_ms;
      header.kind = feed::kTrustKind;
      header.id = record.id;
      if (prev.verdict(header) != reason::kAccepted) continue;
      const AuthorTrust* author = prev.find(record.author);
      if (config.root_threshold > 1 && author->role == Role::kRoot &&
          !std::holds_alternative<Expiry>(record.record)) {
        if (auto* rotation = std::get_if<Rotation>(&record.record)) {
          auto& [identities, rotation_record] = rotations[{record.author, rotation->new_key}];
          identities.insert(author->identity);
          rotation_record = &record;  // one rotation per (old, new) pair: its id names the key
        } else if (auto* approval = std::get_if<RotationApproval>(&record.record)) {
          rotations[{approval->old_key, approval->new_key}].first.insert(author->identity);
        } else {
          auto& [identities, first] = agreement[{record.id, encodeRecord(record.record)}];
          identities.insert(author->identity);
          if (first == nullptr) first = &record;
        }
        continue;
      }
      next.apply(prev, record);
    }
    for (const auto& [what, votes] : agreement) {
      if (votes.first.size() >= config.root_threshold) next.apply(prev, *votes.second);
    }
    for (const auto& [keys, votes] : rotations) {
      if (votes.second == nullptr) continue;
      if (votes.first.size() >= config.root_threshold) {
        next.apply(prev, *votes.second);
      } else {
        next.pending_[keys.second] =
            PendingRotation{keys.first, static_cast<uint32_t>(votes.first.size())};
      }
    }
    if (next == prev) break;
    prev = std::move(next);
  }
  prev.overflowing_ = std::move(overflowing);
  return prev;
}

void TrustState::cut(const PublicKey& key, Cut cut) {
  auto [it, inserted] = cuts_.try_emplace(key, cut);
  if (inserted) return;
  // Several cuts of one key: the earliest seq wins and any drop drops.
  Cut& held = it->second;
  const bool drop = held.drop || cut.drop;
  if (cut.cutoff_seq < held.cutoff_seq) held = std::move(cut);
  held.drop = drop;
}

void TrustState::apply(const TrustState& prev, const HeldRecord& held) {
  const AuthorTrust* author = prev.find(held.author);
  if (author == nullptr) return;
  if (auto* m = std::get_if<Membership>(&held.record)) {
    if (auto it = authors_.find(m->node); it != authors_.end()) {
      // Configured keys keep their role (first membership wins), but a direct key's
      // membership is kept for the record.
      AuthorTrust& known = it->second;
      if (known.role == Role::kDirect && known.granted_by == PublicKey{}) {
        known.granted_by = held.author;
        known.granted_at_seq = held.seq;
        known.name = m->name;
        known.region = m->region;
      }
      return;
    }
    AuthorTrust member;
    member.role = Role::kMember;
    member.identity = m->node;
    member.granted_by = held.author;
    member.granted_at_seq = held.seq;
    member.name = m->name;
    member.region = m->region;
    member.max_updates = m->max_updates;
    member.max_bytes = m->max_bytes;
    authors_[m->node] = std::move(member);
  } else if (auto* r = std::get_if<Removal>(&held.record)) {
    cut(r->key, Cut{r->cutoff_seq, r->drop_records, CutCause::kRemoved, held.author, r->reason,
                    PublicKey{}});
  } else if (auto* d = std::get_if<Delegation>(&held.record)) {
    if (authors_.count(d->vendor) != 0) return;
    size_t& count = delegations_[held.author];
    if (count >= kMaxDelegationsPerGrantor) return;
    ++count;
    AuthorTrust vendor;
    vendor.role = Role::kVendor;
    vendor.identity = d->vendor;
    vendor.granted_by = held.author;
    vendor.granted_at_seq = held.seq;
    vendor.name = d->name;
    vendor.scope = Scope{d->kinds, d->id_prefix, d->expires_ms};
    vendor.max_updates = d->max_updates;
    vendor.max_bytes = d->max_bytes;
    authors_[d->vendor] = std::move(vendor);
  } else if (auto* v = std::get_if<Revocation>(&held.record)) {
    // Only the vendor's own delegator, or a root, may revoke it.
    const AuthorTrust* vendor = prev.find(v->vendor);
    if (vendor == nullptr || vendor->role != Role::kVendor) return;
    if (vendor->granted_by != held.author && author->role != Role::kRoot) return;
    cut(v->vendor, Cut{v->cutoff_seq, v->drop_records, CutCause::kRevoked, held.author, v->reason,
                       PublicKey{}});
  } else if (std::holds_alternative<RotationApproval>(held.record)) {
    return;  // counted in derive(); alone (threshold 1) a root's rotation needs none
  } else if (auto* e = std::get_if<Expiry>(&held.record)) {
    expiries_[held.author] = e->expires_ms;
  } else {
    const auto& rotation = std::get<Rotation>(held.record);
    if (author->rotations >= kMaxRotationChain) return;
    // The old key stops here whatever happens to the new one.
    cut(held.author,
        Cut{held.seq, false, CutCause::kRotated, held.author, "key rotated", rotation.new_key});
    // Taking over a key that already has a role of its own would merge two identities, unless
    // it is the very key this rotation made in the previous round: the new key keeps its own.
    if (auto it = prev.authors_.find(rotation.new_key);
        it != prev.authors_.end() && it->second.rotated_from != held.author) {
      return;
    }
    if (authors_.count(rotation.new_key) != 0) return;
    AuthorTrust successor = *author;
    successor.rotated_from = held.author;
    successor.rotations = author->rotations + 1;
    authors_[rotation.new_key] = std::move(successor);
  }
}

const AuthorTrust* TrustState::find(const PublicKey& author) const {
  auto it = authors_.find(author);
  return it == authors_.end() ? nullptr : &it->second;
}

uint64_t TrustState::lastAcceptedSeq(const PublicKey& author) const {
  const AuthorTrust* entry = find(author);
  if (entry == nullptr) return 0;
  uint64_t quota = entry->max_updates != 0 ? entry->max_updates : kNoCutoff;
  if (local_max_updates_ != 0 && admittedByRecord(entry->role)) {
    quota = std::min(quota, local_max_updates_);
  }
  auto it = cuts_.find(author);
  if (it == cuts_.end()) return quota;
  return it->second.drop ? 0 : std::min(it->second.cutoff_seq, quota);
}

std::string_view TrustState::byteVerdict(const PublicKey& author, uint64_t feed_bytes) const {
  const AuthorTrust* entry = find(author);
  if (entry == nullptr) return reason::kAccepted;
  if (entry->max_bytes != 0 && feed_bytes > entry->max_bytes) return reason::kOverQuota;
  if (local_max_bytes_ != 0 && feed_bytes > local_max_bytes_ && own_.count(author) == 0) {
    return reason::kLocalBudget;
  }
  return reason::kAccepted;
}

std::string_view TrustState::verdict(const feed::HeaderFields& header) const {
  const AuthorTrust* author = find(header.author);
  if (author == nullptr) {
    return pending_.count(header.author) != 0 ? reason::kRotationUnconfirmed
                                              : reason::kUnknownAuthor;
  }
  if (auto it = cuts_.find(header.author); it != cuts_.end()) {
    if (it->second.drop) return reason::kDropped;
    if (header.seq > it->second.cutoff_seq) return reason::kAfterCutoff;
  }
  if (author->max_updates != 0 && header.seq > author->max_updates) return reason::kOverQuota;
  if (local_max_updates_ != 0 && admittedByRecord(author->role) &&
      header.seq > local_max_updates_) {
    return reason::kOverLocalQuota;
  }
  if (header.kind == feed::kTrustKind) {
    return mayWriteTrust(author->role, header.id) ? reason::kAccepted : reason::kNotAuthorized;
  }
  if (author->role != Role::kVendor) return reason::kAccepted;
  const Scope& scope = author->scope;
  if (std::find(scope.kinds.begin(), scope.kinds.end(), header.kind) == scope.kinds.end()) {
    return reason::kOutOfScopeKind;
  }
  if (!startsWith(header.id, scope.id_prefix)) return reason::kOutOfScopePrefix;
  if (scope.expires_ms != 0 && header.time_ms > scope.expires_ms) return reason::kExpired;
  return reason::kAccepted;
}

}  // namespace eichub::trust
