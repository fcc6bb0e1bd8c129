// The dashboard in a real browser: headless Chromium renders the page a node serves, from a
// running two-node federation, and the test reads the DOM the page's JavaScript built.
#include <filesystem>

#include <gtest/gtest.h>

#include "tests/multinode/http_client.h"
#include "tests/multinode/node_process.h"
#include "tests/testing/temp_dir.h"
#include "tests/testing/wait.h"

namespace eichub {
namespace {

using testing::NodeProcess;
namespace fs = std::filesystem;

constexpr char kChromium[] = "/usr/bin/chromium";
constexpr size_t kResources = 5;

// Runs headless Chromium on url with extra flags; returns its stdout (the DOM for --dump-dom).
testing::ProcessResult chromium(const std::string& profile_dir, const std::string& url,
                                std::vector<std::string> flags) {
  std::vector<std::string> argv = {"/usr/bin/timeout", "120", kChromium, "--headless",
                                   "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                                   "--no-first-run", "--user-data-dir=" + profile_dir,
                                   // Time the page's fetches and timers run in, not a delay.
                                   "--virtual-time-budget=5000"};
  argv.insert(argv.end(), flags.begin(), flags.end());
  argv.push_back(url);
  return testing::runProcess(argv);
}

TEST(DashboardTest, RendersPeersCountsAndSearchFromATwoNodeFederation) {
  if (!fs::exists(kChromium)) {
    GTEST_SKIP() << kChromium << " is absent: install Debian's chromium (ops/install-deps)";
  }
  testing::TempDir dir;
  NodeProcess a(dir.file("a"), "Leeds Health Cluster", "UKE42");
  NodeProcess b(dir.file("b"), "Bremen Construction Cluster", "DE50");
  testing::writeResources(dir.file("a.jsonl"), "leeds", kResources);
  a.ok({"publish", dir.file("a.jsonl")});
  a.start();
  b.start();
  testing::peerBothWays(a, b);
  const std::string a_id = a.nodeId();
  ASSERT_TRUE(
      testing::waitFor([&] { return b.seqOf(a_id) == kResources + 1; }, std::chrono::seconds(60)))
      << "B did not get A's feed; see " << b.logFile();
  const std::string b_id = b.nodeId();
  // B knows A's heads once A's hello (and haves) reached it: A holds both feeds at their head.
  auto a_holds_both = [&] {
    nlohmann::json feeds = testing::httpGetJson(b.httpAddress(), "/api/v1/feeds");
    if (!feeds.is_object()) return false;
    size_t at_head = 0;
    for (const auto& feed : feeds["feeds"]) {
      for (const auto& holder : feed["holders"]) {
        at_head += holder["peer"] == a_id && holder["state"] == "at_head" ? 1 : 0;
      }
    }
    return at_head == 2;
  };
  ASSERT_TRUE(testing::waitFor(a_holds_both, std::chrono::seconds(60))) << b.logFile();

  // B's dashboard, opened on a search for A's courses.
  const std::string url = "http://" + b.httpAddress() + "/?q=Course%20leeds";
  auto dom = chromium(dir.file("profile"), url, {"--dump-dom"});
  ASSERT_EQ(dom.exit_code, 0) << dom.err;
  const std::string& html = dom.out;
  EXPECT_NE(html.find("Bremen Construction Cluster"), std::string::npos) << html;
  // The peer list: A, linked both ways, shown up.
  EXPECT_NE(html.find(R"(class="peer" data-state="up")"), std::string::npos) << html;
  EXPECT_EQ(html.find(R"(data-state="down")"), std::string::npos) << html;
  // Named from A's cluster profile, which reached B with A's feed.
  EXPECT_NE(html.find("Leeds Health Cluster (UKE42)"), std::string::npos) << html;
  // The counts per kind.
  EXPECT_NE(html.find(R"(data-kind="LearningResource" data-count="5")"), std::string::npos) << html;
  // The counts per origin region: A's courses under A's region, B's profile under B's.
  EXPECT_NE(html.find(R"(class="region-count" data-region="UKE42" data-kind="LearningResource" )"
                      R"(data-count="5")"),
            std::string::npos)
      << html;
  EXPECT_NE(html.find(R"(class="region-count" data-region="DE50" data-kind="ClusterProfile" )"
                      R"(data-count="1")"),
            std::string::npos)
      << html;
  // Where A's feed has arrived: at B (this node) and at A, both at its head.
  EXPECT_NE(html.find(R"(class="holder" data-feed=")" + a_id + R"(" data-peer=")" + b_id +
                      R"(" data-state="at_head")"),
            std::string::npos)
      << html;
  EXPECT_NE(html.find(R"(class="holder" data-feed=")" + a_id + R"(" data-peer=")" + a_id +
                      R"(" data-state="at_head")"),
            std::string::npos)
      << html;
  EXPECT_NE(html.find("this node: " + std::to_string(kResources + 1) + " (at head)"),
            std::string::npos)
      << html;
  // The peer's sync lag, from its announced heads: nothing apart either way.
  EXPECT_NE(html.find(R"(data-state="up" data-behind="0" data-ahead="0")"), std::string::npos)
      << html;
  // A search result: one of A's courses, found on B.
  EXPECT_NE(html.find(R"(class="search-result" data-id="leeds/)"), std::string::npos) << html;
  EXPECT_NE(html.find("Course leeds"), std::string::npos) << html;

  // The screenshot is kept as the test's artifact.
  fs::create_directories(EICHUB_ARTIFACT_DIR);
  const std::string png = std::string(EICHUB_ARTIFACT_DIR) + "/dashboard.png";
  fs::remove(png);
  auto shot = chromium(dir.file("profile2"), url,
                       {"--screenshot=" + png, "--window-size=1280,1400", "--hide-scrollbars"});
  EXPECT_EQ(shot.exit_code, 0) << shot.err;
  EXPECT_TRUE(fs::exists(png) && fs::file_size(png) > 0) << shot.err;
  std::cout << "dashboard screenshot: " << png << "\n";
}

TEST(DashboardTest, RendersNeedsAMatchTheGapTableAndTheOffersChart) {
  if (!fs::exists(kChromium)) {
    GTEST_SKIP() << kChromium << " is absent: install Debian's chromium (ops/install-deps)";
  }
  testing::TempDir dir;
  NodeProcess a(dir.file("a"), "Leeds Health Cluster", "UKE42");
  for (const char* file : {"esco.jsonl", "leeds.jsonl", "bremen.jsonl", "needs.jsonl"}) {
    a.ok({"publish", std::string(EICHUB_TESTDATA) + "/match_mini/" + file});
  }
  a.start();
  // Opened on the match view of Leeds' wound care need (tests/testdata/match_mini/README.md),
  // the chart on the mini hierarchy's only group level.
  const std::string url = "http://" + a.httpAddress() + "/?need=leeds/need/wounds&group_level=0";
  auto dom = chromium(dir.file("profile"), url, {"--dump-dom"});
  ASSERT_EQ(dom.exit_code, 0) << dom.err;
  const std::string& html = dom.out;
  EXPECT_NE(html.find(R"(class="need")"), std::string::npos) << html;
  EXPECT_NE(html.find("leeds/need/assistants"), std::string::npos) << html;
  // The match view: ranked offers, and documentation left uncovered (nobody teaches it).
  EXPECT_NE(html.find(R"(class="offer")"), std::string::npos) << html;
  EXPECT_NE(html.find("Not covered: http://data.europa.eu/esco/skill/match-documentation"),
            std::string::npos)
      << html;
  // The gap table lists documentation with no offer; the chart has the care group's bars.
  EXPECT_NE(html.find(R"(class="gap" data-offers="0")"), std::string::npos) << html;
  EXPECT_NE(html.find("document patient care"), std::string::npos) << html;
  EXPECT_NE(html.find(R"(class="bar-row")"), std::string::npos) << html;
  EXPECT_NE(html.find("caring for patients"), std::string::npos) << html;

  fs::create_directories(EICHUB_ARTIFACT_DIR);
  const std::string png = std::string(EICHUB_ARTIFACT_DIR) + "/dashboard-matching.png";
  fs::remove(png);
  auto shot = chromium(dir.file("profile2"), url,
                       {"--screenshot=" + png, "--window-size=1280,2400", "--hide-scrollbars"});
  EXPECT_EQ(shot.exit_code, 0) << shot.err;
  EXPECT_TRUE(fs::exists(png) && fs::file_size(png) > 0) << shot.err;
  std::cout << "matching screenshot: " << png << "\n";
}

}  // namespace
}  // namespace eichub
