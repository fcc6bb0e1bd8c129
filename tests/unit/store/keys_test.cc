// Store layouts: encoders and decoders round-trip and reject malformed values, and the tables
// a real store writes follow them (rids stable across reopen, dupfixed postings).
#include "node/store/internal/keys.h"

#include <gtest/gtest.h>

#include "federation/crypto/sha256.h"
#include "node/store/lmdb_env.h"
#include "tests/testing/temp_dir.h"
#include "tests/unit/store/store_fixtures.h"

namespace eichub::store::internal {
namespace {

using catalog::Kind;
using testing::TestFeed;

TEST(KeysTest, TextPostingRoundTripsAndSortsByRid) {
  TextPosting posting{0x0102030405060708, Kind::LEARNING_RESOURCE, 2, 0xbeef};
  TextPostingBytes bytes = encodeTextPosting(posting);
  EXPECT_EQ(bytes[0], 0x01);
  EXPECT_EQ(bytes[7], 0x08);
  auto back = decodeTextPosting(bytes).value();
  EXPECT_EQ(back.rid, posting.rid);
  EXPECT_EQ(back.kind, posting.kind);
  EXPECT_EQ(back.weight, posting.weight);
  EXPECT_EQ(back.label_bytes, posting.label_bytes);
  // Byte order is rid order, whatever follows the rid.
  TextPostingBytes low = encodeTextPosting({255, Kind::TRUST, 15, 0xffff});
  TextPostingBytes high = encodeTextPosting({256, Kind::SKILL, 0, 0});
  EXPECT_LT(low, high);

  EXPECT_EQ(decodeTextPosting(ByteView(bytes).first(10)).status().code(),
            Status::Code::kCorruption);
  bytes[kRidBytes] = 0xf1;  // kind 15 does not exist
  EXPECT_EQ(decodeTextPosting(bytes).status().code(), Status::Code::kCorruption);
  EXPECT_EQ(decodeRid(ridKey(42)).value(), 42u);
  EXPECT_EQ(decodeRid(Bytes(7, 0)).status().code(), Status::Code::kCorruption);
}

// An id shorter than a hash is its own by_id key, so numbered ids keep their order in the table
// (they append); a longer one is keyed by 16 bytes of its hash; the two never share a key.
TEST(KeysTest, ShortIdsAreTheirOwnByIdKeysAndLongOnesAreHashed) {
  const std::string short_id = "course/1041";
  EXPECT_EQ(asChars(byIdKey(asBytes(short_id)).view()), short_id);
  EXPECT_LT(asChars(byIdKey(asBytes(std::string("course/1041"))).view()),
            asChars(byIdKey(asBytes(std::string("course/1042"))).view()));
  const std::string fifteen(15, 'x');
  EXPECT_EQ(byIdKey(asBytes(fifteen)).view().size(), 15u);
  const std::string sixteen(16, 'x');
  const ByIdKey hashed = byIdKey(asBytes(sixteen));
  ASSERT_EQ(hashed.view().size(), kByIdKeyBytes);
  EXPECT_NE(asChars(hashed.view()), sixteen);
  const std::string uri = "http://data.europa.eu/esco/skill/0005c151-5b5a-4a66-8aac-60e734beb1ab";
  const Hash32 digest = crypto::sha256(asBytes(uri));
  const ByIdKey uri_key = byIdKey(asBytes(uri));
  EXPECT_TRUE(std::equal(uri_key.view().begin(), uri_key.view().end(), digest.begin()));
  EXPECT_EQ(uri_key.view().size(), kByIdKeyBytes);
  EXPECT_TRUE(byIdKey({}).view().empty());
}

TEST(KeysTest, HeaderValueHoldsHeaderSignatureCodecAndBody) {
  feed::SignedUpdate update;
  update.header = Bytes{1, 2, 3};
  update.signature = Bytes(64, 9);
  const Bytes stored{7, 7};
  Bytes value;
  encodeHeaderValue(update.header, update.signature, StoredBody{BodyCodec::kZstd, stored}, value);
  auto decoded = decodeHeaderValue(value).value();
  EXPECT_EQ(Bytes(decoded.header.begin(), decoded.header.end()), update.header);
  EXPECT_EQ(Bytes(decoded.signature.begin(), decoded.signature.end()), update.signature);
  EXPECT_EQ(decoded.body.codec, BodyCodec::kZstd);
  EXPECT_EQ(Bytes(decoded.body.bytes.begin(), decoded.body.bytes.end()), stored);
  encodeHeaderValue(update.header, update.signature, StoredBody{}, value);  // buffer reused
  EXPECT_FALSE(decodeHeaderValue(value).value().hasBody());
  // Lengths past the end are Corruption, not a crash.
  for (size_t cut : {0, 5, 6, 9, 70}) {
    EXPECT_EQ(decodeHeaderValue(ByteView(value).first(cut)).status().code(),
              Status::Code::kCorruption)
        << cut;
  }
  // A codec this build does not know is Corruption, never read as raw bytes.
  value[6] = 2;
  EXPECT_EQ(decodeHeaderValue(value).status().code(), Status::Code::kCorruption);
}

TEST(KeysTest, SchemaFourHeaderValueHasNoCodecByte) {
  // header_len(4) signature_len(2) header signature body: what schemas 2-4 wrote.
  const Bytes value{0, 0, 0, 2, 0, 1, 0xaa, 0xbb, 0xcc, 5, 6};
  auto decoded = decodeUncompressedHeaderValue(value).value();
  EXPECT_EQ(Bytes(decoded.header.begin(), decoded.header.end()), (Bytes{0xaa, 0xbb}));
  EXPECT_EQ(Bytes(decoded.signature.begin(), decoded.signature.end()), (Bytes{0xcc}));
  EXPECT_EQ(decoded.body.codec, BodyCodec::kRaw);
  EXPECT_EQ(Bytes(decoded.body.bytes.begin(), decoded.body.bytes.end()), (Bytes{5, 6}));
}

TEST(KeysTest, RecordValueKeepsRidAfterTheHashedState) {
  RecordValue value{7, feed::Op::DELETE, Hash32{}, 99, 12345};
  value.applied_ms = 1'800'000'000'000;
  value.last_upsert_seq = 5;
  Bytes bytes = encodeRecordValue(value);
  ASSERT_EQ(bytes.size(), kRecordStateBytes + kRidBytes + 16);
  EXPECT_EQ(readU64BE(bytes.data() + kRecordStateBytes), 12345u);
  auto back = decodeRecordValue(bytes).value();
  EXPECT_EQ(back.rid, 12345u);
  EXPECT_EQ(back.seq, 7u);
  EXPECT_EQ(back.op, feed::Op::DELETE);
  EXPECT_EQ(back.applied_ms, 1'800'000'000'000);
  EXPECT_EQ(back.last_upsert_seq, 5u);
  EXPECT_EQ(decodeRecordValue(ByteView(bytes).first(kRecordStateBytes)).status().code(),
            Status::Code::kCorruption);
  EXPECT_EQ(decodeRecordValue(ByteView(bytes).first(bytes.size() - 1)).status().code(),
            Status::Code::kCorruption);
}

// A value written before applied_ms and last_upsert_seq existed reads them as 0.
TEST(KeysTest, RecordValueWithoutTheLocalPartReadsZero) {
  RecordValue value{7, feed::Op::UPSERT, Hash32{}, 99, 12345};
  value.applied_ms = 42;
  Bytes bytes = encodeRecordValue(value);
  auto back = decodeRecordValue(ByteView(bytes).first(kRecordStateBytes + kRidBytes)).value();
  EXPECT_EQ(back.rid, 12345u);
  EXPECT_EQ(back.applied_ms, 0);
  EXPECT_EQ(back.last_upsert_seq, 0u);
}

// Change entries carry the time they were applied; entries written before read it as 0.
TEST(KeysTest, ChangeEntryCarriesAppliedTimeAndReadsOldEntries) {
  PublicKey author{};
  author[0] = 9;
  Bytes value = encodeChange(author, 3, catalog::Kind::PROVIDER, feed::Op::DELETE, 1234567, "p/1");
  auto entry = decodeChange(changeKey(11), value).value();
  EXPECT_EQ(entry.number, 11u);
  EXPECT_EQ(entry.seq, 3u);
  EXPECT_EQ(entry.kind, catalog::Kind::PROVIDER);
  EXPECT_EQ(entry.op, feed::Op::DELETE);
  EXPECT_EQ(entry.applied_ms, 1234567);
  EXPECT_EQ(entry.id, "p/1");
  // The old layout: no flag in the op byte, the id right after it.
  Bytes old(author.begin(), author.end());
  appendU64BE(old, 3);
  old.push_back(static_cast<uint8_t>(catalog::Kind::PROVIDER));
  old.push_back(static_cast<uint8_t>(feed::Op::DELETE));
  old.insert(old.end(), {'p', '/', '1'});
  auto before = decodeChange(changeKey(11), old).value();
  EXPECT_EQ(before.applied_ms, 0);
  EXPECT_EQ(before.op, feed::Op::DELETE);
  EXPECT_EQ(before.id, "p/1");
  // The flag with too few bytes for the time is corrupt, not a crash.
  Bytes flagged(value.begin(), value.begin() + kPublicKeyBytes + 8 + 2 + 4);
  EXPECT_EQ(decodeChange(changeKey(11), flagged).status().code(), Status::Code::kCorruption);
}

// Reads the rid of key and the key of rid straight from the tables.
struct RawRids {
  std::unique_ptr<LmdbEnv> env;
  Rid ridOf(const RecordKey& key) {
    auto txn = env->beginRead().value();
    return decodeRecordValue(txn.get(Table::kRecords, encodeRecordKey(key)).value()).value().rid;
  }
  RecordKey keyOf(Rid rid) {
    auto txn = env->beginRead().value();
    return decodeRecordKey(txn.get(Table::kRidKeys, ridKey(rid)).value()).value();
  }
};

TEST(KeysTest, RidsAreAssignedOnFirstSightAndStableAcrossReopen) {
  eichub::testing::TempDir dir;
  TestFeed a;
  {
    auto store = CatalogStore::open(dir.path(), {}).value();
    ASSERT_TRUE(store->writer()
                    .apply({a.skill("s1", {{"en", "one"}}), a.skill("s2", {{"en", "two"}})})
                    .ok());
  }
  {
    auto store = CatalogStore::open(dir.path(), {}).value();
    // A change and a delete keep the rid; a new record gets the next one.
    ASSERT_TRUE(store->writer()
                    .apply({a.skill("s1", {{"en", "uno"}}), a.remove(Kind::SKILL, "s2"),
                            a.skill("s3", {{"en", "three"}}), a.skill("s2", {{"en", "dos"}})})
                    .ok());
  }
  RawRids raw{LmdbEnv::open(dir.path(), {}).value()};
  EXPECT_EQ(raw.ridOf(a.key(Kind::SKILL, "s1")), 1u);
  EXPECT_EQ(raw.ridOf(a.key(Kind::SKILL, "s2")), 2u);
  EXPECT_EQ(raw.ridOf(a.key(Kind::SKILL, "s3")), 3u);
  for (Rid rid = 1; rid <= 3; ++rid) {
    EXPECT_EQ(raw.ridOf(raw.keyOf(rid)), rid);
  }
  auto txn = raw.env->beginRead().value();
  EXPECT_EQ(txn.stat(Table::kRidKeys).value().ms_entries, 3u);
}

TEST(KeysTest, PostingsAreDupfixedRidValuesEvenForIdsThatExtendEachOther) {
  eichub::testing::TempDir dir;
  TestFeed a;
  const std::string extended = std::string("ab\x01") + "x";
  {
    auto store = CatalogStore::open(dir.path(), {}).value();
    ASSERT_TRUE(store->writer()
                    .apply({a.skill("ab", {{"en", "alpha"}}), a.skill(extended, {{"en", "alpha"}}),
                            a.resource("abc", {{"en", "alpha"}}, {"ab"}),
                            a.resource("abcd", {{"en", "alpha"}}, {"ab"})})
                    .ok());
  }
  RawRids raw{LmdbEnv::open(dir.path(), {}).value()};
  auto txn = raw.env->beginRead().value();
  auto cursor = txn.cursor(Table::kText).value();
  Entry entry;
  ASSERT_TRUE(cursor.get(MDB_SET_KEY, &entry, asBytes("alpha")).value());
  // MDB_GET_MULTIPLE only works on dupfixed tables: all four postings, back to back.
  ASSERT_TRUE(cursor.get(MDB_GET_MULTIPLE, &entry).value());
  EXPECT_EQ(entry.value.size(), 4 * kTextPostingBytes);
  ASSERT_TRUE(cursor.get(MDB_SET_KEY, &entry, asBytes("alpha")).value());
  std::vector<Rid> rids;
  do {
    ASSERT_EQ(entry.value.size(), kTextPostingBytes);
    rids.push_back(decodeTextPosting(entry.value).value().rid);
  } while (cursor.get(MDB_NEXT_DUP, &entry).value());
  EXPECT_EQ(rids, (std::vector<Rid>{1, 2, 3, 4}));
  auto skills = txn.cursor(Table::kSkillIndex).value();
  ASSERT_TRUE(skills.get(MDB_SET_KEY, &entry, asBytes("ab")).value());
  EXPECT_EQ(skills.countDups().value(), 2u);
  EXPECT_EQ(entry.value.size(), kRidBytes);
}

}  // namespace
}  // namespace eichub::store::internal
