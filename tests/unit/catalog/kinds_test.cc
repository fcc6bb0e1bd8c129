// The kind registry: every kind the node knows has one name, its aliases, a number that a feed
// header carries, and (for the catalogue's kinds) every per-kind part. Walks the schema and the
// table, so a kind added to either without the rest fails here. That each kind's parts work
// (JSON, search, the HTTP view) is tests/unit/http/record_kinds_test.cc.
#include "node/catalog/kinds.h"

#include <set>
#include <string>

#include <capnp/dynamic.h>
#include <capnp/message.h>
#include <gtest/gtest.h>

#include "federation/crypto/ed25519_key.h"
#include "federation/feed/appender.h"
#include "node/catalog/change.h"
#include "node/catalog/record_json.h"

namespace eichub::catalog {
namespace {

TEST(KindsTest, EveryKindHasOneNumberOneNameAndItsAliases) {
  std::set<std::string> names;
  std::set<std::string> aliases;
  for (const KindInfo& info : allKinds()) {
    EXPECT_TRUE(names.insert(std::string(info.name)).second) << info.name;
    EXPECT_EQ(kindFromCode(kindCode(info.kind)), info.kind) << info.name;
    EXPECT_EQ(kindName(info.kind), info.name);
    EXPECT_EQ(kindName(kindCode(info.kind)), info.name);
    EXPECT_EQ(parseKind(info.name), info.kind) << "a kind's own name is one of its aliases";
    ASSERT_FALSE(info.aliases.empty()) << info.name;
    for (std::string_view alias : info.aliases) {
      EXPECT_TRUE(aliases.insert(std::string(alias)).second) << "alias " << alias << " twice";
      EXPECT_EQ(parseKind(alias), info.kind);
    }
    EXPECT_EQ(kindFromName(info.name),
              info.catalogue() ? std::optional<Kind>(info.kind) : std::nullopt)
        << "trust records are never read from JSON";
  }
  EXPECT_EQ(parseKind("RESOURCE"), Kind::LEARNING_RESOURCE) << "aliases ignore case";
  EXPECT_EQ(parseKind("course"), std::nullopt);
  EXPECT_EQ(kindFromCode(feed::kTrustKind), Kind::TRUST) << "the federation's reserved number";
}

TEST(KindsTest, EveryKindAndRecordMemberOfTheSchemaHasItsEntry) {
  for (capnp::EnumSchema::Enumerant e : capnp::Schema::from<Kind>().getEnumerants()) {
    const KindInfo* info = kindInfo(static_cast<Kind>(e.getOrdinal()));
    ASSERT_NE(info, nullptr) << "no registry entry for Kind " << e.getProto().getName().cStr();
  }
  EXPECT_EQ(allKinds().size(), capnp::Schema::from<Kind>().getEnumerants().size());
  size_t members = 0;
  for (capnp::StructSchema::Field field : capnp::Schema::from<schema::Record>().getUnionFields()) {
    ++members;
    capnp::MallocMessageBuilder message;
    auto record = message.initRoot<capnp::DynamicStruct>(capnp::Schema::from<schema::Record>());
    record.init(field);
    auto reader = record.asReader().as<schema::Record>();
    const KindInfo* info = kindInfo(reader);
    ASSERT_NE(info, nullptr) << "no registry entry for Record."
                             << field.getProto().getName().cStr();
    EXPECT_TRUE(info->member == reader.which()) << info->name;
    EXPECT_TRUE(info->read_json && info->write_json && info->identify && info->search_fields)
        << info->name;
    EXPECT_EQ(kindOf(reader), info->kind);
  }
  size_t catalogue = 0;
  for (const KindInfo& info : allKinds()) catalogue += info.catalogue() ? 1 : 0;
  EXPECT_EQ(catalogue, members) << "each catalogue kind has its own member of Record";
}

TEST(KindsTest, TheShortAliasesListEveryCatalogueKind) {
  EXPECT_EQ(catalogueKindAliases(),
            "skill, skillgroup, occupation, occupationgroup, resource, provider, profile, need");
  std::string_view rest = catalogueKindAliases();
  std::set<Kind> kinds;
  while (!rest.empty()) {
    const size_t comma = rest.find(", ");
    auto kind = parseKind(rest.substr(0, comma));
    ASSERT_TRUE(kind.has_value()) << rest.substr(0, comma);
    kinds.insert(*kind);
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 2);
  }
  EXPECT_EQ(kinds.size(), allKinds().size() - 1) << "every kind but trust";
  EXPECT_EQ(kinds.count(Kind::TRUST), 0u);
}

TEST(KindsTest, NumbersNoKindHoldsAreNamedButNotKnown) {
  const auto unknown = static_cast<feed::KindCode>(allKinds().size());
  EXPECT_EQ(kindFromCode(unknown), std::nullopt);
  EXPECT_EQ(kindName(unknown), "Kind" + std::to_string(unknown));
  EXPECT_EQ(kindFromCode(65535), std::nullopt);
}

// The node's side of an opaque kind: a header whose number this node does not name is refused
// with that number, before its body is read.
TEST(KindsTest, AnUpdateOfAKindThisNodeDoesNotKnowIsRefusedNamingItsNumber) {
  auto key = crypto::SigningKey::generate();
  ASSERT_TRUE(key.ok());
  feed::FeedAppender appender(*key, "test-network", feed::Head{});
  auto change = changeFromJson({{"kind", "Provider"}, {"id", "p/1"}, {"name", {{"en", "x"}}}});
  ASSERT_TRUE(change.ok());
  feed::VerifiedUpdate known = appender.append(change->op, kindCode(change->kind), change->id,
                                               change->tags, change->body, 1000);
  EXPECT_TRUE(checkUpdateBody(known).ok());
  feed::VerifiedUpdate newer =
      appender.append(change->op, 300, change->id, change->tags, change->body, 1001);
  Status refused = checkUpdateBody(newer);
  EXPECT_FALSE(refused.ok());
  EXPECT_NE(refused.toString().find("unknown kind 300"), std::string::npos) << refused.toString();
}

}  // namespace
}  // namespace eichub::catalog
