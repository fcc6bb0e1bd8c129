# Trust records: the bodies of feed updates of kind trust. Such a body is a bare TrustRecord
# message, not a catalogue Record, so that the federation library can judge trust without
# knowing the catalogue. The header id names the variant and the key it concerns:
# "member/<hex>", "remove/<hex>", "delegate/<hex>", "revoke/<hex>", "rotate/<hex of new key>",
# "approve/<hex of old key>/<hex of new key>", "expires".
# Evolution rule: add fields at the end with new ordinals; never renumber or retype.
@0xe8cd848bb0c5a275;

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("eichub::schema");

# A network authority (a root) admits a node key as a member. Quotas bound what an author can
# make every node store: updates past maxUpdates, or from the first seq at which the running sum
# of bodySize over the feed from seq 1 passes maxBytes, are refused as over_quota everywhere,
# like a cut-off at that seq. Records written before quotas existed decode as unlimited.
struct Membership {
  node @0 :Data;             # 32-byte Ed25519 key
  name @1 :Text;
  region @2 :Text;           # NUTS code
  maxUpdates @3 :UInt64;     # quota: the member's feed counts up to this seq; 0: no limit
  maxBytes @4 :UInt64;       # quota: bodySize summed from seq 1 stays within this; 0: no limit
}

# A root removes a key (member or any other): its updates after cutoffSeq are refused
# everywhere; with dropRecords its earlier records leave the state too.
struct Removal {
  key @0 :Data;
  cutoffSeq @1 :UInt64;
  dropRecords @2 :Bool;
  reason @3 :Text;
}

# A member admits a vendor key with a scope. expiresMs is compared with the signed header
# time of the vendor's updates, never with a receiving node's clock.
struct Delegation {
  vendor @0 :Data;
  name @1 :Text;
  kinds @2 :List(UInt16);    # header kinds (catalog.capnp's Kind numbers); never trust
  idPrefix @3 :Text;
  expiresMs @4 :Int64;
  maxUpdates @5 :UInt64;     # quota: the vendor's feed counts up to this seq; 0: no limit
  maxBytes @6 :UInt64;       # quota: bodySize summed from seq 1 stays within this; 0: no limit
}

# The vendor's delegator (or a root) cuts the vendor's feed at cutoffSeq.
struct Revocation {
  vendor @0 :Data;
  cutoffSeq @1 :UInt64;
  dropRecords @2 :Bool;
  reason @3 :Text;
}

# In the old key's feed, signed by the old key: the new key takes over its role and scope and
# the old feed ends here. newKeySignature is the new key's signature over
# "eichub rotation v1\n" || network || old key || new key: nobody rotates to a key they lack.
struct Rotation {
  newKey @0 :Data;
  newKeySignature @1 :Data;
}

# In another root's feed: it stands behind a root key's rotation. Under an m-of-n root
# threshold a root's rotation counts once m distinct root identities (the rotating one through
# its rotation record) stand behind it; until then the new key writes nothing that counts.
struct RotationApproval {
  oldKey @0 :Data;
  newKey @1 :Data;
}

# Freshness (freeze protection, as TUF's expiring metadata): the author declares its own feed
# current until expiresMs. After that a node reports the feed stale by its own clock; no
# verdict reads it. A newer one (same id, "expires") replaces it.
struct Expiry {
  expiresMs @0 :Int64;
}

struct TrustRecord {
  union {
    membership @0 :Membership;
    removal @1 :Removal;
    delegation @2 :Delegation;
    revocation @3 :Revocation;
    rotation @4 :Rotation;
    approval @5 :RotationApproval;
    expiry @6 :Expiry;
  }
}
