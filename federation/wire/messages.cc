// Encoding of sync messages to Cap'n Proto flat arrays, and their defensive decoding from the
// bytes a peer sent: bounded size, aligned copy, explicit reader limits, every field checked.
#include "federation/wire/messages.h"

#include <algorithm>
#include <string_view>
#include <type_traits>

#include <capnp/message.h>
#include <capnp/serialize.h>
#include <kj/exception.h>

#include "federation/common/capnp_read.h"
#include "federation/feed/body_frame.h"
#include "schemas/federation.capnp.h"

namespace eichub::wire {

namespace {

// Segments per message: our encoder writes one; capnp's stream reader allows 512. The count
// field is checked here because FlatArrayMessageReader reads 0xFFFFFFFF (+1 overflows to 0)
// as a one-segment message.
constexpr uint64_t kMaxSegments = 512;

std::string tooLong(std::string_view what, size_t limit) {
  return std::string(what) + " longer than " + std::to_string(limit) + " bytes";
}

// Copies a Data field that must be exactly N bytes long.
template <size_t N>
Status copyFixed(capnp::Data::Reader data, std::string_view what, std::array<uint8_t, N>& out) {
  if (data.size() != N) {
    return Status::InvalidArgument(std::string(what) + " is " + std::to_string(data.size()) +
                                   " bytes, not " + std::to_string(N));
  }
  std::copy(data.begin(), data.end(), out.begin());
  return Status::OK();
}

// Copies a Data field of at most max_bytes.
Status copyBounded(capnp::Data::Reader data, std::string_view what, size_t max_bytes, Bytes& out) {
  if (data.size() > max_bytes) return Status::InvalidArgument(tooLong(what, max_bytes));
  out.assign(data.begin(), data.end());
  return Status::OK();
}

// ---- encoding ----

size_t wordsFor(size_t bytes) { return (bytes + 7) / 8; }
size_t wordsFor(const feed::SignedUpdate& u) {
  return 2 + wordsFor(u.header.size()) + wordsFor(u.signature.size());  // SignedHeader + data
}

// An upper bound on the words a message needs, so that it fits in the first segment: with
// several segments, every pointer into another segment costs a far pointer and a landing pad
// (16 bytes per head of a large hello, which would push kMaxHelloHeads over kMaxMessageBytes).
size_t estimateWords(const Message& message) {
  constexpr size_t kFixed = 32;  // root pointer, Message, the member struct, slack
  constexpr size_t kHeadWords = 3 + 4 + 4;
  struct Estimate {
    size_t operator()(const Hello& m) const {
      return wordsFor(m.network.size()) + 5 + 1 + m.heads.size() * kHeadWords;
    }
    size_t operator()(const Want&) const { return 8; }
    size_t operator()(const Updates& m) const {
      size_t words = 1;
      // A frame is smaller than its body, and its list entry is one word.
      for (const auto& u : m.updates) words += 3 + wordsFor(u) + wordsFor(u.body.size());
      return words;
    }
    size_t operator()(const Have&) const { return kHeadWords; }
    size_t operator()(const ForkProof& m) const { return wordsFor(m.first) + wordsFor(m.second); }
    size_t operator()(const Bye&) const { return 0; }
    size_t operator()(const WantBodies& m) const { return 1 + m.refs.size() * (2 + 4 + 2); }
    size_t operator()(const Bodies& m) const {
      size_t words = 1;
      for (const auto& item : m.items) words += 3 + 4 + 1 + wordsFor(item.body.size());
      return words;
    }
  };
  return kFixed + std::visit(Estimate{}, message);
}

void setHead(schema::HeadInfo::Builder out, const HeadInfo& head) {
  out.setAuthor(dataOf(head.author));
  out.setSeq(head.seq);
  out.setHash(dataOf(head.hash));
}

void setSigned(schema::SignedHeader::Builder out, const feed::SignedUpdate& update) {
  out.setHeader(dataOf(update.header));
  out.setSignature(dataOf(update.signature));
}

void build(schema::Message::Builder root, const Hello& hello) {
  auto out = root.initHello();
  out.setProtocolVersion(hello.protocol_version);
  out.setNetwork(dataOf(asBytes(hello.network)));
  out.setNodeId(dataOf(hello.node_id));
  out.setServeBudgetBytes(hello.serve_budget_bytes);
  out.setZstdBodies(hello.zstd_bodies);
  auto heads = out.initHeads(static_cast<unsigned>(hello.heads.size()));
  for (size_t i = 0; i < hello.heads.size(); ++i) {
    setHead(heads[static_cast<unsigned>(i)], hello.heads[i]);
  }
}

void build(schema::Message::Builder root, const Want& want) {
  auto out = root.initWant();
  out.setAuthor(dataOf(want.author));
  out.setFromSeq(want.from_seq);
  out.setCredit(want.credit);
  out.setHeadersOnly(want.headers_only);
  out.setHeldSeq(want.held_seq);
}

void build(schema::Message::Builder root, const WantBodies& want) {
  auto refs = root.initWantBodies().initRefs(static_cast<unsigned>(want.refs.size()));
  for (size_t i = 0; i < want.refs.size(); ++i) {
    refs[static_cast<unsigned>(i)].setAuthor(dataOf(want.refs[i].author));
    refs[static_cast<unsigned>(i)].setSeq(want.refs[i].seq);
  }
}

// Whether a body goes as its frame. A frame without its body is stale (the body was withheld or
// left out): never sent.
bool sendsFrame(const Bytes& body, const Bytes& frame, const EncodeOptions& options) {
  return options.body_frames && !frame.empty() && !body.empty() &&
         body.size() <= frame.size() * kMaxFrameExpansion;
}
bool sendsFrame(const feed::SignedUpdate& update, const EncodeOptions& options) {
  return sendsFrame(update.body, update.body_zstd, options);
}

void build(schema::Message::Builder root, const Bodies& bodies, const EncodeOptions& options) {
  auto items = root.initBodies().initItems(static_cast<unsigned>(bodies.items.size()));
  for (size_t i = 0; i < bodies.items.size(); ++i) {
    const BodyItem& item = bodies.items[i];
    auto out = items[static_cast<unsigned>(i)];
    out.setAuthor(dataOf(item.ref.author));
    out.setSeq(item.ref.seq);
    if (sendsFrame(item.body, item.body_zstd, options)) {
      out.setBodyFrame(dataOf(item.body_zstd));
    } else {
      out.setBody(dataOf(item.body));
    }
  }
}

void build(schema::Message::Builder root, const Updates& updates, const EncodeOptions& options) {
  const auto count = static_cast<unsigned>(updates.updates.size());
  auto message = root.initUpdates();
  auto list = message.initUpdates(count);
  const bool any_frame =
      std::any_of(updates.updates.begin(), updates.updates.end(),
                  [&](const feed::SignedUpdate& u) { return sendsFrame(u, options); });
  auto frames =
      any_frame ? message.initBodyFrames(count) : capnp::List<capnp::Data>::Builder(nullptr);
  for (unsigned i = 0; i < count; ++i) {
    const feed::SignedUpdate& update = updates.updates[i];
    auto out = list[i];
    setSigned(out.initSigned(), update);
    if (sendsFrame(update, options)) {
      frames.set(i, dataOf(update.body_zstd));
    } else {
      out.setBody(dataOf(update.body));
    }
  }
}

void build(schema::Message::Builder root, const Have& have) { setHead(root.initHave(), have.head); }

void build(schema::Message::Builder root, const ForkProof& fork) {
  auto out = root.initFork();
  setSigned(out.initFirst(), fork.first);
  setSigned(out.initSecond(), fork.second);
}

void build(schema::Message::Builder root, const Bye&) { root.setBye(); }

// ---- decoding: each reader checks what it copies; capnp may throw while we traverse ----

Status readHead(schema::HeadInfo::Reader in, HeadInfo& out) {
  EICHUB_RETURN_IF_ERROR(copyFixed(in.getAuthor(), "head author", out.author));
  out.seq = in.getSeq();
  return copyFixed(in.getHash(), "head hash", out.hash);
}

// A signed header: the header bytes themselves are decoded later by feed::verifyUpdate.
Status readSigned(schema::SignedHeader::Reader in, feed::SignedUpdate& out) {
  auto header = in.getHeader();
  if (header.size() == 0) return Status::InvalidArgument("empty header");
  EICHUB_RETURN_IF_ERROR(copyBounded(header, "header", feed::kMaxHeaderBytes, out.header));
  auto signature = in.getSignature();
  if (signature.size() != kSignatureBytes) {
    return Status::InvalidArgument("signature is " + std::to_string(signature.size()) +
                                   " bytes, not " + std::to_string(kSignatureBytes));
  }
  out.signature.assign(signature.begin(), signature.end());
  return Status::OK();
}

Result<Message> readHello(schema::Hello::Reader in) {
  Hello out;
  out.protocol_version = in.getProtocolVersion();
  auto network = in.getNetwork();
  if (network.size() > feed::kMaxNetworkBytes) {
    return Status::InvalidArgument(tooLong("network", feed::kMaxNetworkBytes));
  }
  out.network.assign(network.begin(), network.end());
  EICHUB_RETURN_IF_ERROR(copyFixed(in.getNodeId(), "node id", out.node_id));
  out.serve_budget_bytes = in.getServeBudgetBytes();
  out.zstd_bodies = in.getZstdBodies();
  auto heads = in.getHeads();
  if (heads.size() > kMaxHelloHeads) {
    return Status::InvalidArgument("hello lists more than " + std::to_string(kMaxHelloHeads) +
                                   " heads");
  }
  out.heads.resize(heads.size());
  for (unsigned i = 0; i < heads.size(); ++i) {
    EICHUB_RETURN_IF_ERROR(readHead(heads[i], out.heads[i]));
  }
  return Message(std::move(out));
}

Result<Message> readWant(schema::Want::Reader in) {
  Want out;
  EICHUB_RETURN_IF_ERROR(copyFixed(in.getAuthor(), "want author", out.author));
  out.from_seq = in.getFromSeq();
  out.credit = in.getCredit();
  if (out.credit == 0) return Status::InvalidArgument("want with zero credit");
  out.headers_only = in.getHeadersOnly();
  out.held_seq = in.getHeldSeq();
  return Message(out);
}

std::string tooMany(std::string_view what) {
  return std::string(what) + " of more than " + std::to_string(kMaxBodyRefs);
}

Result<Message> readWantBodies(schema::WantBodies::Reader in) {
  auto refs = in.getRefs();
  if (refs.size() == 0) return Status::InvalidArgument("wantBodies names no body");
  if (refs.size() > kMaxBodyRefs) return Status::InvalidArgument(tooMany("wantBodies"));
  WantBodies out;
  out.refs.resize(refs.size());
  for (unsigned i = 0; i < refs.size(); ++i) {
    EICHUB_RETURN_IF_ERROR(copyFixed(refs[i].getAuthor(), "body author", out.refs[i].author));
    out.refs[i].seq = refs[i].getSeq();
  }
  return Message(std::move(out));
}

std::string largerThan(std::string_view what, size_t limit) {
  return std::string(what) + " larger than " + std::to_string(limit) + " bytes";
}

// A body sent as a frame: decompressed into body within the body limit, the expansion bound and
// room (what is left of its message's limit, which over_limit names), checked from the size the
// frame names before anything is allocated; the frame kept in kept when smaller than the body.
// holder names what the body belongs to when it was sent twice.
Status readBodyFrame(capnp::Data::Reader frame, size_t room, std::string_view over_limit,
                     std::string_view holder, Bytes& body, Bytes& kept) {
  if (!body.empty()) return Status::InvalidArgument(std::string(holder) + " holds its body twice");
  const ByteView view(frame.begin(), frame.size());
  EICHUB_ASSIGN_OR_RETURN(size_t size, feed::frameContentSize(view, feed::kMaxBodyBytes));
  if (size > view.size() * kMaxFrameExpansion) {
    return Status::InvalidArgument("body frame expands more than " +
                                   std::to_string(kMaxFrameExpansion) + " times");
  }
  if (size > room) return Status::InvalidArgument(std::string(over_limit));
  EICHUB_RETURN_IF_ERROR(feed::decompressFrame(view, size, body));
  if (view.size() < body.size()) kept.assign(view.begin(), view.end());
  return Status::OK();
}

Result<Message> readBodies(schema::Bodies::Reader in) {
  auto items = in.getItems();
  if (items.size() == 0) return Status::InvalidArgument("bodies holds no body");
  if (items.size() > kMaxBodyRefs) return Status::InvalidArgument(tooMany("bodies"));
  const std::string over_limit = largerThan("bodies", kMaxBodiesBytes);
  Bodies out;
  out.items.resize(items.size());
  size_t total_bytes = 0;
  for (unsigned i = 0; i < items.size(); ++i) {
    BodyItem& item = out.items[i];
    EICHUB_RETURN_IF_ERROR(copyFixed(items[i].getAuthor(), "body author", item.ref.author));
    item.ref.seq = items[i].getSeq();
    EICHUB_RETURN_IF_ERROR(copyBounded(items[i].getBody(), "body", feed::kMaxBodyBytes, item.body));
    if (items[i].getBodyFrame().size() > 0) {
      EICHUB_RETURN_IF_ERROR(readBodyFrame(items[i].getBodyFrame(),
                                           kMaxBodiesBytes - std::min(total_bytes, kMaxBodiesBytes),
                                           over_limit, "body item", item.body, item.body_zstd));
    }
    total_bytes += item.body.size();
    if (total_bytes > kMaxBodiesBytes) return Status::InvalidArgument(over_limit);
  }
  return Message(std::move(out));
}

Result<Message> readUpdates(schema::Updates::Reader in) {
  auto list = in.getUpdates();
  if (list.size() > kMaxBatchUpdates) {
    return Status::InvalidArgument("batch of more than " + std::to_string(kMaxBatchUpdates) +
                                   " updates");
  }
  auto frames = in.getBodyFrames();
  if (in.hasBodyFrames() && frames.size() != list.size()) {
    return Status::InvalidArgument("body frames do not match the updates");
  }
  const std::string over_limit = largerThan("batch", kMaxBatchBytes);
  Updates out;
  out.updates.resize(list.size());
  size_t total_bytes = 0;
  for (unsigned i = 0; i < list.size(); ++i) {
    feed::SignedUpdate& update = out.updates[i];
    EICHUB_RETURN_IF_ERROR(readSigned(list[i].getSigned(), update));
    EICHUB_RETURN_IF_ERROR(
        copyBounded(list[i].getBody(), "body", feed::kMaxBodyBytes, update.body));
    if (in.hasBodyFrames() && frames[i].size() > 0) {
      const size_t used = total_bytes + update.header.size() + update.signature.size();
      EICHUB_RETURN_IF_ERROR(readBodyFrame(frames[i],
                                           kMaxBatchBytes - std::min(used, kMaxBatchBytes),
                                           over_limit, "update", update.body, update.body_zstd));
    }
    total_bytes += feed::signedBytes(update);
    if (total_bytes > kMaxBatchBytes) return Status::InvalidArgument(over_limit);
  }
  return Message(std::move(out));
}

Result<Message> readHave(schema::HeadInfo::Reader in) {
  Have out;
  EICHUB_RETURN_IF_ERROR(readHead(in, out.head));
  return Message(out);
}

Result<Message> readFork(schema::ForkProof::Reader in) {
  ForkProof out;
  EICHUB_RETURN_IF_ERROR(readSigned(in.getFirst(), out.first));
  EICHUB_RETURN_IF_ERROR(readSigned(in.getSecond(), out.second));
  return Message(std::move(out));
}

Result<Message> readMessage(schema::Message::Reader root) {
  switch (root.which()) {
    case schema::Message::HELLO:
      return readHello(root.getHello());
    case schema::Message::WANT:
      return readWant(root.getWant());
    case schema::Message::UPDATES:
      return readUpdates(root.getUpdates());
    case schema::Message::HAVE:
      return readHave(root.getHave());
    case schema::Message::FORK:
      return readFork(root.getFork());
    case schema::Message::BYE:
      return Message(Bye{});
    case schema::Message::WANT_BODIES:
      return readWantBodies(root.getWantBodies());
    case schema::Message::BODIES:
      return readBodies(root.getBodies());
  }
  // A newer peer's message kind, or garbage: either way not something we can act on.
  return Status::InvalidArgument("unknown message");
}

}  // namespace

uint32_t protocolVersion() { return schema::PROTOCOL_VERSION; }

Bytes encode(const Message& message, const EncodeOptions& options) {
  capnp::MallocMessageBuilder builder(static_cast<unsigned>(estimateWords(message)));
  auto root = builder.initRoot<schema::Message>();
  std::visit(
      [&](const auto& kind) {
        using Kind = std::decay_t<decltype(kind)>;
        if constexpr (std::is_same_v<Kind, Updates> || std::is_same_v<Kind, Bodies>) {
          build(root, kind, options);
        } else {
          build(root, kind);
        }
      },
      message);
  kj::Array<capnp::word> words = capnp::messageToFlatArray(builder);
  auto bytes = words.asBytes();
  return Bytes(bytes.begin(), bytes.end());
}

Result<Message> decode(ByteView bytes) {
  if (bytes.empty()) return Status::InvalidArgument("empty message");
  if (bytes.size() > kMaxMessageBytes) {
    return Status::InvalidArgument("message larger than " + std::to_string(kMaxMessageBytes) +
                                   " bytes");
  }
  // The words are owned here and every field is copied out before return, so the result
  // borrows nothing from bytes or from this buffer.
  kj::Array<capnp::word> words;
  EICHUB_RETURN_IF_ERROR(copyToWords(bytes, words));
  const uint64_t segments_minus_one = uint64_t{bytes[0]} | uint64_t{bytes[1]} << 8 |
                                      uint64_t{bytes[2]} << 16 | uint64_t{bytes[3]} << 24;
  if (segments_minus_one + 1 > kMaxSegments) {
    return Status::InvalidArgument("more than " + std::to_string(kMaxSegments) + " segments");
  }
  try {
    // Traversal is bounded by twice the received size (not kMaxMessageBytes), so a small message
    // whose pointers overlap cannot make us walk more than a small multiple of what it cost to
    // send (docs/reliability.md case 19).
    capnp::FlatArrayMessageReader reader(words.asPtr(),
                                         readerOptions(bytes.size(), kMessageNestingLimit));
    if (reader.getEnd() != words.end()) {
      return Status::InvalidArgument("trailing bytes after message");
    }
    return readMessage(reader.getRoot<schema::Message>());
  } catch (const kj::Exception& e) {
    return Status::InvalidArgument("malformed message", e.getDescription().cStr());
  }
}

const char* messageName(const Message& message) {
  return std::visit(
      [](const auto& kind) -> const char* {
        using T = std::decay_t<decltype(kind)>;
        if constexpr (std::is_same_v<T, Hello>) return "hello";
        if constexpr (std::is_same_v<T, Want>) return "want";
        if constexpr (std::is_same_v<T, Updates>) return "updates";
        if constexpr (std::is_same_v<T, Have>) return "have";
        if constexpr (std::is_same_v<T, ForkProof>) return "fork";
        if constexpr (std::is_same_v<T, Bye>) return "bye";
        if constexpr (std::is_same_v<T, WantBodies>) return "wantBodies";
        if constexpr (std::is_same_v<T, Bodies>) return "bodies";
      },
      message);
}

}  // namespace eichub::wire
