# Signed feed entries: the bytes that authors sign and that nodes store and exchange.
# Evolution rule: add fields at the end with new ordinals; never renumber or retype (but an enum
# may become the UInt16 that encodes it, as Header.kind did).
@0xefec8ed37d182c53;

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("eichub::schema");

enum Op {
  upsert @0;   # the body is the record's new value
  delete @1;   # tombstone: the record is gone, no body
  erase @2;    # the body of an earlier update is dropped everywhere; the header stays
}

# The canonical Cap'n Proto encoding of a Header is what its author signs.
struct Header {
  network @0 :Data;      # network id: a header cannot be replayed into another network
  author @1 :Data;       # 32-byte Ed25519 public key
  seq @2 :UInt64;        # 1, 2, 3 ... with no gaps
  prev @3 :Data;         # SHA-256 of the previous signed header: its header bytes, then its
                         # 64-byte signature (format 2); 32 zero bytes for seq 1
  time @4 :Int64;        # author's clock, ms since the epoch; never decreases within a feed
  op @5 :Op;
  kind @6 :UInt16;       # the record's kind: a number the federation does not interpret, but for
                         # 8, trust; the node names the others (Kind in catalog.capnp). Formats 1
                         # and 2 declared this field as an enum, whose encoding is the same UInt16
                         # in the same place, so no signed header changed.
  id @7 :Text;           # record id, unique per (kind, author)
  tags @8 :List(Text);   # "sector:healthcare", "region:UKE42", "skill:<uri>": selective-sync filters
  bodyHash @9 :Data;     # SHA-256 of the body bytes; empty for delete
  bodySize @10 :UInt32;  # body length in bytes; 0 for delete
  # erase only: the seqs, ascending, of this feed's earlier upserts of the same (kind, id) whose
  # bodies every node drops. Signed with the header, so what an erase removes is never a guess.
  erases @11 :List(UInt64);
}

# header holds the exact canonical bytes that were signed, so a node verifies what it received
# and never a re-serialisation.
struct SignedHeader {
  header @0 :Data;
  signature @1 :Data;    # 64-byte Ed25519 signature over header
}

# body holds the canonical bytes of one catalogue.capnp Record (empty for delete).
struct Update {
  signed @0 :SignedHeader;
  body @1 :Data;
}

# First message of a feed export file; the updates follow, one message each, oldest first.
struct FeedFileInfo {
  formatVersion @0 :UInt32;   # the feed format: 2 (prev hashes the previous signed header)
  author @1 :Data;
  network @2 :Data;
  count @3 :UInt64;           # number of Update messages that follow
}
