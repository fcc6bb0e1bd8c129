// CatalogStore write path and state: apply, read back, atomic batches, duplicates, gaps, forks,
// tombstones, digest convergence, map growth and opening rules, on real LMDB and real keys.
#include "node/store/catalog_store.h"

#include <filesystem>

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include "federation/feed/verify.h"
#include "node/store/internal/header_table.h"
#include "node/store/lmdb_env.h"
#include "tests/testing/temp_dir.h"
#include "tests/unit/store/store_fixtures.h"

namespace eichub::store {
namespace {

using catalog::Kind;
using feed::VerifiedUpdate;
using testing::openStore;
using testing::TestFeed;

Hash32 digestOf(const CatalogStore& store) { return store.queries().digest().value(); }

size_t hitsFor(const CatalogStore& store, const std::string& text) {
  return store.queries().search(SearchQuery{text, std::nullopt, "", 100}).value().size();
}

TEST(CatalogStoreTest, AppliesBatchAndReadsItBack) {
  eichub::testing::TempDir dir;
  auto store = openStore(dir.path());
  TestFeed a;
  std::vector<VerifiedUpdate> batch = {
      a.skill("esco:s1", {{"en", "wound care"}}),
      a.skill("esco:s2", {{"en", "welding"}}),
      a.resource("course-1", {{"en", "Wound care basics"}}, {"esco:s1", "esco:s9"}),
  };
  auto stats = store->writer().apply(batch);
  ASSERT_TRUE(stats.ok()) << stats.status().toString();
  EXPECT_EQ(stats->applied, 3u);
  EXPECT_EQ(stats->duplicates, 0u);
  EXPECT_EQ(stats->unindexed, 0u);

  feed::Head head = store->queries().head(a.author()).value();
  EXPECT_EQ(head.seq, 3u);
  EXPECT_EQ(head.hash, a.head().hash);
  EXPECT_EQ(head.time_ms, a.head().time_ms);
  auto feeds = store->queries().feeds().value();
  ASSERT_EQ(feeds.size(), 1u);
  EXPECT_EQ(feeds[0].author, a.author());
  EXPECT_EQ(feeds[0].verified_up_to, 3u);
  EXPECT_EQ(store->queries().head(PublicKey{}).value().seq, 0u);

  // The stored updates are the exact signed bytes: they verify again.
  auto updates = store->queries().readFeed(a.author(), 1, 100, 100).value();
  ASSERT_EQ(updates.size(), 3u);
  for (size_t i = 0; i < updates.size(); ++i) {
    EXPECT_EQ(updates[i].header, batch[i].signed_update.header);
    EXPECT_EQ(updates[i].signature, batch[i].signed_update.signature);
    EXPECT_EQ(updates[i].body, batch[i].signed_update.body);
    EXPECT_TRUE(feed::verifyUpdate(updates[i], testing::kNetwork).ok());
  }
  EXPECT_EQ(store->queries().readFeed(a.author(), 2, 3, 100).value().size(), 2u);
  EXPECT_EQ(store->queries().readFeed(a.author(), 1, 3, 1).value().size(), 1u);
  EXPECT_TRUE(store->queries().readFeed(a.author(), 4, 9, 100).value().empty());
  EXPECT_TRUE(store->queries().readFeed(PublicKey{}, 1, 9, 100).value().empty());

  auto state = store->queries().record(a.key(Kind::SKILL, "esco:s1"));
  ASSERT_TRUE(state.ok());
  EXPECT_EQ(state->seq, 1u);
  EXPECT_EQ(state->op, feed::Op::UPSERT);
  EXPECT_EQ(state->body, batch[0].signed_update.body);
  EXPECT_EQ(state->body_hash, batch[0].fields.body_hash);
  EXPECT_TRUE(store->queries().record(a.key(Kind::OCCUPATION, "esco:s1")).status().isNotFound());

  auto by_id = store->queries().recordsById("course-1").value();
  ASSERT_EQ(by_id.size(), 1u);
  EXPECT_EQ(by_id[0].key, a.key(Kind::LEARNING_RESOURCE, "course-1"));
  EXPECT_TRUE(store->queries().recordsById("nope").value().empty());

  auto counts = store->queries().countsByKind().value();
  EXPECT_EQ(counts, (std::map<std::string, uint64_t>{{"LearningResource", 1}, {"Skill", 2}}));
  auto teaching = store->queries().recordsBySkill("esco:s9").value();
  ASSERT_EQ(teaching.size(), 1u);
  EXPECT_EQ(teaching[0], a.key(Kind::LEARNING_RESOURCE, "course-1"));
}

TEST(CatalogStoreTest, CountsByAuthorSplitsKindsPerFeedAndSkipsTombstones) {
  eichub::testing::TempDir dir;
  auto store = openStore(dir.path());
  TestFeed a;
  TestFeed b;
  ASSERT_TRUE(
      store->writer()
          .apply({a.skill("s1", {{"en", "wound care"}}), a.skill("s2", {{"en", "burns"}}),
                  a.resource("c1", {{"en", "Wound care"}}, {"s1"}), a.remove(Kind::SKILL, "s2")})
          .ok());
  ASSERT_TRUE(store->writer().apply({b.skill("s1", {{"en", "welding"}})}).ok());
  std::map<std::pair<PublicKey, std::string>, uint64_t> got;
  auto counts = store->queries().countsByAuthor();
  ASSERT_TRUE(counts.ok()) << counts.status().toString();
  for (const AuthorKindCount& count : *counts) {
    got[{count.author, count.kind}] = count.count;
  }
  EXPECT_EQ(got, (std::map<std::pair<PublicKey, std::string>, uint64_t>{
                     {{a.author(), "Skill"}, 1},
                     {{a.author(), "LearningResource"}, 1},
                     {{b.author(), "Skill"}, 1}}));
}

TEST(CatalogStoreTest, BadUpdateMidBatchLeavesStoreUnchanged) {
  eichub::testing::TempDir dir;
  auto store = openStore(dir.path());
  TestFeed a;
  ASSERT_TRUE(store->writer().apply({a.skill("s1", {{"en", "alpha"}})}).ok());
  const Hash32 before = digestOf(*store);
  VerifiedUpdate good = a.skill("s2", {{"en", "bravo"}});
  VerifiedUpdate broken = a.skill("s3", {{"en", "charlie"}});
  broken.fields.prev[0] ^= 1;  // does not link to s2
  auto result = store->writer().apply({good, broken});
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(store->queries().head(a.author()).value().seq, 1u);
  EXPECT_EQ(digestOf(*store), before);
  EXPECT_TRUE(store->queries().record(a.key(Kind::SKILL, "s2")).status().isNotFound());
  EXPECT_EQ(hitsFor(*store, "bravo"), 0u);
  EXPECT_TRUE(store->queries().recordsById("s2").value().empty());
  EXPECT_EQ(store->queries().readFeed(a.author(), 1, 9, 9).value().size(), 1u);
}

TEST(CatalogStoreTest, DuplicatesAreCountedAndHarmless) {
  eichub::testing::TempDir dir1;
  eichub::testing::TempDir dir2;
  auto store = openStore(dir1.path());
  auto once = openStore(dir2.path());
  TestFeed a;
  VerifiedUpdate u1 = a.skill("s1", {{"en", "alpha"}});
  VerifiedUpdate u2 = a.skill("s2", {{"en", "bravo"}});
  VerifiedUpdate u3 = a.skill("s1", {{"en", "charlie"}});
  ASSERT_TRUE(store->writer().apply({u1, u2}).ok());
  auto stats = store->writer().apply({u1, u2, u3, u3});
  ASSERT_TRUE(stats.ok()) << stats.status().toString();
  EXPECT_EQ(stats->applied, 1u);
  EXPECT_EQ(stats->duplicates, 3u);
  stats = store->writer().apply({u2});
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->applied, 0u);
  EXPECT_EQ(stats->duplicates, 1u);
  ASSERT_TRUE(once->writer().apply({u1, u2, u3}).ok());
  EXPECT_EQ(digestOf(*store), digestOf(*once));
  EXPECT_EQ(store->queries().head(a.author()).value().seq, 3u);
  EXPECT_EQ(hitsFor(*store, "charlie"), 1u);
  EXPECT_EQ(hitsFor(*store, "alpha"), 0u);
}

TEST(CatalogStoreTest, ChangesAreNumberedInApplyOrderAndSkipDuplicates) {
  eichub::testing::TempDir dir;
  auto store = openStore(dir.path());
  TestFeed a;
  TestFeed b;
  VerifiedUpdate a1 = a.skill("s1", {{"en", "alpha"}});
  VerifiedUpdate b1 = b.skill("t1", {{"en", "bravo"}});
  VerifiedUpdate a2 = a.skill("s2", {{"en", "charlie"}});
  EXPECT_EQ(store->queries().lastChange().value(), 0u);
  ASSERT_TRUE(store->writer().apply({b1}).ok());
  ASSERT_TRUE(store->writer().apply({a1, a2, b1}).ok());  // b1 again: a duplicate gets no number
  auto all = store->queries().changes(0, 10).value();
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].number, 1u);
  EXPECT_EQ(all[0].author, b.author());
  EXPECT_EQ(all[0].id, "t1");
  EXPECT_EQ(all[1].id, "s1");
  EXPECT_EQ(all[2].id, "s2");
  EXPECT_EQ(all[2].seq, 2u);
  EXPECT_EQ(all[2].number, 3u);
  EXPECT_EQ(store->queries().lastChange().value(), 3u);
  auto rest = store->queries().changes(1, 1).value();
  ASSERT_EQ(rest.size(), 1u);
  EXPECT_EQ(rest[0].id, "s1");
  EXPECT_TRUE(store->queries().changes(3, 10).value().empty());
  EXPECT_TRUE(store->queries().changes(0, 0).value().empty());
}

TEST(CatalogStoreTest, CopyIsAConsistentStoreAndNeverOverwrites) {
  eichub::testing::TempDir dir;
  auto store = openStore(dir.file("a"));
  TestFeed a;
  ASSERT_TRUE(store->writer().apply({a.skill("s1", {{"en", "alpha"}})}).ok());
  std::filesystem::create_directories(dir.file("copy"));
  ASSERT_TRUE(store->copyTo(dir.file("copy/data.mdb")).ok());
  EXPECT_EQ(store->copyTo(dir.file("copy/data.mdb")).code(), Status::Code::kAlreadyExists);
  StoreOptions ro;
  ro.read_only = true;
  auto copy = openStore(dir.file("copy"), ro);
  EXPECT_EQ(digestOf(*copy), digestOf(*store));
  EXPECT_EQ(copy->queries().lastChange().value(), 1u);
}

TEST(CatalogStoreTest, GapIsRejected) {
  eichub::testing::TempDir dir;
  auto store = openStore(dir.path());
  TestFeed a;
  VerifiedUpdate u1 = a.skill("s1", {{"en", "alpha"}});
  VerifiedUpdate u2 = a.skill("s2", {{"en", "bravo"}});
  VerifiedUpdate u3 = a.skill("s3", {{"en", "charlie"}});
  auto first = store->writer().apply({u2});
  EXPECT_EQ(first.status().code(), Status::Code::kInvalidArgument);
  ASSERT_TRUE(store->writer().apply({u1}).ok());
  auto gap = store->writer().apply({u3});
  EXPECT_EQ(gap.status().code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(store->queries().head(a.author()).value().seq, 1u);
  ASSERT_TRUE(store->writer().apply({u2, u3}).ok());
  EXPECT_EQ(store->queries().head(a.author()).value().seq, 3u);
}

TEST(CatalogStoreTest, ForkIsDetected) {
  eichub::testing::TempDir dir;
  auto store = openStore(dir.path());
  TestFeed a;
  VerifiedUpdate u1 = a.skill("s1", {{"en", "alpha"}});
  feed::Head after_u1 = a.head();
  VerifiedUpdate u2 = a.skill("s2", {{"en", "bravo"}});
  ASSERT_TRUE(store->writer().apply({u1, u2}).ok());
  const Hash32 before = digestOf(*store);

  feed::FeedAppender forker(a.signingKey(), testing::kNetwork, after_u1);
  VerifiedUpdate other2 = forker.append(feed::Op::UPSERT, catalog::kindCode(Kind::SKILL), "evil",
                                        {}, testing::skillBody("evil", {{"en", "evil"}}), 1);
  VerifiedUpdate other3 =
      forker.append(feed::Op::DELETE, catalog::kindCode(Kind::SKILL), "s1", {}, {}, 2);
  ASSERT_TRUE(feed::verifyUpdate(other2.signed_update, testing::kNetwork).ok());
  for (const auto& batch :
       {std::vector<VerifiedUpdate>{other2}, std::vector<VerifiedUpdate>{u1, other2, other3}}) {
    auto result = store->writer().apply(batch);
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.status().code(), Status::Code::kCorruption);
    EXPECT_EQ(result.status().message().rfind("fork", 0), 0u) << result.status().message();
  }
  EXPECT_EQ(digestOf(*store), before);
  EXPECT_EQ(store->queries().head(a.author()).value().hash, u2.hash);
  EXPECT_EQ(hitsFor(*store, "evil"), 0u);
}

TEST(CatalogStoreTest, DeleteLeavesTombstone) {
  eichub::testing::TempDir dir;
  auto store = openStore(dir.path());
  TestFeed a;
  ASSERT_TRUE(store->writer()
                  .apply({a.skill("s1", {{"en", "wound care"}}),
                          a.resource("c1", {{"en", "first aid"}}, {"s1"})})
                  .ok());
  const Hash32 live = digestOf(*store);
  ASSERT_TRUE(store->writer()
                  .apply({a.remove(Kind::SKILL, "s1"), a.remove(Kind::LEARNING_RESOURCE, "c1")})
                  .ok());
  auto state = store->queries().record(a.key(Kind::SKILL, "s1"));
  ASSERT_TRUE(state.ok());
  EXPECT_EQ(state->op, feed::Op::DELETE);
  EXPECT_EQ(state->seq, 3u);
  EXPECT_TRUE(state->body.empty());
  EXPECT_TRUE(store->queries().recordsById("s1").value().empty());
  EXPECT_TRUE(store->queries().countsByKind().value().empty());
  EXPECT_EQ(hitsFor(*store, "wound"), 0u);
  EXPECT_EQ(hitsFor(*store, "aid"), 0u);
  EXPECT_TRUE(store->queries().recordsBySkill("s1").value().empty());
  EXPECT_NE(digestOf(*store), live);
  // The delete's header is kept and served without a body.
  auto updates = store->queries().readFeed(a.author(), 3, 3, 1).value();
  ASSERT_EQ(updates.size(), 1u);
  EXPECT_TRUE(updates[0].body.empty());
  // A later upsert revives the record.
  ASSERT_TRUE(store->writer().apply({a.skill("s1", {{"en", "burns"}})}).ok());
  EXPECT_EQ(store->queries().recordsById("s1").value().size(), 1u);
  EXPECT_EQ(hitsFor(*store, "burns"), 1u);
}

// The update as a node that did not hold (or fetch) its body receives it.
VerifiedUpdate withoutBody(VerifiedUpdate update) {
  update.signed_update.body.clear();
  return update;
}

TEST(CatalogStoreTest, EraseDropsEveryNamedBodyKeepsHeadersAndEndsTheRecord) {
  eichub::testing::TempDir dir;
  auto store = openStore(dir.path());
  TestFeed a;
  VerifiedUpdate v1 = a.resource("c1", {{"en", "Patient records"}}, {"esco:s1"});
  VerifiedUpdate v2 = a.resource("c1", {{"en", "Patient records two"}}, {"esco:s1"});
  VerifiedUpdate other = a.skill("s1", {{"en", "wound care"}});
  ASSERT_TRUE(store->writer().apply({v1, v2, other}).ok());
  ASSERT_EQ(hitsFor(*store, "patient"), 1u);
  auto versions =
      store->queries().erasableVersions(a.author(), {a.key(Kind::LEARNING_RESOURCE, "c1")});
  ASSERT_TRUE(versions.ok());
  EXPECT_EQ(versions->begin()->second, (std::vector<uint64_t>{1, 2}));

  VerifiedUpdate erase = a.erase(Kind::LEARNING_RESOURCE, "c1", {1, 2});
  auto stats = store->writer().apply({erase});
  ASSERT_TRUE(stats.ok()) << stats.status().toString();
  EXPECT_EQ(stats->erased_bodies, 2u);
  EXPECT_EQ(store->queries().erasedBodies().value(), 2u);

  // Every stored update still verifies, headers and signatures unchanged, the erased bodies gone.
  auto feed = store->queries().readFeed(a.author(), 1, 4, 10).value();
  ASSERT_EQ(feed.size(), 4u);
  EXPECT_EQ(feed[0].header, v1.signed_update.header);
  EXPECT_TRUE(feed[0].body.empty());
  EXPECT_TRUE(feed[1].body.empty());
  EXPECT_EQ(feed[2].body, other.signed_update.body);
  for (const auto& update : feed) EXPECT_TRUE(feed::verifyUpdate(update, testing::kNetwork).ok());
  // Gone from get, search, the skill index and the counts; the erase is the record's state.
  EXPECT_TRUE(store->queries().recordsById("c1").value().empty());
  EXPECT_EQ(hitsFor(*store, "patient"), 0u);
  EXPECT_TRUE(store->queries().recordsBySkill("esco:s1").value().empty());
  EXPECT_EQ(store->queries().countsByKind().value().count("LearningResource"), 0u);
  RecordState state = store->queries().record(a.key(Kind::LEARNING_RESOURCE, "c1")).value();
  EXPECT_EQ(state.op, feed::Op::ERASE);
  EXPECT_TRUE(state.body.empty());
  EXPECT_TRUE(store->queries()
                  .erasableVersions(a.author(), {a.key(Kind::LEARNING_RESOURCE, "c1")})
                  ->begin()
                  ->second.empty());

  // A node that got the headers without bodies, and one that gets the bodies again after the
  // erase (a slow peer), end with the same digest and no erased body.
  eichub::testing::TempDir dir2;
  auto headers_only = openStore(dir2.path());
  ASSERT_TRUE(headers_only->writer().apply({withoutBody(v1), withoutBody(v2), other, erase}).ok());
  EXPECT_EQ(digestOf(*headers_only), digestOf(*store));
  EXPECT_EQ(headers_only->queries().erasedBodies().value(), 2u);  // marked though never held
  auto late = store->writer().apply({v1, v2});
  ASSERT_TRUE(late.ok());
  EXPECT_EQ(late->stale_bodies, 2u);
  EXPECT_EQ(late->bodies_attached, 0u);
  EXPECT_TRUE(store->queries().readFeed(a.author(), 1, 2, 10).value()[1].body.empty());
}

TEST(CatalogStoreTest, EraseNamingAnotherRecordOrADeleteFailsTheBatch) {
  eichub::testing::TempDir dir;
  auto store = openStore(dir.path());
  TestFeed a;
  ASSERT_TRUE(store->writer()
                  .apply({a.skill("s1", {{"en", "one"}}), a.skill("s2", {{"en", "two"}}),
                          a.remove(Kind::SKILL, "s2")})
                  .ok());
  VerifiedUpdate wrong_record = a.erase(Kind::SKILL, "s2", {1});
  Status refused = store->writer().apply({wrong_record}).status();
  EXPECT_EQ(refused.code(), Status::Code::kInvalidArgument);
  EXPECT_NE(refused.message().find("erase target seq 1 is not an upsert of the record"),
            std::string::npos)
      << refused.toString();
  EXPECT_EQ(store->queries().head(a.author()).value().seq, 3u);
  EXPECT_EQ(hitsFor(*store, "one"), 1u);

  TestFeed b;
  ASSERT_TRUE(
      store->writer().apply({b.skill("s1", {{"en", "three"}}), b.remove(Kind::SKILL, "s1")}).ok());
  EXPECT_EQ(store->writer().apply({b.erase(Kind::SKILL, "s1", {2})}).status().code(),
            Status::Code::kInvalidArgument);
}

TEST(CatalogStoreTest, ABodyArrivingAfterItsHeaderIsStoredOnlyForTheCurrentVersion) {
  eichub::testing::TempDir dir;
  auto store = openStore(dir.path());
  TestFeed a;
  VerifiedUpdate old_version = a.skill("s1", {{"en", "first"}});
  VerifiedUpdate current = a.skill("s1", {{"en", "second"}});
  auto stats = store->writer().apply({withoutBody(old_version), withoutBody(current)});
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->unindexed, 2u);
  EXPECT_EQ(hitsFor(*store, "second"), 0u);
  const Hash32 before = digestOf(*store);

  stats = store->writer().apply({old_version, current});
  ASSERT_TRUE(stats.ok()) << stats.status().toString();
  EXPECT_EQ(stats->duplicates, 2u);
  EXPECT_EQ(stats->bodies_attached, 1u);
  EXPECT_EQ(stats->stale_bodies, 1u);
  EXPECT_EQ(hitsFor(*store, "second"), 1u);
  EXPECT_EQ(hitsFor(*store, "first"), 0u);
  EXPECT_EQ(store->queries().record(a.key(Kind::SKILL, "s1")).value().body,
            current.signed_update.body);
  EXPECT_TRUE(store->queries().readFeed(a.author(), 1, 1, 1).value()[0].body.empty());
  EXPECT_EQ(digestOf(*store), before);  // the digest covers headers' state, not bodies held
  // Once held, the same body again changes nothing.
  stats = store->writer().apply({current});
  EXPECT_EQ(stats->bodies_attached, 0u);
}

TEST(CatalogStoreTest, MalformedBodyStoredUnindexed) {
  eichub::testing::TempDir dir;
  auto store = openStore(dir.path());
  TestFeed a;
  VerifiedUpdate junk = a.raw(Kind::SKILL, "junk", Bytes(24, 0xff));
  auto stats = store->writer().apply({junk});
  ASSERT_TRUE(stats.ok()) << stats.status().toString();
  EXPECT_EQ(stats->unindexed, 1u);
  EXPECT_EQ(store->queries().record(a.key(Kind::SKILL, "junk")).value().body,
            junk.signed_update.body);
  // Replacing the unreadable body indexes the new one.
  ASSERT_TRUE(store->writer().apply({a.skill("junk", {{"en", "recovered"}})}).ok());
  EXPECT_EQ(hitsFor(*store, "recovered"), 1u);
}

TEST(CatalogStoreTest, LongestIdIsStoredAndSearchable) {
  eichub::testing::TempDir dir;
  auto store = openStore(dir.path());
  TestFeed a;
  const std::string id(feed::kMaxIdBytes, 'i');
  ASSERT_TRUE(store->writer().apply({a.skill(id, {{"en", "longest"}})}).ok());
  EXPECT_EQ(store->queries().recordsById(id).value().size(), 1u);
  EXPECT_EQ(hitsFor(*store, "longest"), 1u);
}

TEST(CatalogStoreTest, DigestDependsOnlyOnFeedPrefixes) {
  TestFeed a;
  TestFeed b;
  std::vector<VerifiedUpdate> fa = {a.skill("s1", {{"en", "one"}}), a.skill("s2", {{"en", "two"}}),
                                    a.skill("s1", {{"en", "uno"}}), a.remove(Kind::SKILL, "s2")};
  std::vector<VerifiedUpdate> fb = {b.skill("s1", {{"en", "eins"}}),
                                    b.resource("c1", {{"de", "Kurs"}}, {"s1"}),
                                    b.skill("s3", {{"en", "drei"}})};
  eichub::testing::TempDir d1, d2, d3, d4;
  auto s1 = openStore(d1.path());
  auto s2 = openStore(d2.path());
  auto s3 = openStore(d3.path());
  ASSERT_TRUE(s1->writer().apply(fa).ok());
  ASSERT_TRUE(s1->writer().apply(fb).ok());
  // Interleaved, one update per batch, with duplicates replayed.
  for (size_t i = 0; i < 4; ++i) {
    if (i < fb.size()) {
      ASSERT_TRUE(s2->writer().apply({fb[i]}).ok());
    }
    ASSERT_TRUE(s2->writer().apply({fa[i]}).ok());
    if (i > 0) {
      ASSERT_TRUE(s2->writer().apply({fa[i - 1]}).ok());
    }
  }
  EXPECT_EQ(digestOf(*s1), digestOf(*s2));
  // A shorter prefix of one feed gives another digest.
  ASSERT_TRUE(s3->writer().apply(fb).ok());
  ASSERT_TRUE(s3->writer().apply({fa[0], fa[1], fa[2]}).ok());
  EXPECT_NE(digestOf(*s3), digestOf(*s1));
  ASSERT_TRUE(s3->writer().apply({fa[3]}).ok());
  EXPECT_EQ(digestOf(*s3), digestOf(*s1));
  // Different content under the same keys gives another digest.
  TestFeed c;
  auto s4 = openStore(d4.path());
  ASSERT_TRUE(s4->writer().apply({c.skill("s1", {{"en", "one"}})}).ok());
  eichub::testing::TempDir d5;
  auto s5 = openStore(d5.path());
  TestFeed c2;
  ASSERT_TRUE(s5->writer().apply({c2.skill("s1", {{"en", "one"}})}).ok());
  EXPECT_NE(digestOf(*s4), digestOf(*s5));  // other author
  EXPECT_NE(digestOf(*s4), digestOf(*openStore(d1.path() + "/empty")));
}

// scanRecords visits live records of the kinds asked for, kinds in the order given and records
// in key order, and returns the heads it saw.
TEST(CatalogStoreTest, ScanRecordsVisitsLiveRecordsOfTheKindsAskedFor) {
  eichub::testing::TempDir dir;
  auto store = openStore(dir.path());
  TestFeed a;
  ASSERT_TRUE(store->writer()
                  .apply({a.skill("s2", {{"en", "two"}}), a.skill("s1", {{"en", "one"}}),
                          a.resource("r1", {{"en", "course"}}, {"s1"}),
                          a.skill("s3", {{"en", "three"}}), a.remove(Kind::SKILL, "s3")})
                  .ok());
  std::vector<std::string> seen;
  auto heads = store->queries().scanRecords({Kind::LEARNING_RESOURCE, Kind::SKILL},
                                            [&seen](const RecordKey& key, ByteView body) {
                                              EXPECT_FALSE(body.empty());
                                              seen.push_back(key.id);
                                              return Status::OK();
                                            });
  ASSERT_TRUE(heads.ok()) << heads.status().toString();
  EXPECT_EQ(seen, (std::vector<std::string>{"r1", "s1", "s2"}));
  ASSERT_EQ(heads->size(), 1u);
  EXPECT_EQ((*heads)[0].head.seq, 5u);
  // A visitor's error stops the scan and comes back.
  size_t visits = 0;
  auto stopped = store->queries().scanRecords({Kind::SKILL}, [&visits](const RecordKey&, ByteView) {
    ++visits;
    return Status::Unavailable("stop");
  });
  EXPECT_EQ(stopped.status().code(), Status::Code::kUnavailable);
  EXPECT_EQ(visits, 1u);
}

// Records first seen in another order get other rids; the digest must not notice.
TEST(CatalogStoreTest, DigestIgnoresTheOrderRecordsWereFirstSeen) {
  TestFeed a;
  TestFeed b;
  std::vector<VerifiedUpdate> fa = {a.skill("x", {{"en", "ex"}}), a.skill("y", {{"en", "why"}})};
  std::vector<VerifiedUpdate> fb = {b.skill("y", {{"en", "why"}}), b.skill("x", {{"en", "ex"}})};
  eichub::testing::TempDir d1, d2;
  auto s1 = openStore(d1.path());
  auto s2 = openStore(d2.path());
  ASSERT_TRUE(s1->writer().apply(fa).ok());
  ASSERT_TRUE(s1->writer().apply(fb).ok());
  ASSERT_TRUE(s2->writer().apply({fb[0]}).ok());
  ASSERT_TRUE(s2->writer().apply({fa[0], fa[1], fb[1]}).ok());
  EXPECT_EQ(digestOf(*s1), digestOf(*s2));
}

TEST(CatalogStoreTest, MapGrowsByDoublingAndKeepsData) {
  eichub::testing::TempDir dir;
  StoreOptions options;
  options.initial_map_bytes = 64 * 1024;
  TestFeed a;
  {
    auto store = openStore(dir.path(), options);
    for (int batch = 0; batch < 6; ++batch) {
      std::vector<VerifiedUpdate> updates;
      for (int i = 0; i < 50; ++i) {
        std::string id = "skill-" + std::to_string(batch * 50 + i);
        updates.push_back(a.skill(id, {{"en", "growth label " + id}},
                                  {{"en", std::string(200, 'x') + " alt " + id}}));
      }
      auto stats = store->writer().apply(updates);
      ASSERT_TRUE(stats.ok()) << stats.status().toString();
      EXPECT_EQ(stats->applied, 50u);
    }
    // More data than four doublings of the initial map could hold was committed.
    EXPECT_GT(store->storeBytes().value(), 4 * options.initial_map_bytes);
    EXPECT_EQ(store->queries().countsByKind().value().at("Skill"), 300u);
  }
  auto reopened = openStore(dir.path(), options);
  EXPECT_EQ(reopened->queries().countsByKind().value().at("Skill"), 300u);
  EXPECT_EQ(reopened->queries().head(a.author()).value().seq, 300u);
  EXPECT_EQ(hitsFor(*reopened, "growth"), 100u);
  EXPECT_EQ(hitsFor(*reopened, "skill 299"), 1u);
}

TEST(CatalogStoreTest, MapCapGivesResourceExhaustedAndNoChange) {
  eichub::testing::TempDir dir;
  StoreOptions options;
  options.initial_map_bytes = 64 * 1024;
  options.max_map_bytes = 128 * 1024;
  auto store = openStore(dir.path(), options);
  TestFeed a;
  ASSERT_TRUE(store->writer().apply({a.skill("first", {{"en", "first"}})}).ok());
  const Hash32 before = digestOf(*store);
  std::vector<VerifiedUpdate> big;
  for (int i = 0; i < 400; ++i) {
    big.push_back(a.skill("s" + std::to_string(i), {{"en", std::string(300, 'y')}}));
  }
  auto result = store->writer().apply(big);
  EXPECT_EQ(result.status().code(), Status::Code::kResourceExhausted);
  EXPECT_EQ(digestOf(*store), before);
  EXPECT_EQ(store->queries().head(a.author()).value().seq, 1u);
}

// Bodies are stored compressed (body_codec.h) but every reader gets the signed bytes: the feed
// served to peers, a record, search terms, and the index update when a version is replaced.
TEST(CatalogStoreTest, BodiesAreStoredCompressedAndReadBackAsSigned) {
  eichub::testing::TempDir dir;
  auto store = openStore(dir.path());
  TestFeed a;
  std::string long_title = "wound care";
  while (long_title.size() < 3000) long_title += " wound dressing assessment and infection care";
  VerifiedUpdate first = a.resource("c1", {{"en", long_title}}, {"skill:wound"});
  VerifiedUpdate second = a.resource("c1", {{"en", "medicines safety " + long_title}}, {});
  ASSERT_TRUE(store->writer().apply({first}).ok());

  {  // the headers value holds far fewer bytes than the body
    LmdbOptions ro;
    ro.read_only = true;
    auto env = LmdbEnv::open(dir.path(), ro).value();
    auto txn = env->beginRead().value();
    ByteView value = internal::getHeaderValue(txn, a.author(), 1).value();
    EXPECT_LT(value.size(), first.signed_update.header.size() +
                                first.signed_update.signature.size() +
                                first.signed_update.body.size() / 4);
  }
  auto feed = store->queries().readFeed(a.author(), 1, 1, 1).value();
  ASSERT_EQ(feed.size(), 1u);
  EXPECT_EQ(feed[0].body, first.signed_update.body);
  EXPECT_EQ(store->queries().record(a.key(Kind::LEARNING_RESOURCE, "c1")).value().body,
            first.signed_update.body);
  SearchQuery query;
  query.text = "dressing";
  EXPECT_EQ(store->queries().search(query).value().size(), 1u);

  // The replaced version's terms come out of the index: its body was read back decompressed.
  ASSERT_TRUE(store->writer().apply({second}).ok());
  query.text = "medicines";
  EXPECT_EQ(store->queries().search(query).value().size(), 1u);
  EXPECT_EQ(store->queries().recordsBySkill("skill:wound").value().size(), 0u);
  EXPECT_EQ(store->queries().readFeed(a.author(), 2, 2, 1).value().at(0).body,
            second.signed_update.body);
}

TEST(CatalogStoreTest, OpenRules) {
  eichub::testing::TempDir dir;
  StoreOptions ro;
  ro.read_only = true;
  EXPECT_TRUE(CatalogStore::open(dir.file("missing"), ro).status().isNotFound());
  EXPECT_TRUE(CatalogStore::open(dir.path(), ro).status().isNotFound());
  {
    auto store = openStore(dir.path());
    EXPECT_EQ(store->meta("schema_version").value(), "7");
    EXPECT_EQ(store->setMeta("schema_version", "8").code(), Status::Code::kInvalidArgument);
    ASSERT_TRUE(store->setMeta("node_id", "abc").ok());
    EXPECT_EQ(store->meta("node_id").value(), "abc");
    EXPECT_TRUE(store->meta("other").status().isNotFound());
  }
  auto reader = CatalogStore::open(dir.path(), ro);
  ASSERT_TRUE(reader.ok()) << reader.status().toString();
  EXPECT_EQ((*reader)->meta("node_id").value(), "abc");
  EXPECT_EQ((*reader)->writer().apply({TestFeed().skill("s", {{"en", "x"}})}).status().code(),
            Status::Code::kPermissionDenied);
}

TEST(CatalogStoreTest, UnknownSchemaVersionIsCorruption) {
  eichub::testing::TempDir dir;
  { openStore(dir.path()); }
  {
    auto env = LmdbEnv::open(dir.path(), LmdbOptions{}).value();
    auto txn = env->beginWrite().value();
    ASSERT_TRUE(txn.put(Table::kMeta, asBytes("schema_version"), asBytes("99")).ok());
    ASSERT_TRUE(txn.commit().ok());
  }
  EXPECT_EQ(CatalogStore::open(dir.path(), {}).status().code(), Status::Code::kCorruption);
  StoreOptions ro;
  ro.read_only = true;
  EXPECT_EQ(CatalogStore::open(dir.path(), ro).status().code(), Status::Code::kCorruption);
}

// A store of layout version 1 (postings with record keys, tables without MDB_DUPFIXED) is
// refused by name, read-write or read-only, before any table is opened or created in it.
TEST(CatalogStoreTest, SchemaVersion1IsRefused) {
  eichub::testing::TempDir dir;
  {
    MDB_env* env = nullptr;
    ASSERT_EQ(mdb_env_create(&env), 0);
    ASSERT_EQ(mdb_env_set_maxdbs(env, 16), 0);
    ASSERT_EQ(mdb_env_open(env, dir.path().c_str(), 0, 0644), 0);
    MDB_txn* txn = nullptr;
    ASSERT_EQ(mdb_txn_begin(env, nullptr, 0, &txn), 0);
    MDB_dbi meta = 0;
    MDB_dbi text = 0;
    ASSERT_EQ(mdb_dbi_open(txn, "meta", MDB_CREATE, &meta), 0);
    ASSERT_EQ(mdb_dbi_open(txn, "text", MDB_CREATE | MDB_DUPSORT, &text), 0);
    MDB_val key = toVal(asBytes("schema_version"));
    MDB_val value = toVal(asBytes("1"));
    ASSERT_EQ(mdb_put(txn, meta, &key, &value, 0), 0);
    ASSERT_EQ(mdb_txn_commit(txn), 0);
    mdb_env_close(env);
  }
  StoreOptions ro;
  ro.read_only = true;
  for (const StoreOptions& options : {StoreOptions{}, ro}) {
    auto store = CatalogStore::open(dir.path(), options);
    ASSERT_FALSE(store.ok());
    EXPECT_EQ(store.status().code(), Status::Code::kCorruption);
    EXPECT_NE(store.status().toString().find("schema version"), std::string::npos)
        << store.status().toString();
    EXPECT_NE(store.status().toString().find(": 1 "), std::string::npos)
        << store.status().toString();
  }
}

// A read-only store in another process (like the CLI beside the daemon) sees committed data,
// also after the writer grew the map (the reader then gets MDB_MAP_RESIZED and adopts it).
TEST(CatalogStoreTest, ReadOnlyStoreInAnotherProcessSeesCommits) {
  eichub::testing::TempDir dir;
  StoreOptions options;
  options.initial_map_bytes = 64 * 1024;
  auto store = openStore(dir.path(), options);
  TestFeed a;
  ASSERT_TRUE(store->writer().apply({a.skill("s0", {{"en", "wound care"}})}).ok());
  int to_child[2];
  int to_parent[2];
  ASSERT_EQ(pipe(to_child), 0);
  ASSERT_EQ(pipe(to_parent), 0);
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    // Child: never touches the parent's env; reports through its exit code.
    StoreOptions ro;
    ro.read_only = true;
    auto reader = CatalogStore::open(dir.path(), ro);
    if (!reader.ok()) _exit(10);
    if (hitsFor(**reader, "wound") != 1) _exit(11);
    char c = 0;
    if (write(to_parent[1], "r", 1) != 1 || read(to_child[0], &c, 1) != 1) _exit(12);
    auto counts = (*reader)->queries().countsByKind();
    if (!counts.ok()) _exit(13);
    if (counts->at("Skill") != 201) _exit(14);
    if (hitsFor(**reader, "bulk 200") != 1) _exit(15);
    _exit(0);
  }
  char c = 0;
  ASSERT_EQ(read(to_parent[0], &c, 1), 1);
  std::vector<VerifiedUpdate> more;
  for (int i = 1; i <= 200; ++i) {
    more.push_back(a.skill("s" + std::to_string(i),
                           {{"en", "bulk " + std::to_string(i) + " " + std::string(300, 'z')}}));
  }
  ASSERT_TRUE(store->writer().apply(more).ok());
  ASSERT_GT(store->storeBytes().value(), 2 * options.initial_map_bytes);
  ASSERT_EQ(write(to_child[1], "g", 1), 1);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  for (int fd : {to_child[0], to_child[1], to_parent[0], to_parent[1]}) close(fd);
}

}  // namespace
}  // namespace eichub::store
