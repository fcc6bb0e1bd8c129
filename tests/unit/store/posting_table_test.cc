// PostingTable: keys found again whatever their hash (forced collisions), across growth; values
// per key in the order added, by kind; drops; keys walked in byte order; clear() empties.
#include "node/store/internal/posting_table.h"

#include <algorithm>
#include <map>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

namespace eichub::store::internal {
namespace {

constexpr size_t kValueBytes = 2;

Bytes value(uint8_t a, uint8_t b) { return Bytes{a, b}; }

// Every key in one bucket: each lookup probes past all the others.
uint64_t sameHash(std::string_view) { return 7; }

struct Walked {
  std::string key;
  Bytes held;
  Bytes appendable;
  bool operator==(const Walked&) const = default;
};

std::vector<Walked> walk(PostingTable& table) {
  std::vector<Walked> out;
  Status status =
      table.forEachKey([&out](std::string_view key, ByteView held, std::span<uint8_t> appendable) {
        out.push_back({std::string(key), Bytes(held.begin(), held.end()),
                       Bytes(appendable.begin(), appendable.end())});
        return Status::OK();
      });
  EXPECT_TRUE(status.ok()) << status.toString();
  return out;
}

TEST(PostingTableTest, GroupsValuesPerKeyInOrderAddedAndWalksKeysInByteOrder) {
  PostingTable table(kValueBytes, 4);
  table.add("beta", value(1, 1), /*appendable=*/true);
  table.add("alpha", value(2, 2), false);
  table.add("beta", value(3, 3), false);
  table.add("beta", value(0, 9), true);  // values keep their order; sorting is the caller's
  table.add("", value(4, 4), true);      // the empty key is a key
  table.add("alph", value(5, 5), true);  // a prefix sorts first
  EXPECT_EQ(table.keyCount(), 4u);
  EXPECT_EQ(walk(table), (std::vector<Walked>{{"", {}, {4, 4}},
                                              {"alph", {}, {5, 5}},
                                              {"alpha", {2, 2}, {}},
                                              {"beta", {3, 3}, {1, 1, 0, 9}}}));
}

TEST(PostingTableTest, KeysCompareAsUnsignedBytes) {
  PostingTable table(kValueBytes, 4);
  table.add("\xc3\xa9", value(1, 1), true);  // é: above every ASCII byte
  table.add("z", value(2, 2), true);
  table.add(std::string_view("a\0b", 3), value(3, 3), true);
  table.add("a", value(4, 4), true);
  std::vector<std::string> keys;
  for (const Walked& w : walk(table)) keys.push_back(w.key);
  EXPECT_EQ(keys, (std::vector<std::string>{"a", std::string("a\0b", 3), "z", "\xc3\xa9"}));
}

TEST(PostingTableTest, CollidingKeysStayApartThroughGrowth) {
  PostingTable table(kValueBytes, 1, sameHash);
  std::map<std::string, Bytes> expected;
  for (int round = 0; round < 3; ++round) {
    for (int i = 0; i < 100; ++i) {
      const std::string key = "key" + std::to_string(i);
      table.add(key, value(static_cast<uint8_t>(i), static_cast<uint8_t>(round)), true);
      expected[key].insert(expected[key].end(),
                           {static_cast<uint8_t>(i), static_cast<uint8_t>(round)});
    }
  }
  EXPECT_EQ(table.keyCount(), 100u);
  auto walked = walk(table);
  ASSERT_EQ(walked.size(), expected.size());
  auto it = expected.begin();
  for (const Walked& w : walked) {
    EXPECT_EQ(w.key, it->first);
    EXPECT_EQ(w.appendable, it->second) << w.key;
    EXPECT_TRUE(w.held.empty());
    ++it;
  }
}

TEST(PostingTableTest, GrowsPastExpectedKeysWithTheDefaultHash) {
  PostingTable table(kValueBytes, 2);
  for (int i = 0; i < 5000; ++i) {
    table.add(std::to_string(i), value(static_cast<uint8_t>(i), static_cast<uint8_t>(i >> 8)),
              i % 2 == 0);
  }
  table.add("4999", value(1, 2), true);  // an existing key after growth
  EXPECT_EQ(table.keyCount(), 5000u);
  auto walked = walk(table);
  ASSERT_EQ(walked.size(), 5000u);
  for (size_t i = 1; i < walked.size(); ++i) EXPECT_LT(walked[i - 1].key, walked[i].key);
  const Walked& last = walked.back();
  EXPECT_EQ(last.key, "999");
  const Walked* k4999 = nullptr;
  for (const Walked& w : walked) {
    if (w.key == "4999") k4999 = &w;
  }
  ASSERT_NE(k4999, nullptr);
  EXPECT_EQ(k4999->held, (Bytes{4999 & 0xff, 4999 >> 8}));
  EXPECT_EQ(k4999->appendable, (Bytes{1, 2}));
}

TEST(PostingTableTest, DropRemovesTheNewestMatchingValueOfThatKeyOnly) {
  PostingTable table(kValueBytes, 4, sameHash);
  table.add("k", value(1, 1), false);
  table.add("k", value(2, 1), true);
  table.add("k", value(2, 2), true);
  table.add("j", value(2, 1), true);
  const Bytes prefix{2};
  EXPECT_TRUE(table.drop("k", prefix));
  EXPECT_FALSE(table.drop("absent", prefix));
  EXPECT_TRUE(table.drop("k", Bytes{1, 1}));
  EXPECT_FALSE(table.drop("k", Bytes{1, 1}));  // already dropped
  EXPECT_EQ(table.keyCount(), 2u);             // a key stays when its values are dropped
  EXPECT_EQ(walk(table), (std::vector<Walked>{{"j", {}, {2, 1}}, {"k", {}, {2, 1}}}));
  EXPECT_TRUE(table.drop("k", prefix));
  EXPECT_EQ(walk(table), (std::vector<Walked>{{"j", {}, {2, 1}}, {"k", {}, {}}}));
}

TEST(PostingTableTest, WalkMayReorderAppendableValuesInPlace) {
  PostingTable table(kValueBytes, 4);
  table.add("a", value(3, 3), true);
  table.add("b", value(9, 9), true);
  table.add("a", value(1, 1), true);
  Status status = table.forEachKey([](std::string_view, ByteView, std::span<uint8_t> values) {
    std::reverse(values.begin(), values.end());
    return Status::OK();
  });
  ASSERT_TRUE(status.ok());
  // The next walk regroups from the postings as added.
  EXPECT_EQ(walk(table), (std::vector<Walked>{{"a", {}, {3, 3, 1, 1}}, {"b", {}, {9, 9}}}));
}

TEST(PostingTableTest, ClearAfterMorePostingsThanItKeepsLeavesAWorkingTable) {
  PostingTable table(kValueBytes, 4);
  for (size_t i = 0; i <= PostingTable::kMaxKeptPostings; ++i) {
    table.add(i % 2 == 0 ? "even" : "odd", value(1, 2), true);
  }
  table.clear();
  EXPECT_EQ(table.keyCount(), 0u);
  table.add("b", value(3, 4), false);
  table.add("a", value(5, 6), true);
  EXPECT_EQ(walk(table), (std::vector<Walked>{{"a", {}, {5, 6}}, {"b", {3, 4}, {}}}));
}

// A table grown by a large batch and cleared for a few keys (a live publish after an import)
// zeroes only their slots: every later batch must still find its keys and no earlier one.
TEST(PostingTableTest, FewKeysClearedFromALargeTableLeaveNoneBehind) {
  for (PostingTable::HashFn hash : {&sameHash, &PostingTable::defaultHash}) {
    PostingTable table(kValueBytes, 4, hash);
    for (int i = 0; i < 1000; ++i) table.add("big" + std::to_string(i), value(0, 0), true);
    table.clear();  // many keys: the whole array
    EXPECT_EQ(table.slotsInUse(), 0u);
    for (int round = 0; round < 4; ++round) {
      std::vector<Walked> expected;
      for (int i = 0; i < 3; ++i) {
        const std::string key = "r" + std::to_string(round) + "k" + std::to_string(i);
        const auto byte = static_cast<uint8_t>(round * 3 + i);
        table.add(key, value(byte, byte), false);
        table.add(key, value(byte, 1), false);  // found again, not added as a second key
        expected.push_back({key, {byte, byte, byte, 1}, {}});
      }
      EXPECT_EQ(table.keyCount(), 3u);
      EXPECT_EQ(table.slotsInUse(), 3u);
      EXPECT_EQ(walk(table), expected) << "round " << round;
      table.clear();  // three keys: their slots only
      EXPECT_EQ(table.keyCount(), 0u);
      EXPECT_EQ(table.slotsInUse(), 0u);
      EXPECT_TRUE(walk(table).empty());
    }
  }
}

TEST(PostingTableTest, StopsAtTheFirstErrorAndClearEmpties) {
  PostingTable table(kValueBytes, 4);
  for (std::string key : {"c", "a", "b"}) table.add(key, value(0, 0), true);
  std::vector<std::string> seen;
  Status status = table.forEachKey([&seen](std::string_view key, ByteView, std::span<uint8_t>) {
    seen.emplace_back(key);
    return key == "b" ? Status::IOError("stop") : Status::OK();
  });
  EXPECT_EQ(status.code(), Status::Code::kIOError);
  EXPECT_EQ(seen, (std::vector<std::string>{"a", "b"}));

  table.clear();
  EXPECT_EQ(table.keyCount(), 0u);
  EXPECT_TRUE(walk(table).empty());
  table.add("a", value(9, 9), false);
  EXPECT_EQ(walk(table), (std::vector<Walked>{{"a", {9, 9}, {}}}));
}

}  // namespace
}  // namespace eichub::store::internal
