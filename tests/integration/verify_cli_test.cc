// `eichub verify` on a real home (docs/reliability.md case 22): a clean store passes; a body and a
// header bit-flipped in the data file are each named by author, seq and problem; --repair drops
// the bad body and leaves the header, which it cannot repair, reported.
#include <algorithm>
#include <fstream>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "node/store/catalog_store.h"
#include "tests/integration/cli_fixture.h"
#include "tests/testing/store_flip.h"

namespace eichub::testing {
namespace {

constexpr uint64_t kBadBodySeq = 3;    // r/1 (seq 1 is the node's profile)
constexpr uint64_t kBadHeaderSeq = 5;  // r/3

class VerifyCliTest : public CliFixture {
 protected:
  void SetUp() override {
    ok({"init", "--home", home("a"), "--name", "A cluster", "--region", "UKE42", "--sector",
        "healthcare"});
    const std::string file = dir_.file("r.jsonl");
    std::ofstream out(file);
    for (int i = 0; i < 5; ++i) {
      out << R"({"kind":"LearningResource","id":"r/)" << i << R"(","title":{"en":"Course )" << i
          << R"("}})"
          << "\n";
    }
    out.close();
    ok({"publish", "--home", home("a"), file});
  }
  nlohmann::json verify(std::vector<std::string> extra, int* exit_code) {
    std::vector<std::string> args = {"verify", "--home", home("a"), "--json"};
    args.insert(args.end(), extra.begin(), extra.end());
    ProcessResult run = eichub(args);
    *exit_code = run.exit_code;
    return nlohmann::json::parse(run.out, nullptr, false);
  }
};

TEST_F(VerifyCliTest, ACleanStorePassesAndFlippedEntriesAreNamed) {
  int code = -1;
  nlohmann::json clean = verify({}, &code);
  EXPECT_EQ(code, 0) << clean.dump();
  EXPECT_EQ(clean["ok"], true);
  EXPECT_EQ(clean["feeds"], 1);
  EXPECT_EQ(clean["headers"], 6);
  EXPECT_TRUE(clean["problems"].empty());

  // The node's feed and the offset of r/3's id in its stored header (a flip there keeps the
  // header decodable: only the signature can tell).
  PublicKey author{};
  size_t id_index = 0;
  {
    store::StoreOptions options;
    options.read_only = true;
    auto store = store::CatalogStore::open(home("a") + "/data", options).value();
    author = store->queries().feeds().value().at(0).author;
    const Bytes header =
        store->queries().readFeed(author, kBadHeaderSeq, kBadHeaderSeq, 1).value()[0].header;
    const std::string id = "r/3";
    auto at = std::search(header.begin(), header.end(), id.begin(), id.end());
    ASSERT_NE(at, header.end());
    id_index = static_cast<size_t>(at - header.begin()) + id.size() - 1;
  }
  ASSERT_TRUE(flipStoredBit(home("a") + "/data", author, kBadBodySeq, StoredPart::kBody, 10).ok());
  ASSERT_TRUE(
      flipStoredBit(home("a") + "/data", author, kBadHeaderSeq, StoredPart::kHeader, id_index)
          .ok());

  nlohmann::json bad = verify({}, &code);
  EXPECT_EQ(code, 1);
  EXPECT_EQ(bad["ok"], false);
  ASSERT_EQ(bad["problems"].size(), 2u) << bad.dump();
  EXPECT_EQ(bad["problems"][0]["author"], toHex(author));
  EXPECT_EQ(bad["problems"][0]["seq"], kBadBodySeq);
  EXPECT_EQ(bad["problems"][0]["problem"], "bad_body");
  EXPECT_EQ(bad["problems"][1]["seq"], kBadHeaderSeq);
  EXPECT_EQ(bad["problems"][1]["problem"], "bad_signature");

  ProcessResult text = eichub({"verify", "--home", home("a")});
  EXPECT_EQ(text.exit_code, 1);
  EXPECT_NE(text.out.find("bad_body author " + toHex(author) + " seq 3"), std::string::npos)
      << text.out;
  EXPECT_NE(text.out.find("bad_signature author " + toHex(author) + " seq 5"), std::string::npos)
      << text.out;
  EXPECT_NE(text.err.find("eichub restore"), std::string::npos) << text.err;

  // --repair drops the body (fetched again from peers later); the header stays reported.
  nlohmann::json repaired = verify({"--repair"}, &code);
  EXPECT_EQ(code, 1);
  EXPECT_EQ(repaired["bodies_dropped"], 1);
  EXPECT_EQ(repaired["problems"][0]["repaired"], true);
  EXPECT_EQ(repaired["problems"][1]["repaired"], false);
  nlohmann::json after = verify({}, &code);
  EXPECT_EQ(code, 1);
  ASSERT_EQ(after["problems"].size(), 1u) << after.dump();
  EXPECT_EQ(after["problems"][0]["seq"], kBadHeaderSeq);
}

}  // namespace
}  // namespace eichub::testing
