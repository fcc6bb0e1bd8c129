// Fuzz target, structure-aware (docs/reliability.md case 21): the harness re-signs each mutated
// header with a fixed test key, so mutations get past the signature check into the chain and state
// logic: body binding, checkLink, the record check, and StoreWriter::apply on a real LMDB
// store (one per input, with a 1 MiB map so that growth runs too).
// Input: header, body, header, body, ... split as fuzz_input.h says. A header that does not
// decode is skipped. The harness sets author and network, links prev to the held feed unless
// the input's prev starts with 0xff, and binds the body unless its body hash does.
// Properties: a correctly signed and bound update verifies; apply accepts exactly the updates
// that extend the head (checkLink), counts a re-sent one as a duplicate, and a refused batch
// changes neither the head nor the digest.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <vector>

#include <sys/stat.h>

#include "federation/common/check.h"
#include "federation/crypto/ed25519_key.h"
#include "federation/crypto/sha256.h"
#include "federation/feed/verify.h"
#include "node/catalog/change.h"
#include "node/store/catalog_store.h"
#include "tests/fuzz/fuzz_input.h"
#include "tests/testing/temp_dir.h"

using namespace eichub;

namespace {

constexpr char kNet[] = "fuzz-net";
constexpr size_t kMaxEntries = 16;  // header/body pairs per input

// Hashes of the headers held, by seq - 1: what the harness links prev to.
using Chain = std::vector<Hash32>;

feed::SignedUpdate signEntry(const crypto::SigningKey& key, feed::HeaderFields fields,
                             const Chain& chain, ByteView body) {
  fields.author = key.publicKey();
  fields.network = kNet;
  if (fields.seq > 1 && fields.seq - 1 <= chain.size() && fields.prev[0] != 0xff) {
    fields.prev = chain[fields.seq - 2];
  }
  if (fields.hasBody() && fields.body_hash[0] != 0xff && body.size() <= feed::kMaxBodyBytes) {
    fields.body_hash = crypto::sha256(body);
    fields.body_size = static_cast<uint32_t>(body.size());
  }
  Bytes header = feed::encodeHeader(fields);
  Bytes signature = key.sign(header);
  return {std::move(header), std::move(signature), Bytes(body.begin(), body.end()), {}};
}

void applyEntry(store::CatalogStore& store, Chain& chain, const feed::VerifiedUpdate& update) {
  auto head = store.queries().head(update.fields.author);
  auto digest = store.queries().digest();
  EICHUB_CHECK(head.ok() && digest.ok());
  // The store refuses erase for now ("erase not supported yet"): like a broken link, it must
  // leave the state as it was.
  const bool extends =
      feed::checkLink(*head, update.fields).ok() && update.fields.op != feed::Op::ERASE;
  auto applied = store.writer().apply({update});
  if (extends) {
    EICHUB_CHECK(applied.ok()) << "apply refused an update that extends the head: "
                               << applied.status().toString();
    EICHUB_CHECK(applied->applied == 1);
    chain.push_back(update.hash);
    auto after = store.queries().head(update.fields.author);
    EICHUB_CHECK(after.ok() && after->seq == update.fields.seq && after->hash == update.hash);
    auto again = store.writer().apply({update});
    EICHUB_CHECK(again.ok() && again->duplicates == 1 && again->applied == 0)
        << "a re-sent update is not a duplicate";
    return;
  }
  if (applied.ok()) {
    EICHUB_CHECK(applied->applied == 0) << "apply stored an update that does not extend the head";
  }
  auto head_after = store.queries().head(update.fields.author);
  auto digest_after = store.queries().digest();
  EICHUB_CHECK(head_after.ok() && head_after->seq == head->seq && head_after->hash == head->hash);
  EICHUB_CHECK(digest_after.ok() && *digest_after == *digest) << "a refused update changed state";
}

const crypto::SigningKey& testKey() {
  // A fixed key, so that header hashes (and so the harness's behaviour) repeat across runs.
  static const crypto::SigningKey key = [] {
    static constexpr char kPem[] =
        "-----BEGIN PRIVATE KEY-----\n"
        "MC4CAQAwBQYDK2VwBCIEIAkq64kZPRAw+nkVKTPevrEK0AUbgP6na3V3anojBib3\n"
        "-----END PRIVATE KEY-----\n";
    testing::TempDir dir;
    const std::string path = dir.file("fuzz.key");
    {
      FILE* f = std::fopen(path.c_str(), "w");
      EICHUB_CHECK(f != nullptr && std::fputs(kPem, f) >= 0 && std::fclose(f) == 0);
    }
    EICHUB_CHECK(::chmod(path.c_str(), 0600) == 0);
    auto loaded = crypto::SigningKey::loadPem(path);
    EICHUB_CHECK(loaded.ok()) << loaded.status().toString();
    return std::move(loaded).value();
  }();
  return key;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const crypto::SigningKey& key = testKey();
  const auto parts = fuzz::splitParts(fuzz::asText(data, size), 2 * kMaxEntries);
  testing::TempDir dir;
  store::StoreOptions options;
  options.initial_map_bytes = 1 << 20;
  auto store = store::CatalogStore::open(dir.path(), options);
  EICHUB_CHECK(store.ok()) << store.status().toString();
  Chain chain;

  for (size_t i = 0; i + 1 < parts.size(); i += 2) {
    auto fields = feed::decodeHeader(asBytes(parts[i]));
    if (!fields.ok()) continue;
    const ByteView body = asBytes(parts[i + 1]);
    feed::SignedUpdate update = signEntry(key, *fields, chain, body);
    auto decoded = feed::decodeHeader(update.header);
    EICHUB_CHECK(decoded.ok()) << "a header we signed does not decode";
    const bool bound =
        update.body.empty() || (decoded->hasBody() && decoded->body_size == update.body.size() &&
                                decoded->body_hash == crypto::sha256(update.body));
    auto verified = feed::verifyUpdate(std::move(update), kNet);
    EICHUB_CHECK(verified.ok() || !bound)
        << "a signed, bound update fails: " << verified.status().toString();
    if (!verified.ok() || !catalog::checkUpdateBody(*verified).ok()) continue;
    applyEntry(**store, chain, *verified);
  }
  return 0;
}
