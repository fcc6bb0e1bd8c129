// History checker: exports feeds from real nodes and looks for every acknowledged head.
#include "tests/faults/history.h"

#include <filesystem>

#include <gtest/gtest.h>

#include "federation/common/bytes.h"
#include "federation/feed/feed_file.h"

namespace eichub::testing {

HeldFeed exportFeed(const NodeProcess& node, const std::string& author, const std::string& path) {
  HeldFeed held;
  std::filesystem::remove(path);
  ProcessResult r = node.cli({"feed", "export", "--author", author, "--out", path});
  if (r.exit_code != 0) {
    held.error = "export failed: " + r.err;
    return held;
  }
  feed::FeedFileReport report = feed::verifyFeedFile(path, &held.updates);
  if (!report.error.ok()) {
    held.error = "entry " + std::to_string(report.bad_index) + ": " + report.error.toString();
  } else if (report.count > 0 && report.first_seq != 1) {
    held.error = "export starts at seq " + std::to_string(report.first_seq);
  }
  return held;
}

AckedHead ownHead(const NodeProcess& node) {
  nlohmann::json status = node.status();
  AckedHead head{status["node"].get<std::string>(), 0, ""};
  for (const auto& f : status["feeds"]) {
    if (f["own"].get<bool>()) {
      head.seq = f["seq"].get<uint64_t>();
      head.hash = f["head"].get<std::string>();
    }
  }
  return head;
}

void History::ack(AckedHead head) {
  ++acks_;
  auto [it, inserted] = latest_.try_emplace(head.author, head);
  if (!inserted && head.seq >= it->second.seq) it->second = std::move(head);
}

std::vector<std::string> History::missingOn(const NodeProcess& node,
                                            const std::string& scratch_dir) const {
  std::vector<std::string> problems;
  for (const auto& [author, acked] : latest_) {
    if (acked.seq == 0) continue;
    HeldFeed held = exportFeed(node, author, scratch_dir + "/check-" + author.substr(0, 16));
    const std::string where = node.dir() + " feed " + author.substr(0, 16);
    if (!held.error.empty()) {
      problems.push_back(where + ": " + held.error);
    } else if (held.updates.size() < acked.seq) {
      problems.push_back(where + ": holds " + std::to_string(held.updates.size()) +
                         " updates, acked " + std::to_string(acked.seq));
    } else if (toHex(held.updates[acked.seq - 1].hash) != acked.hash) {
      problems.push_back(where + ": another update at acked seq " + std::to_string(acked.seq));
    }
  }
  return problems;
}

uint64_t History::expectNothingLost(const std::vector<NodeProcess*>& nodes,
                                    const std::string& scratch_dir) const {
  uint64_t lost_total = 0;
  for (const NodeProcess* n : nodes) {
    std::vector<std::string> lost = missingOn(*n, scratch_dir);
    EXPECT_TRUE(lost.empty()) << lost.front();
    lost_total += lost.size();
  }
  return lost_total;
}

}  // namespace eichub::testing
