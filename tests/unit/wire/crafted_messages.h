// Test data for the wire codec: sample updates, hand-built hostile messages (pointer loops,
// amplification) written word by word, and the named seed corpus for the wire_message fuzzer.
#pragma once

#include <cstdint>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include <zstd.h>

#include "federation/wire/messages.h"

namespace eichub::wire::crafted {

// A structurally valid signed update: deterministic header bytes (not a real Header: the wire
// codec does not look inside), a 64-byte signature and body_size body bytes.
inline feed::SignedUpdate signedUpdate(uint64_t seq, size_t body_size) {
  feed::SignedUpdate u;
  u.header.assign(48, static_cast<uint8_t>(seq));
  u.signature.assign(kSignatureBytes, static_cast<uint8_t>(seq + 1));
  u.body.assign(body_size, static_cast<uint8_t>(seq + 2));
  return u;
}

// Words drawn at random: text that compresses about as catalogue text does (2-4 x).
inline Bytes textBody(size_t size, uint32_t seed = 1) {
  const char* words[] = {"assess", "wound",  "dressing", "infection", "healing", "patient",
                         "record", "safety", "module",   "clinical",  "team",    "elderly"};
  std::mt19937 random(seed);
  Bytes body;
  while (body.size() < size) {
    std::string word = words[random() % 12] + std::to_string(random() % 1000) + " ";
    body.insert(body.end(), word.begin(), word.end());
  }
  body.resize(size);
  return body;
}

// body as one zstd frame at level 1, as a store keeps it (empty if zstd fails).
inline Bytes frameOf(const Bytes& body) {
  Bytes frame(ZSTD_compressBound(body.size()));
  const size_t size = ZSTD_compress(frame.data(), frame.size(), body.data(), body.size(), 1);
  frame.resize(ZSTD_isError(size) ? 0 : size);
  return frame;
}

// ---- Cap'n Proto words by hand (encoding.md), little-endian ----
using Word = uint64_t;
constexpr uint8_t kByteElements = 2;
constexpr uint8_t kInlineComposite = 7;
constexpr uint16_t kUpdatesTag = 2;  // Message.updates
constexpr uint16_t kForkTag = 4;     // Message.fork

inline Word offsetBits(int32_t offset_words) {
  return (static_cast<Word>(static_cast<uint32_t>(offset_words)) << 2) & 0xFFFFFFFCu;
}
// Struct pointer: offset is counted from the word after the pointer.
inline Word structPtr(int32_t offset, uint16_t data_words, uint16_t pointers) {
  return offsetBits(offset) | (Word{data_words} << 32) | (Word{pointers} << 48);
}
inline Word listPtr(int32_t offset, uint8_t element_size, uint32_t count) {
  return offsetBits(offset) | 1u | (Word{element_size} << 32) | (Word{count} << 35);
}
inline Word farPtr(uint32_t landing_word, uint32_t segment) {
  return 2u | (Word{landing_word} << 3) | (Word{segment} << 32);
}
// One-segment flat array: segment table, then the words.
inline Bytes frame(const std::vector<Word>& segment) {
  std::vector<Word> all;
  all.push_back(Word{segment.size()} << 32);  // low half: segment count - 1 = 0
  all.insert(all.end(), segment.begin(), segment.end());
  Bytes out(all.size() * sizeof(Word));
  std::memcpy(out.data(), all.data(), out.size());
  return out;
}

// A fork message whose pointer points back at its own struct: every level of ForkProof ->
// SignedHeader resolves to the same words until a Data field meets a struct pointer.
inline Bytes craftSelfPointer() {
  return frame({structPtr(0, 1, 1), kForkTag, structPtr(-2, 1, 1)});
}

// A root far pointer whose landing pad is itself.
inline Bytes craftFarPointerLoop() { return frame({farPtr(0, 0), 0}); }

// An updates message of count list elements that all point at one SignedHeader and one
// body_bytes body: count times the wire size to traverse. count 1 is a valid message.
inline Bytes craftAmplifiedUpdates(uint32_t count, uint32_t body_bytes) {
  const uint32_t first_element = 5;
  const uint32_t signed_at = first_element + 2 * count;
  const uint32_t header_at = signed_at + 2;  // 16 header bytes
  const uint32_t signature_at = header_at + 2;
  const uint32_t body_at = signature_at + 8;
  std::vector<Word> w(body_at + body_bytes / 8, 0);
  w[0] = structPtr(0, 1, 1);  // Message at 1
  w[1] = kUpdatesTag;
  w[2] = structPtr(0, 0, 1);                       // Updates at 3
  w[3] = listPtr(0, kInlineComposite, 2 * count);  // tag at 4
  w[4] = structPtr(static_cast<int32_t>(count), 0, 2);
  for (uint32_t i = 0; i < count; ++i) {
    const uint32_t e = first_element + 2 * i;
    w[e] = structPtr(static_cast<int32_t>(signed_at - (e + 1)), 0, 2);
    w[e + 1] = listPtr(static_cast<int32_t>(body_at - (e + 2)), kByteElements, body_bytes);
  }
  w[signed_at] = listPtr(static_cast<int32_t>(header_at - (signed_at + 1)), kByteElements, 16);
  w[signed_at + 1] =
      listPtr(static_cast<int32_t>(signature_at - (signed_at + 2)), kByteElements, 64);
  for (uint32_t i = header_at; i < w.size(); ++i) w[i] = 0x0101010101010101u * (i & 0xFF);
  return frame(w);
}

// An updates message whose list claims count zero-size elements in one tag word.
inline Bytes craftZeroSizeElements(uint32_t count) {
  return frame({structPtr(0, 1, 1), kUpdatesTag, structPtr(0, 0, 1),
                listPtr(0, kInlineComposite, 0), structPtr(static_cast<int32_t>(count), 0, 0)});
}

struct Sample {
  std::string name;  // "valid_*" decodes, "invalid_*" does not
  Bytes bytes;
};

// The seed corpus of tests/fuzz/corpus/wire_message: small valid messages of every kind and
// small invalid ones of every failure class.
inline std::vector<Sample> sampleMessages() {
  Hello hello;
  hello.protocol_version = protocolVersion();
  hello.network = "seed-net";
  hello.node_id.fill(1);
  hello.heads.push_back({PublicKey{2}, 5, Hash32{3}});
  hello.heads.push_back({PublicKey{4}, 1, Hash32{5}});
  Bytes truncated = encode(hello);
  truncated.erase(truncated.end() - 8, truncated.end());
  Bytes unknown = encode(Bye{});
  unknown[16] = 0x40;
  const Bytes kZeroWord(8, 0);
  Bytes trailing = encode(Bye{});
  trailing.insert(trailing.end(), kZeroWord.begin(), kZeroWord.end());
  Bytes many_segments = encode(Bye{});
  std::memset(many_segments.data(), 0xFF, 4);
  const Bytes text_body = textBody(600);
  const Bytes text_frame = frameOf(text_body);
  feed::SignedUpdate framed = signedUpdate(5, 0);
  framed.body = text_body;
  framed.body_zstd = text_frame;
  const EncodeOptions frames{true};
  return {
      {"valid_hello", encode(hello)},
      {"valid_want", encode(Want{PublicKey{6}, 1, 64})},
      {"valid_updates", encode(Updates{{signedUpdate(1, 24), signedUpdate(2, 0)}})},
      {"valid_have", encode(Have{{PublicKey{7}, 9, Hash32{8}}})},
      {"valid_fork", encode(ForkProof{signedUpdate(3, 0), signedUpdate(4, 0)})},
      {"valid_bye", encode(Bye{})},
      {"valid_updates_frame", encode(Updates{{framed, signedUpdate(6, 12)}}, frames)},
      {"valid_want_bodies", encode(WantBodies{{{PublicKey{9}, 3}, {PublicKey{9}, 4}}})},
      {"valid_bodies_frame",
       encode(Bodies{{{{PublicKey{9}, 3}, text_body, text_frame}, {{PublicKey{9}, 4}, {}, {}}}},
              frames)},
      {"invalid_truncated_hello", truncated},
      {"invalid_unknown_union", unknown},
      {"invalid_trailing_bytes", trailing},
      {"invalid_segment_count", many_segments},
      {"invalid_zero_credit", encode(Want{PublicKey{6}, 1, 0})},
      {"invalid_self_pointer", craftSelfPointer()},
      {"invalid_far_pointer_loop", craftFarPointerLoop()},
      {"invalid_amplified_updates", craftAmplifiedUpdates(8, 1024)},
      {"invalid_zero_size_elements", craftZeroSizeElements(1u << 28)},
  };
}

}  // namespace eichub::wire::crafted
