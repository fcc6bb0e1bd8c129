# Peer-to-peer sync messages (docs/architecture.md "From a peer to the commit"). One ZeroMQ
# message holds one Message.
# A link is one node's DEALER connected to a peer's ROUTER: the DEALER side (client) sends
# hello, want and wantBodies; the ROUTER side (server) answers hello, sends updates only within
# the credit a want granted, answers wantBodies with bodies, and announces new heads with have.
# Evolution rule: add fields at the end with new ordinals; never renumber or retype.
@0xa6d656e094d94b13;

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("eichub::schema");
using Feed = import "feed.capnp";

# The feed format (feed.capnp): 2 since prev hashes the previous signed header. A hello of
# another version is refused with both named.
const protocolVersion :UInt32 = 2;

struct HeadInfo {
  author @0 :Data;   # 32-byte Ed25519 key
  seq @1 :UInt64;
  hash @2 :Data;     # SHA-256 of the header at seq
}

struct Hello {
  protocolVersion @0 :UInt32;
  network @1 :Data;
  nodeId @2 :Data;            # informational: peers are identified by their CURVE key
  heads @3 :List(HeadInfo);   # every feed the sender holds
  serveBudgetBytes @4 :UInt64;  # as a server, the most bytes of updates it keeps sent to a link
                                # past what the client's wants state it holds (Want.heldSeq); the
                                # client restates its want as it reads. 0: an older node
  zstdBodies @5 :Bool;          # the sender reads bodies sent as frames (Updates.bodyFrames,
                                # BodyItem.bodyFrame)
}

# Asks for updates of one feed from fromSeq on; the server sends at most credit of them,
# in one or more updates messages, and at most its serveBudgetBytes past heldSeq.
struct Want {
  author @0 :Data;
  fromSeq @1 :UInt64;
  credit @2 :UInt32;
  headersOnly @3 :Bool;  # send every update without its body (selective sync asks for the bodies
                         # it subscribed to with wantBodies)
  heldSeq @4 :UInt64;    # the client holds (has read and verified) this feed up to here; a want
                         # of a range the server sent that states heldSeq >= fromSeq - 1 asks it
                         # to go on where it stopped. 0: not stated (an older client)
}

# One update of one feed, by position: bodies are stored beside their headers.
struct BodyRef {
  author @0 :Data;
  seq @1 :UInt64;
}

# Asks for the bodies of held headers; the server answers every ref once, in one or more bodies
# messages.
struct WantBodies {
  refs @0 :List(BodyRef);
}

struct BodyItem {
  author @0 :Data;
  seq @1 :UInt64;
  body @2 :Data;   # empty: the server does not hold it (not fetched, or erased)
  bodyFrame @3 :Data;  # only to a client whose hello set zstdBodies: the body as one zstd frame
                       # naming its size, sent instead of body (as Updates.bodyFrames)
}

struct Bodies {
  items @0 :List(BodyItem);
}

# A contiguous run of one author's updates, oldest first.
struct Updates {
  updates @0 :List(Feed.Update);
  # Only to a client whose hello set zstdBodies, and then empty or as long as updates: a non-empty
  # entry is update i's body as one zstd frame naming its size, sent instead of its body
  # (federation/feed/body_frame.h). Hashes and signatures cover the decompressed bytes.
  bodyFrames @1 :List(Data);
}

# Two valid signed headers by the same author at the same seq with different bytes.
struct ForkProof {
  first @0 :Feed.SignedHeader;
  second @1 :Feed.SignedHeader;
}

struct Message {
  union {
    hello @0 :Hello;
    want @1 :Want;
    updates @2 :Updates;
    have @3 :HeadInfo;
    fork @4 :ForkProof;
    bye @5 :Void;
    wantBodies @6 :WantBodies;
    bodies @7 :Bodies;
  }
}
