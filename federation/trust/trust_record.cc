// Trust records: encoding, decoding with limits, ids and the rotation check.
#include "federation/trust/trust_record.h"

#include <algorithm>

#include <capnp/message.h>

#include "federation/common/capnp_read.h"
#include "federation/common/utf8.h"
#include "federation/crypto/ed25519_key.h"
#include "schemas/trust.capnp.h"

namespace eichub::trust {

namespace {

constexpr int kTrustNestingLimit = 4;  // TrustRecord -> variant -> list
constexpr std::string_view kRotationDomain = "eichub rotation v1\n";

Status checkText(std::string_view text, size_t max, const char* field) {
  if (text.size() > max) return Status::InvalidArgument(std::string(field) + " too long");
  if (!isValidUtf8(text)) return Status::InvalidArgument(std::string(field) + " is not UTF-8");
  return Status::OK();
}

Result<PublicKey> readKey(capnp::Data::Reader data, const char* field) {
  if (data.size() != kPublicKeyBytes) {
    return Status::InvalidArgument(std::string(field) + " is not a 32-byte key");
  }
  PublicKey key{};
  std::copy(data.begin(), data.end(), key.begin());
  return key;
}

// A key a record lets write (a member, a vendor, a rotation's new key) must not be of small
// order: anyone could sign as it (crypto::isWeakPublicKey).
Status checkAdmittedKey(const PublicKey& key) {
  if (crypto::isWeakPublicKey(key)) {
    return Status::InvalidArgument("key " + toHex(key) +
                                   " is of small order: anyone could sign as it");
  }
  return Status::OK();
}

Status checkRecord(const TrustRecord& record) {
  if (auto* m = std::get_if<Membership>(&record)) {
    EICHUB_RETURN_IF_ERROR(checkAdmittedKey(m->node));
    EICHUB_RETURN_IF_ERROR(checkText(m->name, kMaxNameBytes, "name"));
    return checkText(m->region, kMaxRegionBytes, "region");
  }
  if (auto* r = std::get_if<Removal>(&record))
    return checkText(r->reason, kMaxReasonBytes, "reason");
  if (auto* r = std::get_if<Revocation>(&record)) {
    return checkText(r->reason, kMaxReasonBytes, "reason");
  }
  if (auto* d = std::get_if<Delegation>(&record)) {
    EICHUB_RETURN_IF_ERROR(checkAdmittedKey(d->vendor));
    EICHUB_RETURN_IF_ERROR(checkText(d->name, kMaxNameBytes, "name"));
    EICHUB_RETURN_IF_ERROR(checkText(d->id_prefix, kMaxPrefixBytes, "id prefix"));
    if (d->kinds.empty() || d->kinds.size() > kMaxScopeKinds) {
      return Status::InvalidArgument("a delegation names 1 to 16 kinds");
    }
    if (!std::is_sorted(d->kinds.begin(), d->kinds.end()) ||
        std::adjacent_find(d->kinds.begin(), d->kinds.end()) != d->kinds.end()) {
      return Status::InvalidArgument("delegation kinds must be sorted and distinct");
    }
    if (std::find(d->kinds.begin(), d->kinds.end(), feed::kTrustKind) != d->kinds.end()) {
      return Status::InvalidArgument("a vendor cannot be delegated trust records");
    }
    return Status::OK();
  }
  if (auto* a = std::get_if<RotationApproval>(&record)) {
    if (a->old_key == a->new_key)
      return Status::InvalidArgument("approval of a rotation to itself");
    return Status::OK();
  }
  if (auto* e = std::get_if<Expiry>(&record)) {
    if (e->expires_ms <= 0) return Status::InvalidArgument("expiry must be a positive time");
    return Status::OK();
  }
  const auto& rotation = std::get<Rotation>(record);
  EICHUB_RETURN_IF_ERROR(checkAdmittedKey(rotation.new_key));
  if (rotation.new_key_signature.size() != 64) {
    return Status::InvalidArgument("rotation signature is not 64 bytes");
  }
  return Status::OK();
}

}  // namespace

std::string recordId(const TrustRecord& record) {
  struct Namer {
    std::string operator()(const Membership& m) const { return "member/" + toHex(m.node); }
    std::string operator()(const Removal& r) const { return "remove/" + toHex(r.key); }
    std::string operator()(const Delegation& d) const { return "delegate/" + toHex(d.vendor); }
    std::string operator()(const Revocation& r) const { return "revoke/" + toHex(r.vendor); }
    std::string operator()(const Rotation& r) const { return "rotate/" + toHex(r.new_key); }
    std::string operator()(const RotationApproval& a) const {
      return "approve/" + toHex(a.old_key) + "/" + toHex(a.new_key);
    }
    std::string operator()(const Expiry&) const { return "expires"; }
  };
  return std::visit(Namer{}, record);
}

Bytes encodeRecord(const TrustRecord& record) {
  capnp::MallocMessageBuilder message;
  auto root = message.initRoot<schema::TrustRecord>();
  if (auto* m = std::get_if<Membership>(&record)) {
    auto out = root.initMembership();
    out.setNode(dataOf(m->node));
    out.setName(m->name);
    out.setRegion(m->region);
    out.setMaxUpdates(m->max_updates);
    out.setMaxBytes(m->max_bytes);
  } else if (auto* r = std::get_if<Removal>(&record)) {
    auto out = root.initRemoval();
    out.setKey(dataOf(r->key));
    out.setCutoffSeq(r->cutoff_seq);
    out.setDropRecords(r->drop_records);
    out.setReason(r->reason);
  } else if (auto* d = std::get_if<Delegation>(&record)) {
    auto out = root.initDelegation();
    out.setVendor(dataOf(d->vendor));
    out.setName(d->name);
    auto kinds = out.initKinds(static_cast<unsigned>(d->kinds.size()));
    for (size_t i = 0; i < d->kinds.size(); ++i) kinds.set(static_cast<unsigned>(i), d->kinds[i]);
    out.setIdPrefix(d->id_prefix);
    out.setExpiresMs(d->expires_ms);
    out.setMaxUpdates(d->max_updates);
    out.setMaxBytes(d->max_bytes);
  } else if (auto* v = std::get_if<Revocation>(&record)) {
    auto out = root.initRevocation();
    out.setVendor(dataOf(v->vendor));
    out.setCutoffSeq(v->cutoff_seq);
    out.setDropRecords(v->drop_records);
    out.setReason(v->reason);
  } else if (auto* a = std::get_if<RotationApproval>(&record)) {
    auto out = root.initApproval();
    out.setOldKey(dataOf(a->old_key));
    out.setNewKey(dataOf(a->new_key));
  } else if (auto* e = std::get_if<Expiry>(&record)) {
    root.initExpiry().setExpiresMs(e->expires_ms);
  } else {
    const auto& rotation = std::get<Rotation>(record);
    auto out = root.initRotation();
    out.setNewKey(dataOf(rotation.new_key));
    out.setNewKeySignature(dataOf(rotation.new_key_signature));
  }
  return canonicalBytes(root.asReader());
}

Result<TrustRecord> decodeRecord(ByteView body) {
  if (body.size() > kMaxTrustBodyBytes) return Status::InvalidArgument("trust record too large");
  EICHUB_ASSIGN_OR_RETURN(
      auto message,
      SegmentMessage::open(body, readerOptions(kMaxTrustBodyBytes, kTrustNestingLimit)));
  TrustRecord record;
  try {
    if (!message->isCanonical()) {
      return Status::InvalidArgument("trust record is not canonical");
    }
    auto root = message->reader().getRoot<schema::TrustRecord>();
    switch (root.which()) {
      case schema::TrustRecord::MEMBERSHIP: {
        auto in = root.getMembership();
        Membership m;
        EICHUB_ASSIGN_OR_RETURN(m.node, readKey(in.getNode(), "member key"));
        m.name = in.getName();
        m.region = in.getRegion();
        m.max_updates = in.getMaxUpdates();
        m.max_bytes = in.getMaxBytes();
        record = std::move(m);
        break;
      }
      case schema::TrustRecord::REMOVAL: {
        auto in = root.getRemoval();
        Removal r;
        EICHUB_ASSIGN_OR_RETURN(r.key, readKey(in.getKey(), "removed key"));
        r.cutoff_seq = in.getCutoffSeq();
        r.drop_records = in.getDropRecords();
        r.reason = in.getReason();
        record = std::move(r);
        break;
      }
      case schema::TrustRecord::DELEGATION: {
        auto in = root.getDelegation();
        Delegation d;
        EICHUB_ASSIGN_OR_RETURN(d.vendor, readKey(in.getVendor(), "vendor key"));
        d.name = in.getName();
        if (in.getKinds().size() > kMaxScopeKinds) {
          return Status::InvalidArgument("a delegation names 1 to 16 kinds");
        }
        for (feed::KindCode kind : in.getKinds()) d.kinds.push_back(kind);
        d.id_prefix = in.getIdPrefix();
        d.expires_ms = in.getExpiresMs();
        d.max_updates = in.getMaxUpdates();
        d.max_bytes = in.getMaxBytes();
        record = std::move(d);
        break;
      }
      case schema::TrustRecord::REVOCATION: {
        auto in = root.getRevocation();
        Revocation v;
        EICHUB_ASSIGN_OR_RETURN(v.vendor, readKey(in.getVendor(), "revoked key"));
        v.cutoff_seq = in.getCutoffSeq();
        v.drop_records = in.getDropRecords();
        v.reason = in.getReason();
        record = std::move(v);
        break;
      }
      case schema::TrustRecord::ROTATION: {
        auto in = root.getRotation();
        Rotation r;
        EICHUB_ASSIGN_OR_RETURN(r.new_key, readKey(in.getNewKey(), "new key"));
        r.new_key_signature.assign(in.getNewKeySignature().begin(), in.getNewKeySignature().end());
        record = std::move(r);
        break;
      }
      case schema::TrustRecord::APPROVAL: {
        auto in = root.getApproval();
        RotationApproval a;
        EICHUB_ASSIGN_OR_RETURN(a.old_key, readKey(in.getOldKey(), "old key"));
        EICHUB_ASSIGN_OR_RETURN(a.new_key, readKey(in.getNewKey(), "new key"));
        record = a;
        break;
      }
      case schema::TrustRecord::EXPIRY:
        record = Expiry{root.getExpiry().getExpiresMs()};
        break;
      default:
        return Status::InvalidArgument("unknown trust record variant");
    }
  } catch (const kj::Exception& e) {
    return Status::InvalidArgument("malformed trust record", e.getDescription().cStr());
  }
  EICHUB_RETURN_IF_ERROR(checkRecord(record));
  // Canonical Cap'n Proto still lets bits of an inactive union member through (found by
  // fuzz_trust_record): only our own encoding of the record is accepted, so one record has one
  // byte string and one update id.
  if (encodeRecord(record) != Bytes(body.begin(), body.end())) {
    return Status::InvalidArgument("trust record is not canonical");
  }
  return record;
}

Bytes rotationMessage(const std::string& network, const PublicKey& old_key,
                      const PublicKey& new_key) {
  Bytes out(kRotationDomain.begin(), kRotationDomain.end());
  out.push_back(static_cast<uint8_t>(network.size()));  // network is at most 64 bytes
  out.insert(out.end(), network.begin(), network.end());
  out.insert(out.end(), old_key.begin(), old_key.end());
  out.insert(out.end(), new_key.begin(), new_key.end());
  return out;
}

Status checkTrustUpdate(const feed::VerifiedUpdate& update) {
  const feed::HeaderFields& f = update.fields;
  if (f.op != feed::Op::UPSERT) return Status::InvalidArgument("trust records are never deleted");
  if (!f.tags.empty()) return Status::InvalidArgument("trust records carry no tags");
  // The federation holds every trust body: trust is judged from them.
  if (update.signed_update.body.empty())
    return Status::InvalidArgument("trust record without body");
  EICHUB_ASSIGN_OR_RETURN(TrustRecord record, decodeRecord(update.signed_update.body));
  if (recordId(record) != f.id) {
    return Status::InvalidArgument("trust record id disagrees with its body");
  }
  if (auto* rotation = std::get_if<Rotation>(&record)) {
    if (rotation->new_key == f.author) return Status::InvalidArgument("rotation to the same key");
    Status signed_by_new = crypto::verifySignature(
        rotation->new_key, rotationMessage(f.network, f.author, rotation->new_key),
        rotation->new_key_signature);
    if (!signed_by_new.ok()) {
      return Status::PermissionDenied("rotation not signed by the new key");
    }
  }
  return Status::OK();
}

}  // namespace eichub::trust
