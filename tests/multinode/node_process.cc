// NodeProcess: homes and daemons of real eichub processes on loopback.
#include "tests/multinode/node_process.h"

#include <filesystem>
#include <fstream>
#include <functional>
#include <mutex>
#include <utility>

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "federation/common/bytes.h"
#include "node/daemon/control.h"
#include "node/home/home.h"
#include "tests/testing/wait.h"

namespace eichub::testing {

NodeProcess::NodeProcess(std::string dir, const std::string& name, const std::string& region)
    : dir_(std::move(dir)) {
  ok({"init", "--name", name, "--region", region, "--sector", "healthcare", "--network",
      kTestNetwork, "--listen", "tcp://127.0.0.1:*", "--http", "127.0.0.1:0"});
}

NodeProcess::~NodeProcess() {
  if (pid_ > 0) kill();
}

ProcessResult NodeProcess::cli(std::vector<std::string> args) const {
  args.insert(args.begin(), EICHUB_BINARY);
  args.push_back("--home");
  args.push_back(dir_);
  return runProcess(args);
}

std::string NodeProcess::ok(std::vector<std::string> args) const {
  ProcessResult r = cli(args);
  EXPECT_EQ(r.exit_code, 0) << "eichub " << args[0] << " on " << dir_ << ": " << r.err;
  return r.out;
}

void NodeProcess::start() {
  ASSERT_LT(pid_, 0) << "already running";
  std::filesystem::remove(dir_ + "/daemon.json");
  const pid_t test_pid = ::getpid();
  pid_ = ::fork();
  ASSERT_GE(pid_, 0);
  if (pid_ == 0) {
    // A test that aborts (a failed check, a sanitizer report) never runs the destructor that
    // stops this daemon: let the kernel kill it with the test. The signal follows the thread
    // that forked, which for daemons is the test's main thread.
    if (::prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || ::getppid() != test_pid) std::_Exit(125);
    int log = ::open(logFile().c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    ::dup2(log, STDOUT_FILENO);
    ::dup2(log, STDERR_FILENO);
    if (!netns_path_.empty()) {
      int ns = ::open(netns_path_.c_str(), O_RDONLY | O_CLOEXEC);
      if (ns < 0 || ::setns(ns, CLONE_NEWNET) != 0) std::_Exit(126);
    }
    ::execl(EICHUB_BINARY, EICHUB_BINARY, "run", "--home", dir_.c_str(), "--log-level", "debug",
            static_cast<char*>(nullptr));
    std::_Exit(127);
  }
  bool up = waitFor([&] { return std::filesystem::exists(dir_ + "/daemon.json"); },
                    std::chrono::seconds(10));
  ASSERT_TRUE(up) << "daemon for " << dir_ << " did not start; see " << logFile();
  pinPort();
}

// The first start binds an ephemeral port; later starts must bind the same one, since peers
// hold it in their cards (as a real node's fixed port).
void NodeProcess::pinPort() {
  std::ifstream run_file(dir_ + "/daemon.json");
  nlohmann::json run = nlohmann::json::parse(run_file, nullptr, false);
  ASSERT_TRUE(run.is_object() && run["endpoint"].is_string());
  std::string config_path = dir_ + "/config.toml";
  std::ifstream in(config_path);
  std::string config((std::istreambuf_iterator<char>(in)), {});
  const std::string wildcard = "listen = \"tcp://127.0.0.1:*\"";
  size_t at = config.find(wildcard);
  if (at == std::string::npos) return;
  config.replace(at, wildcard.size(), "listen = \"" + run["endpoint"].get<std::string>() + "\"");
  std::ofstream(config_path, std::ios::trunc) << config;
}

int NodeProcess::stop() {
  if (pid_ <= 0) return -1;
  return terminateAndWait(std::exchange(pid_, -1));
}

void NodeProcess::kill() {
  if (pid_ <= 0) return;
  killAndWait(std::exchange(pid_, -1));
}

void NodeProcess::signal(int signo) const {
  if (pid_ > 0) ::kill(pid_, signo);
}

bool NodeProcess::editConfig(const std::string& from, const std::string& to) const {
  const std::string path = dir_ + "/config.toml";
  std::ifstream in(path);
  std::string config((std::istreambuf_iterator<char>(in)), {});
  size_t at = config.find(from);
  if (at == std::string::npos) return false;
  config.replace(at, from.size(), to);
  std::ofstream(path + ".tmp", std::ios::trunc) << config;
  // As eichub init made it: a config holding an API token must be the owner's alone.
  std::filesystem::permissions(
      path + ".tmp", std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  std::filesystem::rename(path + ".tmp", path);
  return true;
}

void NodeProcess::setApiToken(const std::string& token) const {
  EXPECT_TRUE(editConfig("api_token = \"\"", "api_token = \"" + token + "\""))
      << "no empty api_token in " << dir_ << "/config.toml";
}

std::string NodeProcess::card() const {
  std::string out = ok({"id"});
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

std::string NodeProcess::nodeId() const {
  std::string id;
  readHome([&](home::Home& home) { id = toHex(home.peerCard().node_id); });
  return id;
}

std::string NodeProcess::httpAddress() const {
  std::ifstream run_file(dir_ + "/daemon.json");
  nlohmann::json run = nlohmann::json::parse(run_file, nullptr, false);
  if (!run.is_object() || !run["http"].is_string()) return "";
  return run["http"].get<std::string>();
}

std::string NodeProcess::digest() const {
  std::string digest;
  readHome([&](home::Home& home) {
    auto held = home.store().queries().digest();
    ASSERT_TRUE(held.ok()) << dir_ << ": " << held.status().toString();
    digest = toHex(*held);
  });
  return digest;
}

nlohmann::json NodeProcess::status() const {
  return nlohmann::json::parse(ok({"status", "--json"}));
}

nlohmann::json NodeProcess::daemonStatus() const {
  auto reply = daemon::askDaemon(dir_, "status");
  if (!reply.ok()) return nlohmann::json();
  return nlohmann::json::parse(*reply, nullptr, false);
}

uint64_t NodeProcess::seqOf(const std::string& author) const {
  uint64_t seq = 0;
  readHome([&](home::Home& home) {
    auto feeds = home.store().queries().feeds();
    ASSERT_TRUE(feeds.ok()) << dir_ << ": " << feeds.status().toString();
    for (const store::FeedInfo& feed : *feeds) {
      if (toHex(feed.author) == author) seq = feed.head.seq;
    }
  });
  return seq;
}

void NodeProcess::readHome(const std::function<void(home::Home&)>& read) const {
  // LMDB forbids a process to have one environment open twice at a time (closing either drops
  // the other's locks), and tests read homes from more than one thread.
  static std::mutex one_environment_at_a_time;
  std::lock_guard lock(one_environment_at_a_time);
  auto home = home::Home::open(dir_, /*read_only=*/true);
  ASSERT_TRUE(home.ok()) << dir_ << ": " << home.status().toString();
  read(**home);
}

void peerBothWays(NodeProcess& a, NodeProcess& b) {
  a.ok({"peer", "add", b.card()});
  b.ok({"peer", "add", a.card()});
}

void writeResources(const std::string& path, const std::string& prefix, size_t n,
                    size_t body_bytes) {
  std::ofstream out(path);
  std::string filler(body_bytes, 'x');
  for (size_t i = 0; i < n; ++i) {
    out << R"({"kind":"LearningResource","id":")" << prefix << "/" << i
        << R"(","title":{"en":"Course )" << prefix << " " << i << R"("},"description":{"en":")"
        << filler << R"("},"sectors":["healthcare"]})"
        << "\n";
  }
}

}  // namespace eichub::testing
