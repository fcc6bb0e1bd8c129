// Integration tests: the real eichub binary on real homes, files and LMDB stores.
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sys/stat.h>

#include "tests/integration/cli_fixture.h"
#include "tests/testing/process.h"
#include "tests/testing/temp_dir.h"

namespace eichub {
namespace {

using nlohmann::json;
using testing::ProcessResult;

constexpr char kWoundCare[] =
    R"({"kind":"LearningResource","id":"acme/101","title":{"en":"Wound care basics","de":"Grundlagen der Wundversorgung"},"description":{"en":"..."},"url":"https://example.org/101","provider":"acme","languages":["en","de"],"mode":"online","eqfLevel":4,"teaches":[{"skill":"http://data.europa.eu/esco/skill/2b6a1bca-0c6a-4b80-9a3b-bd9ec1e8b1b8","relation":"essential"}],"sectors":["healthcare"],"region":"UKE42"})";
constexpr char kProvider[] =
    R"({"kind":"Provider","id":"acme","name":{"en":"Acme Learning"},"providerKind":"vendor","region":"UKE42"})";

class CliTest : public testing::CliFixture {
 protected:
  void init(const std::string& name) {
    ok({"init", "--home", home(name), "--name", name + " cluster", "--region", "UKE42", "--sector",
        "healthcare"});
  }
  std::string write(const std::string& name, const std::string& content) {
    std::string path = dir_.file(name);
    std::ofstream(path) << content;
    return path;
  }
  std::string digest(const std::string& name) { return ok({"digest", "--home", home(name)}); }
  json status(const std::string& name) {
    return json::parse(ok({"status", "--home", home(name), "--json"}));
  }
};

TEST_F(CliTest, InitCreatesAHomeAndRefusesToOverwriteIt) {
  init("a");
  struct stat st {};
  ASSERT_EQ(::stat((home("a") + "/keys/node.key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_EQ(::stat((home("a") + "/keys/transport.key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  std::ifstream config(home("a") + "/config.toml");
  std::string text((std::istreambuf_iterator<char>(config)), {});
  EXPECT_NE(text.find("name = \"a cluster\""), std::string::npos);
  EXPECT_NE(text.find("# "), std::string::npos);

  ProcessResult again = eichub({"init", "--home", home("a"), "--name", "x"});
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_NE(again.err.find("refuses to overwrite"), std::string::npos) << again.err;

  json s = status("a");
  EXPECT_EQ(s["records"]["ClusterProfile"], 1);
  EXPECT_EQ(s["feeds"].size(), 1u);
  EXPECT_TRUE(s["feeds"][0]["own"].get<bool>());
}

TEST_F(CliTest, IdPrintsAPeerCard) {
  init("a");
  std::string card = ok({"id", "--home", home("a")});
  EXPECT_EQ(card.rfind("eichub-peer:v1:", 0), 0u) << card;
  json id = json::parse(ok({"id", "--home", home("a"), "--json"}));
  EXPECT_EQ(id["node"].get<std::string>().size(), 64u);
  EXPECT_EQ(id["card"].get<std::string>() + "\n", card);
  EXPECT_EQ(id["node"], status("a")["node"]);
}

TEST_F(CliTest, PublishGetSearchAndUnchangedRepublish) {
  init("a");
  std::string file = write("r.jsonl", std::string(kProvider) + "\n" + kWoundCare + "\n");
  json first = json::parse(ok({"publish", "--home", home("a"), file, "--json"}));
  EXPECT_EQ(first["added"], 2);
  json again = json::parse(ok({"publish", "--home", home("a"), file, "--json"}));
  EXPECT_EQ(again["added"], 0);
  EXPECT_EQ(again["unchanged"], 2);

  json got = json::parse(ok({"get", "--home", home("a"), "acme/101", "--json"}));
  ASSERT_EQ(got["records"].size(), 1u);
  EXPECT_EQ(got["records"][0]["record"]["title"]["de"], "Grundlagen der Wundversorgung");

  json hits = json::parse(
      ok({"search", "--home", home("a"), "WUNDVERSORGUNG", "--kind", "resource", "--json"}));
  ASSERT_EQ(hits["hits"].size(), 1u);
  EXPECT_EQ(hits["hits"][0]["id"], "acme/101");
  json none =
      json::parse(ok({"search", "--home", home("a"), "wound", "--kind", "skill", "--json"}));
  EXPECT_TRUE(none["hits"].empty());

  std::string del = write("d.jsonl", R"({"op":"delete","kind":"LearningResource","id":"acme/101"})"
                                     "\n");
  json deleted = json::parse(ok({"publish", "--home", home("a"), del, "--json"}));
  EXPECT_EQ(deleted["deleted"], 1);
  EXPECT_EQ(eichub({"get", "--home", home("a"), "acme/101"}).exit_code, 1);
  EXPECT_EQ(status("a")["records"].value("LearningResource", 0), 0);
}

TEST_F(CliTest, BadLineAppliesNothingUnlessSkipBad) {
  init("a");
  std::string before = digest("a");
  std::string file =
      write("bad.jsonl", std::string(kProvider) + "\n" + kWoundCare + "\n" +
                             R"({"kind":"LearningResource","id":"x","eqfLevel":"four"})" + "\n");
  ProcessResult strict = eichub({"publish", "--home", home("a"), file});
  EXPECT_EQ(strict.exit_code, 1);
  EXPECT_NE(strict.err.find("bad.jsonl:3"), std::string::npos) << strict.err;
  EXPECT_EQ(digest("a"), before);

  json skipped = json::parse(ok({"publish", "--home", home("a"), file, "--skip-bad", "--json"}));
  EXPECT_EQ(skipped["added"], 2);
  EXPECT_EQ(skipped["skipped"], 1);
  EXPECT_NE(digest("a"), before);
}

TEST_F(CliTest, FeedExportVerifyAndTamper) {
  init("a");
  ok({"publish", "--home", home("a"),
      write("r.jsonl", std::string(kProvider) + "\n" + kWoundCare)});
  std::string feed = dir_.file("a.feed");
  ok({"feed", "export", "--home", home("a"), "--out", feed});
  json report = json::parse(ok({"feed", "verify", feed, "--json"}));
  EXPECT_TRUE(report["ok"].get<bool>());
  EXPECT_EQ(report["verified"], 3);

  std::fstream f(feed, std::ios::in | std::ios::out | std::ios::binary);
  f.seekp(-40, std::ios::end);
  f.put('\x7f');
  f.close();
  ProcessResult bad = eichub({"feed", "verify", feed});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find("entry 3"), std::string::npos) << bad.err;
}

TEST_F(CliTest, SameFeedsInAnyOrderGiveTheSameDigest) {
  init("a");
  init("b");
  init("c");
  init("d");
  ok({"publish", "--home", home("a"), write("a.jsonl", kWoundCare)});
  ok({"publish", "--home", home("b"), write("b.jsonl", kProvider)});
  ok({"feed", "export", "--home", home("a"), "--out", dir_.file("a.feed")});
  ok({"feed", "export", "--home", home("b"), "--out", dir_.file("b.feed")});
  ok({"feed", "export", "--home", home("d"), "--out", dir_.file("d.feed")});
  ok({"feed", "export", "--home", home("c"), "--out", dir_.file("c.feed")});
  // c learns a then b then d; d learns d... it already has, then b, then a, then c.
  ok({"feed", "import", "--home", home("c"), dir_.file("a.feed"), "--trust"});
  ok({"feed", "import", "--home", home("c"), dir_.file("b.feed"), "--trust"});
  ok({"feed", "import", "--home", home("c"), dir_.file("d.feed"), "--trust"});
  ok({"feed", "import", "--home", home("d"), dir_.file("b.feed"), "--trust"});
  ok({"feed", "import", "--home", home("d"), dir_.file("a.feed"), "--trust"});
  ok({"feed", "import", "--home", home("d"), dir_.file("c.feed"), "--trust"});
  ok({"feed", "import", "--home", home("d"), dir_.file("a.feed")});  // a duplicate is harmless
  EXPECT_EQ(digest("c"), digest("d"));
  EXPECT_NE(digest("c"), digest("a"));
  EXPECT_EQ(status("c")["feeds"].size(), 4u);
}

// `peer remove` takes a node id: one digit short or long, or not hex, is refused by name; an id
// that is no configured peer is refused too, and peers.toml is left alone.
TEST_F(CliTest, PeerRemoveRefusesMalformedAndUnknownNodeIds) {
  init("a");
  const std::string peers = home("a") + "/peers.toml";
  std::ifstream before_file(peers);
  const std::string before((std::istreambuf_iterator<char>(before_file)), {});
  for (const std::string& id :
       {std::string(63, 'a'), std::string(65, 'a'), std::string(63, 'a') + "g"}) {
    ProcessResult r = eichub({"peer", "remove", "--home", home("a"), id});
    EXPECT_EQ(r.exit_code, 1) << id;
    EXPECT_NE(r.err.find("64 hex digits"), std::string::npos) << r.err;
  }
  ProcessResult unknown = eichub({"peer", "remove", "--home", home("a"), std::string(64, 'a')});
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_NE(unknown.err.find("no peer"), std::string::npos) << unknown.err;
  std::ifstream after_file(peers);
  EXPECT_EQ(std::string((std::istreambuf_iterator<char>(after_file)), {}), before);
}

TEST_F(CliTest, NotAHomeBadKeyModeAndCorruptStoreAreClearErrors) {
  ProcessResult missing = eichub({"status", "--home", dir_.file("nowhere")});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find("not an eichub home"), std::string::npos) << missing.err;

  init("a");
  ASSERT_EQ(::chmod((home("a") + "/keys/node.key").c_str(), 0644), 0);
  ProcessResult mode = eichub({"status", "--home", home("a")});
  EXPECT_EQ(mode.exit_code, 1);
  EXPECT_NE(mode.err.find("chmod 600"), std::string::npos) << mode.err;
  ASSERT_EQ(::chmod((home("a") + "/keys/node.key").c_str(), 0600), 0);

  std::ofstream(home("a") + "/data/data.mdb", std::ios::trunc) << std::string(8192, 'x');
  ProcessResult corrupt = eichub({"status", "--home", home("a")});
  EXPECT_EQ(corrupt.exit_code, 1);
  EXPECT_FALSE(corrupt.err.empty());
}

TEST_F(CliTest, UsageErrorsExitNonZero) {
  EXPECT_NE(eichub({}).exit_code, 0);
  EXPECT_NE(eichub({"search"}).exit_code, 0);
  init("a");
  ProcessResult kind = eichub({"search", "--home", home("a"), "x", "--kind", "nonsense"});
  EXPECT_EQ(kind.exit_code, 1);
  EXPECT_NE(kind.err.find("unknown --kind"), std::string::npos);
}

TEST_F(CliTest, EscoImportOfTheRealData) {
  std::string shared = testing::sharedDataDir();
  if (shared.empty()) GTEST_SKIP() << "../shared/data is absent: the real ESCO test needs it";
  init("a");
  json first = json::parse(ok({"import", "esco", "--home", home("a"), shared + "/esco", "--json"}));
  EXPECT_EQ(first["attribution"],
            "This service uses the ESCO classification of the European Commission.");
  json s = status("a");
  EXPECT_EQ(s["records"]["Skill"], 13896);
  EXPECT_EQ(s["records"]["Occupation"], 3007);
  EXPECT_EQ(s["records"]["SkillGroup"], 640);
  EXPECT_EQ(s["records"]["OccupationGroup"], 619);
  std::string before = digest("a");
  json again = json::parse(ok({"import", "esco", "--home", home("a"), shared + "/esco", "--json"}));
  EXPECT_EQ(again["added"], 0);
  EXPECT_EQ(again["changed"], 0);
  EXPECT_EQ(digest("a"), before);

  json hits = json::parse(ok(
      {"search", "--home", home("a"), "wound care", "--kind", "skill", "--limit", "5", "--json"}));
  ASSERT_FALSE(hits["hits"].empty());
  std::string uri = hits["hits"][0]["id"];
  json got = json::parse(ok({"get", "--home", home("a"), uri, "--json"}));
  EXPECT_EQ(got["records"][0]["kind"], "Skill");
  EXPECT_TRUE(got.contains("attribution"));
}

}  // namespace
}  // namespace eichub
