// Test fixtures for the store: canonical Record bodies and signed feeds built with real
// Ed25519 keys through FeedAppender.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <capnp/message.h>

#include "federation/common/bytes.h"
#include "federation/common/check.h"
#include "federation/crypto/ed25519_key.h"
#include "federation/feed/appender.h"
#include "federation/feed/update.h"
#include "node/store/catalog_store.h"
#include "schemas/catalog.capnp.h"

namespace eichub::store::testing {

inline constexpr const char* kNetwork = "test-net";

// Opens (creating) the store in dir; a failure stops the test binary with its status.
inline std::unique_ptr<CatalogStore> openStore(const std::string& dir, StoreOptions options = {}) {
  auto store = CatalogStore::open(dir, options);
  EICHUB_CHECK(store.ok()) << store.status().toString();
  return std::move(store).value();
}

// (lang, text) pairs.
using Texts = std::vector<std::pair<std::string, std::string>>;

inline void fill(capnp::List<schema::LangText>::Builder list, const Texts& texts) {
  for (unsigned i = 0; i < texts.size(); ++i) {
    list[i].setLang(texts[i].first);
    list[i].setText(texts[i].second);
  }
}

template <typename Reader>
Bytes canonical(Reader reader) {
  kj::Array<capnp::word> words = capnp::canonicalize(reader);
  auto chars = words.asBytes();
  return Bytes(chars.begin(), chars.end());
}

inline Bytes skillBody(const std::string& uri, const Texts& pref, const Texts& alt = {}) {
  capnp::MallocMessageBuilder message;
  auto skill = message.initRoot<schema::Record>().initSkill();
  skill.setUri(uri);
  fill(skill.initPrefLabel(static_cast<unsigned>(pref.size())), pref);
  fill(skill.initAltLabels(static_cast<unsigned>(alt.size())), alt);
  skill.initDescription(1)[0].setText("a description that must never be indexed: zebra");
  return canonical(message.getRoot<schema::Record>().asReader());
}

inline Bytes resourceBody(const std::string& id, const Texts& title,
                          const std::vector<std::string>& teaches, const Texts& keywords = {}) {
  capnp::MallocMessageBuilder message;
  auto lr = message.initRoot<schema::Record>().initLearningResource();
  lr.setId(id);
  fill(lr.initTitle(static_cast<unsigned>(title.size())), title);
  fill(lr.initKeywords(static_cast<unsigned>(keywords.size())), keywords);
  auto refs = lr.initTeaches(static_cast<unsigned>(teaches.size()));
  for (unsigned i = 0; i < teaches.size(); ++i) refs[i].setSkill(teaches[i]);
  return canonical(message.getRoot<schema::Record>().asReader());
}

// One author's feed. Not movable: the appender borrows the key.
class TestFeed {
 public:
  TestFeed() : key_(crypto::SigningKey::generate().value()), appender_(key_, kNetwork, {}) {}
  TestFeed(const TestFeed&) = delete;
  TestFeed& operator=(const TestFeed&) = delete;

  feed::VerifiedUpdate skill(const std::string& id, const Texts& pref, const Texts& alt = {}) {
    return appender_.append(feed::Op::UPSERT, catalog::kindCode(catalog::Kind::SKILL), id, {},
                            skillBody(id, pref, alt), ++time_ms_);
  }
  feed::VerifiedUpdate resource(const std::string& id, const Texts& title,
                                const std::vector<std::string>& teaches,
                                const Texts& keywords = {}) {
    return appender_.append(feed::Op::UPSERT, catalog::kindCode(catalog::Kind::LEARNING_RESOURCE),
                            id, {}, resourceBody(id, title, teaches, keywords), ++time_ms_);
  }
  feed::VerifiedUpdate raw(catalog::Kind kind, const std::string& id, Bytes body) {
    return appender_.append(feed::Op::UPSERT, catalog::kindCode(kind), id, {}, std::move(body),
                            ++time_ms_);
  }
  feed::VerifiedUpdate remove(catalog::Kind kind, const std::string& id) {
    return appender_.append(feed::Op::DELETE, catalog::kindCode(kind), id, {}, {}, ++time_ms_);
  }
  feed::VerifiedUpdate erase(catalog::Kind kind, const std::string& id,
                             std::vector<uint64_t> targets) {
    return appender_.append(feed::Op::ERASE, catalog::kindCode(kind), id, {}, {}, ++time_ms_,
                            std::move(targets));
  }

  const PublicKey& author() const { return key_.publicKey(); }
  // For a second appender on the same key (forks).
  const crypto::SigningKey& signingKey() const { return key_; }
  const feed::Head& head() const { return appender_.head(); }
  RecordKey key(catalog::Kind kind, const std::string& id) const {
    return RecordKey{kind, key_.publicKey(), id};
  }

 private:
  crypto::SigningKey key_;
  feed::FeedAppender appender_;
  int64_t time_ms_ = 1'700'000'000'000;
};

}  // namespace eichub::store::testing
