// checkRecordValues: the planned walk refuses what each limit refuses, names the field at fault,
// and agrees with a walk through Cap'n Proto's reflection (the check it replaced, kept here as the
// reference) on every record of the project's samples and on thousands of damaged copies.
#include "node/catalog/record_values.h"

#include <cstring>
#include <functional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include <capnp/dynamic.h>
#include <capnp/message.h>
#include <capnp/schema.h>
#include <gtest/gtest.h>
#include <kj/exception.h>

#include "federation/common/capnp_read.h"
#include "federation/common/utf8.h"
#include "node/catalog/change.h"
#include "node/catalog/jsonl_reader.h"

namespace eichub::catalog {
namespace {

// The reference: every field through DynamicStruct, as checkBody did before the plan. It says
// only whether a record passes.
bool referenceValue(const capnp::DynamicValue::Reader& value);

bool referenceStruct(capnp::DynamicStruct::Reader reader) {
  for (auto field : reader.getSchema().getNonUnionFields()) {
    if (reader.has(field) && !referenceValue(reader.get(field))) return false;
  }
  KJ_IF_MAYBE (active, reader.which()) {
    if (reader.has(*active) && !referenceValue(reader.get(*active))) return false;
  }
  return true;
}

bool referenceValue(const capnp::DynamicValue::Reader& value) {
  switch (value.getType()) {
    case capnp::DynamicValue::TEXT: {
      auto text = value.as<capnp::Text>();
      return text.size() <= kMaxTextBytes && isValidUtf8({text.begin(), text.size()});
    }
    case capnp::DynamicValue::LIST: {
      auto list = value.as<capnp::DynamicList>();
      if (list.size() > kMaxListEntries) return false;
      for (unsigned i = 0; i < list.size(); ++i) {
        if (!referenceValue(list[i])) return false;
      }
      return true;
    }
    case capnp::DynamicValue::STRUCT:
      return referenceStruct(value.as<capnp::DynamicStruct>());
    case capnp::DynamicValue::DATA:
    case capnp::DynamicValue::ANY_POINTER:
    case capnp::DynamicValue::CAPABILITY:
      return false;
    default:
      return true;
  }
}

// Whether each walk passes the record in words (a body: one segment, no table); a kj::Exception (a
// malformed message) fails.
bool planPasses(const kj::ArrayPtr<const capnp::word> words) {
  try {
    capnp::SegmentArrayMessageReader reader(kj::arrayPtr(&words, 1));
    return checkRecordValues(reader.getRoot<schema::Record>()).ok();
  } catch (const kj::Exception&) {
    return false;
  }
}

bool referencePasses(const kj::ArrayPtr<const capnp::word> words) {
  try {
    capnp::SegmentArrayMessageReader reader(kj::arrayPtr(&words, 1));
    return referenceStruct(capnp::toDynamic(reader.getRoot<schema::Record>()));
  } catch (const kj::Exception&) {
    return false;
  }
}

std::vector<Bytes> sampleBodies() {
  std::vector<Bytes> bodies;
  for (const char* file : {"bremen.jsonl", "leeds.jsonl", "oslo.jsonl"}) {
    auto loaded = readJsonLines(std::string(EICHUB_TESTDATA) + "/sample/" + file);
    EXPECT_TRUE(loaded.ok()) << file << ": " << loaded.status().toString();
    if (!loaded.ok()) continue;
    for (const Change& change : loaded->changes) bodies.push_back(change.body);
  }
  return bodies;
}

Status checkLearningResource(const std::function<void(schema::LearningResource::Builder)>& fill) {
  capnp::MallocMessageBuilder message;
  auto resource = message.initRoot<schema::Record>().initLearningResource();
  resource.setId("course/1");
  fill(resource);
  return checkRecordValues(message.getRoot<schema::Record>().asReader());
}

TEST(RecordValuesTest, EverySampleRecordPassesAndEveryKindIsAmongThem) {
  std::vector<Bytes> bodies = sampleBodies();
  ASSERT_GT(bodies.size(), 20u);
  std::set<Kind> kinds;
  for (const Bytes& body : bodies) {
    auto reader = RecordReader::open(body);
    ASSERT_TRUE(reader.ok());
    EXPECT_TRUE(checkRecordValues((*reader)->root()).ok());
    kinds.insert(kindOf((*reader)->root()));
  }
  EXPECT_GE(kinds.size(), 4u);  // skills, providers, learning resources, cluster profiles
}

TEST(RecordValuesTest, EachLimitIsRefusedNamingTheFieldAtFault) {
  auto message = [](const Status& status) { return status.message(); };
  EXPECT_TRUE(checkLearningResource([](auto r) {
                auto title = r.initTitle(2);
                title[1].setText(std::string(kMaxTextBytes, 'a'));
                r.initSectors(kMaxListEntries);
              }).ok());
  EXPECT_EQ(message(checkLearningResource([](auto r) {
              auto title = r.initTitle(2);
              title[1].setText(std::string(kMaxTextBytes + 1, 'a'));
            })),
            "learningResource.title[1].text is longer than 65536 bytes");
  EXPECT_EQ(message(checkLearningResource([](auto r) {
              auto sectors = r.initSectors(3);
              sectors.set(2, capnp::Text::Reader("caf\xc3"));
            })),
            "learningResource.sectors[2] is not valid UTF-8");
  EXPECT_EQ(message(checkLearningResource([](auto r) { r.initTeaches(kMaxListEntries + 1); })),
            "learningResource.teaches has more than 4096 entries");
  EXPECT_EQ(message(checkLearningResource([](auto r) { r.initLanguages(kMaxListEntries + 1); })),
            "learningResource.languages has more than 4096 entries");
  EXPECT_EQ(message(checkLearningResource(
                [](auto r) { r.initPrice().setCurrency(capnp::Text::Reader("\xff")); })),
            "learningResource.price.currency is not valid UTF-8");
}

// Bytes flipped, words swapped and pointers bent in every sample record: the planned walk
// passes exactly the copies that the reflection walk passes.
TEST(RecordValuesTest, DamagedRecordsGetTheVerdictOfTheReflectionWalk) {
  std::vector<Bytes> bodies = sampleBodies();
  ASSERT_FALSE(bodies.empty());
  std::mt19937 random(16);
  size_t passed = 0, refused = 0;
  for (int round = 0; round < 200; ++round) {
    for (const Bytes& body : bodies) {
      kj::Array<capnp::word> words = kj::heapArray<capnp::word>(body.size() / 8);
      std::memcpy(words.begin(), body.data(), words.size() * 8);
      kj::ArrayPtr<kj::byte> bytes = words.asBytes();
      const int flips = 1 + static_cast<int>(random() % 3);
      for (int f = 0; f < flips; ++f) {
        const size_t at = random() % bytes.size();
        switch (random() % 3) {
          case 0:
            bytes[at] ^= static_cast<kj::byte>(1u << (random() % 8));
            break;
          case 1:
            bytes[at] = static_cast<kj::byte>(0x80 | random());  // breaks UTF-8 in texts
            break;
          default:
            bytes[at] = static_cast<kj::byte>(random());
        }
      }
      const bool plan = planPasses(words);
      ASSERT_EQ(plan, referencePasses(words))
          << "round " << round << ", " << body.size() << "-byte body";
      (plan ? passed : refused)++;
    }
  }
  // Both verdicts occur, so the agreement means something.
  EXPECT_GT(passed, 100u);
  EXPECT_GT(refused, 100u);
}

}  // namespace
}  // namespace eichub::catalog
