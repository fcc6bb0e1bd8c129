// Test fixtures for the match module: real stores filled by the real publisher from the JSON
// Lines files of tests/testdata/match_mini, one signing key per author.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "federation/crypto/ed25519_key.h"
#include "node/catalog/jsonl_reader.h"
#include "node/publish/publisher.h"
#include "node/store/catalog_store.h"
#include "tests/testing/temp_dir.h"

namespace eichub::match::testing {

inline constexpr const char* kNetwork = "match-test-net";

inline std::string miniFile(const std::string& name) {
  return eichub::testing::testDataDir() + "/match_mini/" + name;
}

inline const std::string kSkill = "http://data.europa.eu/esco/skill/match-";
inline std::string skill(const std::string& name) { return kSkill + name; }
inline const std::string kAssistant =
    "http://data.europa.eu/esco/occupation/match-healthcare-assistant";

inline std::unique_ptr<store::CatalogStore> openStore(const std::string& dir) {
  auto store = store::CatalogStore::open(dir, store::StoreOptions{});
  EICHUB_CHECK(store.ok()) << store.status().toString();
  return std::move(store).value();
}

// Publishes the records of a JSON Lines file into store, signed by key, with a fixed clock.
inline void publishFile(store::CatalogStore& store, const crypto::SigningKey& key,
                        const std::string& path) {
  auto loaded = catalog::readJsonLines(path);
  ASSERT_TRUE(loaded.ok()) << loaded.status().toString();
  int64_t now = 1'800'000'000'000;
  auto summary =
      publish::publishChanges(store, key, kNetwork, loaded->changes, {}, [&now] { return ++now; });
  ASSERT_TRUE(summary.ok()) << summary.status().toString();
}

// The mini federation in one store: ESCO-shaped records, two regions' resources, the needs,
// each file from its own author.
struct MiniStore {
  eichub::testing::TempDir dir;
  crypto::SigningKey esco = crypto::SigningKey::generate().value();
  crypto::SigningKey leeds = crypto::SigningKey::generate().value();
  crypto::SigningKey bremen = crypto::SigningKey::generate().value();
  std::unique_ptr<store::CatalogStore> store = openStore(dir.path());

  MiniStore() {
    publishFile(*store, esco, miniFile("esco.jsonl"));
    publishFile(*store, leeds, miniFile("leeds.jsonl"));
    publishFile(*store, bremen, miniFile("bremen.jsonl"));
    publishFile(*store, leeds, miniFile("needs.jsonl"));
  }
};

}  // namespace eichub::match::testing
