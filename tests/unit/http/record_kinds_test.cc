// Every kind of the registry works end to end, taken from the registry itself and from the
// example record docs/catalogue-jsonl.md gives of it, so a kind added with its entry and its
// docs needs nothing added here: its JSON reads, writes back as the docs show it and reads
// again to the same body; it yields search terms or skills; and, published into a real store,
// the HTTP API (a real HttpServer in this process) serves it by id and finds it.
#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "federation/crypto/ed25519_key.h"
#include "node/catalog/kinds.h"
#include "node/catalog/record_json.h"
#include "node/http/http_server.h"
#include "node/publish/publisher.h"
#include "node/search/record_terms.h"
#include "tests/multinode/http_client.h"
#include "tests/testing/doc_examples.h"
#include "tests/testing/temp_dir.h"

namespace eichub {
namespace {

using nlohmann::json;

constexpr char kNetwork[] = "test-net";

// The upsert lines of docs/catalogue-jsonl.md's examples, the first of each kind, by kind name.
std::map<std::string, json> docExamples() {
  std::map<std::string, json> examples;
  for (const std::string& line : testing::docJsonLines("catalogue-jsonl.md")) {
    json record = json::parse(line, nullptr, false);
    if (!record.is_object() || record.contains("op") || !record["kind"].is_string()) continue;
    examples.emplace(record["kind"].get<std::string>(), std::move(record));
  }
  return examples;
}

// The kind's shortest alias, as a search's kind= filter takes it.
std::string shortAlias(const catalog::KindInfo& info) {
  std::string_view shortest = info.aliases.front();
  for (std::string_view alias : info.aliases) {
    if (alias.size() < shortest.size()) shortest = alias;
  }
  return std::string(shortest);
}

// One catalogue kind's example, read and checked by the unit under test.
struct Example {
  const catalog::KindInfo* info = nullptr;
  json line;
  catalog::Change change;
  std::vector<search::Term> terms;
  std::vector<std::string> skills;
};

class RecordKindsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::map<std::string, json> docs = docExamples();
    for (const catalog::KindInfo& info : catalog::allKinds()) {
      if (!info.catalogue()) continue;
      auto doc = docs.find(std::string(info.name));
      ASSERT_NE(doc, docs.end()) << "docs/catalogue-jsonl.md gives no example of " << info.name;
      examples_.push_back({&info, doc->second, {}, {}, {}});
    }
    ASSERT_FALSE(examples_.empty());
  }

  // Publishes every example into a store in a temp dir and serves it over HTTP.
  void serve() {
    store_ = store::CatalogStore::open(dir_.path(), {}).value();
    auto key = crypto::SigningKey::generate();
    ASSERT_TRUE(key.ok());
    std::vector<catalog::Change> changes;
    for (const Example& e : examples_) changes.push_back(e.change);
    auto published = publish::publishChanges(*store_, *key, kNetwork, changes);
    ASSERT_TRUE(published.ok()) << published.status().toString();
    auto context = std::make_unique<http::ApiContext>(*store_, board_, applied_, metrics_,
                                                      http::NodeInfo{}, "", nullptr);
    http::HttpOptions options;
    options.listen = "127.0.0.1:0";
    auto server = http::HttpServer::start(options, std::move(context));
    ASSERT_TRUE(server.ok()) << server.status().toString();
    server_ = std::move(server).value();
  }

  std::vector<Example> examples_;
  testing::TempDir dir_;
  std::unique_ptr<store::CatalogStore> store_;
  http::SnapshotBoard board_;
  http::ChangeSignal applied_;
  http::Metrics metrics_;
  std::unique_ptr<http::HttpServer> server_;  // declared last: stops before what it uses
};

TEST_F(RecordKindsTest, EveryKindReadsWritesSearchesAndIsServed) {
  for (Example& e : examples_) {
    SCOPED_TRACE(std::string(e.info->name));
    // JSON: read, write back as the docs show it, read again to the same body.
    auto change = catalog::changeFromJson(e.line);
    ASSERT_TRUE(change.ok()) << change.status().toString();
    EXPECT_EQ(change->kind, e.info->kind);
    e.change = *change;
    auto reader = catalog::RecordReader::open(change->body);
    ASSERT_TRUE(reader.ok());
    EXPECT_EQ(catalog::kindOf((*reader)->root()), e.info->kind);
    const json back = catalog::recordToJson((*reader)->root());
    EXPECT_EQ(back, e.line) << back.dump();
    auto again = catalog::changeFromJson(back);
    ASSERT_TRUE(again.ok()) << again.status().toString();
    EXPECT_EQ(again->body, change->body);
    EXPECT_EQ(again->tags, change->tags);

    // Search: words from its names, or skills, to be found by.
    auto texts = search::recordTexts((*reader)->root());
    ASSERT_TRUE(texts.ok()) << texts.status().toString();
    e.terms = search::indexTerms(*texts);
    for (std::string_view skill : texts->skills) e.skills.emplace_back(skill);
    EXPECT_FALSE(e.terms.empty() && e.skills.empty()) << "neither words nor skills";
  }
  serve();
  ASSERT_NE(server_, nullptr);

  for (const Example& e : examples_) {
    SCOPED_TRACE(std::string(e.info->name));
    const std::string& id = e.change.id;
    json by_id =
        testing::httpGetJson(server_->address(), "/api/v1/records/" + testing::percentEncode(id));
    ASSERT_TRUE(by_id.is_object() && by_id["records"].is_array()) << by_id.dump();
    ASSERT_EQ(by_id["records"].size(), 1u) << by_id.dump();
    const json& view = by_id["records"][0];
    EXPECT_EQ(view["kind"], e.info->name);
    EXPECT_EQ(view["id"], id);
    EXPECT_EQ(view["deleted"], false);
    EXPECT_EQ(view["record"], e.line);
    EXPECT_EQ(view["label"], catalog::recordLabel(e.line));
    EXPECT_EQ(view["label"].get<std::string>().empty(), e.info->label_field.empty());

    if (!e.terms.empty()) {
      // Its first word, among records of its kind only (by its short alias, as a user types it).
      const std::string path = "/api/v1/search?q=" + testing::percentEncode(e.terms[0].token) +
                               "&kind=" + shortAlias(*e.info) + "&limit=100";
      json found = testing::httpGetJson(server_->address(), path);
      ASSERT_TRUE(found.is_object() && found["results"].is_array()) << path << ": " << found;
      bool hit = false;
      for (const json& result : found["results"]) {
        EXPECT_EQ(result["kind"], e.info->name);
        hit = hit || result["id"] == id;
      }
      EXPECT_TRUE(hit) << path << ": " << found.dump();
    } else if (!e.skills.empty()) {
      auto keys = store_->queries().recordsBySkill(e.skills.front());
      ASSERT_TRUE(keys.ok()) << keys.status().toString();
      bool hit = false;
      for (const store::RecordKey& key : *keys)
        hit = hit || (key.kind == e.info->kind && key.id == id);
      EXPECT_TRUE(hit) << "the skill index does not find it by " << e.skills.front();
    }
  }
}

}  // namespace
}  // namespace eichub
