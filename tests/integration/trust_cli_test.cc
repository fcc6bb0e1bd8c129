// The trust commands on real homes, without daemons: an authority admits a node, the node
// delegates a vendor, publishes as the vendor inside and outside its scope, revokes it and
// rotates keys; bad input gets a clear error and changes nothing.
#include <fstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/integration/cli_fixture.h"
#include "tests/testing/process.h"
#include "tests/testing/temp_dir.h"

namespace eichub {
namespace {

using nlohmann::json;
using testing::ProcessResult;

constexpr char kCourse[] =
    R"({"kind":"LearningResource","id":"acme/101","title":{"en":"Wound care basics"}})";
constexpr char kProvider[] =
    R"({"kind":"Provider","id":"acme","name":{"en":"Acme Learning"},"providerKind":"vendor"})";

class TrustCliTest : public testing::CliFixture {
 protected:
  // Runs a command that must fail and returns its stderr.
  std::string refused(std::vector<std::string> args) {
    ProcessResult r = eichub(args);
    EXPECT_NE(r.exit_code, 0) << "eichub " << args[0] << " succeeded: " << r.out;
    return r.err;
  }
  std::string write(const std::string& name, const std::string& content) {
    std::string path = dir_.file(name);
    std::ofstream(path) << content;
    return path;
  }
  json show(const std::string& home) {
    return json::parse(ok({"trust", "show", "--home", home, "--json"}));
  }
  uint64_t seqOf(const std::string& home, const std::string& author) {
    json status = json::parse(ok({"status", "--home", home, "--json"}));
    for (const auto& feed : status["feeds"]) {
      if (feed["author"] == author) return feed["seq"].get<uint64_t>();
    }
    return 0;
  }
};

TEST_F(TrustCliTest, AuthorityNodeAndVendorFlows) {
  const std::string net = dir_.file("net");
  const std::string a = dir_.file("a");
  std::string out = ok({"authority", "init", "--home", net, "--name", "EU network"});
  ASSERT_EQ(out.rfind("authority id ", 0), 0u) << out;
  const std::string root = out.substr(13, 64);
  ok({"init", "--home", a, "--name", "a cluster", "--region", "UKE42"});
  const std::string card = ok({"id", "--home", a});
  ok({"authority", "admit", "--home", net, card.substr(0, card.size() - 1), "--name",
      "Leeds Health Cluster", "--region", "UKE42"});
  ok({"trust", "root", "--home", a, root});
  // The authority's feed travels as a feed file here.
  ok({"feed", "export", "--home", net, "--out", dir_.file("net.feed")});
  ok({"feed", "import", "--home", a, dir_.file("net.feed")});
  json shown = show(a);
  ASSERT_EQ(shown["roots"].size(), 1u);
  EXPECT_EQ(shown["roots"][0], root);
  ASSERT_EQ(shown["members"].size(), 1u);
  EXPECT_EQ(shown["members"][0]["name"], "Leeds Health Cluster");

  const std::string key_file = dir_.file("acme.key");
  const std::string vendor = ok({"vendor", "keygen", "--out", key_file}).substr(0, 64);
  const std::string course = write("course.jsonl", std::string(kCourse) + "\n");
  EXPECT_NE(refused({"publish", "--home", a, "--as", key_file, course}).find("not admitted"),
            std::string::npos);
  ok({"vendor", "admit", "--home", a, vendor, "--name", "Acme Learning", "--kinds",
      "LearningResource,Provider", "--id-prefix", "acme/", "--expires", "2099-12-31"});
  // The provider's id "acme" is outside the prefix "acme/": the whole file is refused.
  const std::string both =
      write("both.jsonl", std::string(kCourse) + "\n" + std::string(kProvider) + "\n");
  std::string why = refused({"publish", "--home", a, "--as", key_file, both});
  EXPECT_NE(why.find("1 of 2 records refused"), std::string::npos) << why;
  EXPECT_NE(why.find("out_of_scope_prefix"), std::string::npos) << why;
  EXPECT_EQ(seqOf(a, vendor), 0u);
  ok({"publish", "--home", a, "--as", key_file, course});
  EXPECT_EQ(seqOf(a, vendor), 1u);
  // The delegation is counted as a trust record, under its name (never under an empty one).
  const json records = json::parse(ok({"status", "--home", a, "--json"}))["records"];
  EXPECT_FALSE(records.contains("")) << records.dump();
  EXPECT_GE(records.value("Trust", 0), 1) << records.dump();

  shown = show(a);
  ASSERT_EQ(shown["vendors"].size(), 1u);
  EXPECT_EQ(shown["vendors"][0]["id"], vendor);
  EXPECT_EQ(shown["vendors"][0]["scope"]["id_prefix"], "acme/");
  EXPECT_EQ(shown["vendors"][0]["scope"]["kinds"], json::array({"LearningResource", "Provider"}));
  EXPECT_FALSE(shown["vendors"][0]["stale"].get<bool>());

  // The vendor moves to a new key; the old one can no longer publish.
  json rotated = json::parse(ok({"key", "rotate", "--home", a, "--key", key_file, "--out",
                                 dir_.file("acme-2.key"), "--json"}));
  EXPECT_EQ(rotated["old_key"], vendor);
  EXPECT_EQ(rotated["rotation_seq"], 2);
  const std::string more =
      write("more.jsonl", R"({"kind":"LearningResource","id":"acme/102","title":{"en":"x"}})"
                          "\n");
  EXPECT_NE(refused({"publish", "--home", a, "--as", key_file, more}).find("after_cutoff"),
            std::string::npos);
  ok({"publish", "--home", a, "--as", dir_.file("acme-2.key"), more});
  EXPECT_EQ(seqOf(a, rotated["new_key"].get<std::string>()), 1u);

  // Revoking the vendor (its first key's cut-off stays the rotation) ends the new key too.
  const std::string new_key = rotated["new_key"].get<std::string>();
  ok({"vendor", "revoke", "--home", a, new_key, "--reason", "key leaked"});
  EXPECT_NE(refused({"publish", "--home", a, "--as", dir_.file("acme-2.key"),
                     write("late.jsonl",
                           R"({"kind":"LearningResource","id":"acme/103","title":{"en":"y"}})"
                           "\n")})
                .find("after_cutoff"),
            std::string::npos);
  shown = show(a);
  EXPECT_EQ(shown["cuts"].size(), 2u);
}

TEST_F(TrustCliTest, TwoOfTwoRootsMustAgree) {
  const std::string a = dir_.file("a");
  ok({"init", "--home", a, "--name", "a cluster"});
  const std::string card = ok({"id", "--home", a});
  std::vector<std::string> roots;
  for (const char* name : {"net1", "net2"}) {
    std::string out = ok({"authority", "init", "--home", dir_.file(name)});
    roots.push_back(out.substr(13, 64));
  }
  ok({"trust", "root", "--home", a, roots[0], "--threshold", "2"});
  ok({"trust", "root", "--home", a, roots[1]});
  auto carry = [&](const char* name) {
    ok({"authority", "admit", "--home", dir_.file(name), card.substr(0, card.size() - 1), "--name",
        "Leeds", "--region", "UKE42"});
    ok({"feed", "export", "--home", dir_.file(name), "--out",
        dir_.file(std::string(name) + ".feed")});
    ok({"feed", "import", "--home", a, dir_.file(std::string(name) + ".feed")});
  };
  carry("net1");
  json shown = show(a);
  EXPECT_EQ(shown["root_threshold"], 2);
  EXPECT_TRUE(shown["members"].empty()) << "one root of two admitted alone";
  carry("net2");
  EXPECT_EQ(show(a)["members"].size(), 1u);
  EXPECT_NE(refused({"trust", "root", "--home", a, roots[0], "--threshold", "65"}).find("1 to 64"),
            std::string::npos);
}

// A root key's rotation under 2-of-3 roots: the rotated root's new key admits a node with a
// second root, which counts only once a third root approves the rotation.
TEST_F(TrustCliTest, ARootKeyRotationUnderTwoOfThreeWaitsForAnotherRoot) {
  const std::string a = dir_.file("a");
  ok({"init", "--home", a, "--name", "a cluster"});
  std::string card = ok({"id", "--home", a});
  card.pop_back();
  std::vector<std::string> roots;
  for (const char* name : {"net1", "net2", "net3"}) {
    roots.push_back(ok({"authority", "init", "--home", dir_.file(name)}).substr(13, 64));
  }
  ok({"trust", "root", "--home", a, roots[0], "--threshold", "2"});
  ok({"trust", "root", "--home", a, roots[1]});
  ok({"trust", "root", "--home", a, roots[2]});
  const std::string new_key =
      json::parse(ok({"key", "rotate", "--home", dir_.file("net1"), "--json"}))["new_key"];
  auto carry = [&](const std::string& name, const std::string& author) {
    const std::string file = dir_.file(name + "-" + author.substr(0, 8) + ".feed");
    ok({"feed", "export", "--home", dir_.file(name), "--author", author, "--out", file});
    ok({"feed", "import", "--home", a, file});
  };
  for (const char* name : {"net1", "net3"}) {
    ok({"authority", "admit", "--home", dir_.file(name), card, "--name", "Leeds", "--region",
        "UKE42"});
  }
  carry("net1", roots[0]);
  // The new key's feed counts for nothing until the rotation is confirmed: not imported.
  const std::string early = dir_.file("early-new-key.feed");
  ok({"feed", "export", "--home", dir_.file("net1"), "--author", new_key, "--out", early});
  EXPECT_NE(refused({"feed", "import", "--home", a, early}).find("rotation_unconfirmed"),
            std::string::npos);
  carry("net3", roots[2]);
  json shown = show(a);
  ASSERT_EQ(shown["pending_rotations"].size(), 1u) << shown.dump();
  EXPECT_EQ(shown["pending_rotations"][0]["old"], roots[0]);
  EXPECT_EQ(shown["pending_rotations"][0]["new"], new_key);
  EXPECT_EQ(shown["pending_rotations"][0]["roots_behind"], 1);
  EXPECT_EQ(shown["pending_rotations"][0]["roots_needed"], 2);
  EXPECT_TRUE(shown["members"].empty()) << "the unconfirmed key gave a voice: " << shown.dump();

  EXPECT_NE(
      refused({"authority", "approve-rotation", "--home", dir_.file("net2"), roots[0], roots[0]})
          .find("the same"),
      std::string::npos);
  ok({"authority", "approve-rotation", "--home", dir_.file("net2"), roots[0], new_key});
  carry("net2", roots[1]);
  carry("net1", new_key);  // now confirmed
  shown = show(a);
  EXPECT_TRUE(shown["pending_rotations"].empty()) << shown.dump();
  EXPECT_EQ(shown["members"].size(), 1u) << shown.dump();
  bool rotated = false;
  for (const auto& cut : shown["cuts"]) {
    rotated = rotated || (cut["id"] == roots[0] && cut["rotated_to"] == new_key);
  }
  EXPECT_TRUE(rotated) << shown.dump();
}

// Freeze protection: a root whose signed expiry has passed is reported stale by this machine's
// clock, in trust show and status; what it admitted still counts, and homes holding the same
// feeds agree on the digest whatever their staleness window. A renewal makes it fresh again.
TEST_F(TrustCliTest, ARootPastItsSignedExpiryIsReportedStaleAndJudgedAsBefore) {
  const std::string net = dir_.file("net"), a = dir_.file("a"), b = dir_.file("b");
  const std::string c = dir_.file("c");
  const std::string root = ok({"authority", "init", "--home", net}).substr(13, 64);
  for (const std::string& home : {a, b, c}) ok({"init", "--home", home, "--name", "cluster"});
  std::string card = ok({"id", "--home", c});
  card.pop_back();
  ok({"authority", "admit", "--home", net, card, "--name", "Leeds", "--region", "UKE42"});
  ok({"trust", "expires", "--home", net, "2020-01-01"});
  ok({"trust", "stale-after", "--home", a, "1"});
  EXPECT_NE(refused({"trust", "stale-after", "--home", a, "87601"}).find("0 to 87600"),
            std::string::npos);
  EXPECT_NE(refused({"trust", "expires", "--home", net, "2020-02-30x"}).find("YYYY-MM-DD"),
            std::string::npos);
  auto carry = [&](const std::string& home) {
    ok({"feed", "export", "--home", net, "--out", dir_.file("net.feed")});
    ok({"trust", "root", "--home", home, root});
    ok({"feed", "import", "--home", home, dir_.file("net.feed")});
  };
  carry(a);
  carry(b);
  // a and b hold each other's feed too: the same feeds, so the same digest is expected.
  ok({"feed", "export", "--home", a, "--out", dir_.file("a.feed")});
  ok({"feed", "export", "--home", b, "--out", dir_.file("b.feed")});
  ok({"feed", "import", "--home", b, dir_.file("a.feed"), "--trust"});
  ok({"feed", "import", "--home", a, dir_.file("b.feed"), "--trust"});
  for (const std::string& home : {a, b}) {
    json shown = show(home);
    ASSERT_EQ(shown["stale_feeds"].size(), 1u) << shown.dump();
    EXPECT_EQ(shown["stale_feeds"][0]["id"], root);
    EXPECT_EQ(shown["stale_feeds"][0]["role"], "root");
    EXPECT_EQ(shown["stale_feeds"][0]["reason"], "expired");
    EXPECT_EQ(shown["stale"], json::array({root}));
    EXPECT_EQ(shown["members"].size(), 1u) << "a stale root's records still count";
    json status = json::parse(ok({"status", "--home", home, "--json"}));
    EXPECT_EQ(status["stale_feeds"], 1);
  }
  EXPECT_EQ(show(a)["stale_after_hours"], 1);
  EXPECT_EQ(show(b)["stale_after_hours"], 0);
  const std::string digest = ok({"digest", "--home", a});
  EXPECT_EQ(ok({"digest", "--home", b}), digest);

  ok({"trust", "expires", "--home", net, "2099-12-31"});
  carry(a);
  json shown = show(a);
  EXPECT_TRUE(shown["stale_feeds"].empty()) << shown.dump();
  EXPECT_EQ(json::parse(ok({"status", "--home", a, "--json"}))["stale_feeds"], 0);
}

TEST_F(TrustCliTest, BadInputIsRefusedClearly) {
  const std::string a = dir_.file("a");
  ok({"init", "--home", a, "--name", "a cluster"});
  const std::string vendor(64, 'a');
  EXPECT_NE(refused({"vendor", "admit", "--home", a, vendor, "--name", "x", "--kinds", "Bogus"})
                .find("unknown record kind"),
            std::string::npos);
  EXPECT_NE(refused({"vendor", "admit", "--home", a, vendor, "--name", "x", "--kinds", "Trust"})
                .find("unknown record kind"),
            std::string::npos);
  EXPECT_NE(refused({"vendor", "admit", "--home", a, vendor, "--name", "x", "--kinds", "Skill",
                     "--expires", "2027-13-45"})
                .find("YYYY-MM-DD"),
            std::string::npos);
  EXPECT_NE(refused({"vendor", "admit", "--home", a, vendor, "--name", std::string(300, 'n'),
                     "--kinds", "Skill"})
                .find("name too long"),
            std::string::npos);
  EXPECT_NE(refused({"trust", "root", "--home", a, "xyz"}).find("64 hex"), std::string::npos);
  EXPECT_NE(refused({"key", "rotate", "--home", a, "--key", dir_.file("none.key")}).find("--out"),
            std::string::npos);
  EXPECT_TRUE(json::parse(ok({"trust", "show", "--home", a, "--json"}))["vendors"].empty());
}

}  // namespace
}  // namespace eichub
