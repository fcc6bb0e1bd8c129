#include "tests/multinode/daemon_status.h"

#include <chrono>
#include <fstream>
#include <iostream>

#include <gtest/gtest.h>

#include "federation/common/check.h"
#include "node/home/home.h"

namespace eichub::testing {

std::string transportKeyOf(const NodeProcess& node) {
  auto card = home::parsePeerCard(node.card());
  return card.ok() ? card->transport_public_z85 : "";
}

uint16_t peerPort(const NodeProcess& node) {
  auto card = home::parsePeerCard(node.card());
  EICHUB_CHECK(card.ok()) << card.status().toString();
  return static_cast<uint16_t>(std::stoi(card->endpoint.substr(card->endpoint.rfind(':') + 1)));
}

uint64_t linkCounter(const nlohmann::json& daemon, const std::string& peer_key,
                     const std::string& role, const std::string& field) {
  uint64_t total = 0;
  if (!daemon.is_object()) return 0;
  for (const auto& link : daemon["links"]) {
    if (link["peer_key"] != peer_key || (!role.empty() && link["role"] != role)) continue;
    if (link.contains(field)) total += link[field].get<uint64_t>();
  }
  return total;
}

uint64_t rejectedFor(const nlohmann::json& daemon, const std::string& peer_key,
                     const std::string& reason, const std::string& role) {
  uint64_t total = 0;
  if (!daemon.is_object()) return 0;
  for (const auto& link : daemon["links"]) {
    if (link["peer_key"] != peer_key || (!role.empty() && link["role"] != role)) continue;
    const auto& reasons = link["rejected_by_reason"];
    if (reasons.contains(reason)) total += reasons[reason].get<uint64_t>();
  }
  return total;
}

uint64_t rejectedAll(const nlohmann::json& daemon, const std::string& peer_key) {
  return linkCounter(daemon, peer_key, "", "rejected");
}

bool linkThrottled(const nlohmann::json& daemon, const std::string& peer_key) {
  if (!daemon.is_object()) return false;
  for (const auto& link : daemon["links"]) {
    if (link["peer_key"] == peer_key && link.value("throttled", false)) return true;
  }
  return false;
}

int daemonPid(const NodeProcess& node) {
  std::ifstream run_file(node.dir() + "/daemon.json");
  nlohmann::json run = nlohmann::json::parse(run_file, nullptr, false);
  return run.is_object() ? run["pid"].get<int>() : -1;
}

uint64_t procStatusKb(int pid, const std::string& field) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind(field + ":", 0) == 0) return std::stoull(line.substr(field.size() + 1));
  }
  return 0;
}

uint64_t daemonRssKb(const NodeProcess& node) {
  const int pid = daemonPid(node);
  return pid > 0 ? procStatusKb(pid, "VmRSS") : 0;
}

bool rssMeasuresMemory() {
#if defined(__SANITIZE_ADDRESS__)
  return false;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
  return false;
#endif
#endif
  return true;
}

void expectRssGrowthUnder(uint64_t before_kb, uint64_t peak_kb, uint64_t bound_kb,
                          const std::string& what) {
  const uint64_t growth_kb = peak_kb - std::min(peak_kb, before_kb);
  if (!rssMeasuresMemory()) {
    std::cout << what << ": RSS grew " << growth_kb << " kB (bound " << bound_kb
              << " kB not checked: AddressSanitizer's quarantine holds freed memory)\n";
    return;
  }
  EXPECT_LT(growth_kb, bound_kb) << what;
}

nlohmann::json daemonFeed(const nlohmann::json& daemon, const std::string& author) {
  if (!daemon.is_object()) return nullptr;
  for (const auto& feed : daemon["feeds"]) {
    if (feed["author"] == author) return feed;
  }
  return nullptr;
}

bool frozenOn(const NodeProcess& node, const std::string& author) {
  nlohmann::json status = node.status();
  for (const auto& feed : status["feeds"]) {
    if (feed["author"] == author) return feed.value("frozen", false);
  }
  return false;
}

int64_t steadyMs() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

int64_t systemMs() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

}  // namespace eichub::testing
