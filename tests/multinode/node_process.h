// NodeProcess: one eichub node for multi-process tests: its home, its daemon process, and the
// CLI commands run against it.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <sys/types.h>

#include "tests/testing/process.h"

namespace eichub::home {
class Home;
}

namespace eichub::testing {

// The network every NodeProcess home belongs to.
inline constexpr char kTestNetwork[] = "test-net";

class NodeProcess {
 public:
  // Initialises a home at dir (ephemeral port on 127.0.0.1).
  NodeProcess(std::string dir, const std::string& name, const std::string& region);
  ~NodeProcess();  // SIGKILLs a daemon still running
  NodeProcess(const NodeProcess&) = delete;
  NodeProcess& operator=(const NodeProcess&) = delete;

  // Runs an eichub command against this home; --home is added.
  ProcessResult cli(std::vector<std::string> args) const;
  // Runs a command that must succeed (a gtest failure otherwise) and returns stdout.
  std::string ok(std::vector<std::string> args) const;

  // Starts the daemon and waits until it listens (its run file exists). Call it from the test's
  // main thread: the daemon is killed when the thread that started it ends (so that a test that
  // aborts leaves no daemon behind).
  void start();
  // SIGTERM and wait: a clean stop. Returns the exit code.
  int stop();
  // SIGKILL and wait: a crash.
  void kill();
  // Sends signo (SIGHUP: reload) to the running daemon.
  void signal(int signo) const;
  // Replaces the first occurrence of from in config.toml with to; false when from is absent.
  bool editConfig(const std::string& from, const std::string& to) const;
  // Sets http.api_token in the fresh home's config.toml (the daemon reads it at start); a gtest
  // failure when the home has no empty token to replace.
  void setApiToken(const std::string& token) const;
  bool running() const { return pid_ > 0; }
  // Later starts run the daemon in the network namespace whose file is path (setns(2)); CLI
  // commands still run here, and reach the daemon through its ipc:// control socket.
  void runInNetworkNamespace(std::string path) { netns_path_ = std::move(path); }

  // Tests poll nodes many times; what they poll is read in this process (the store opened
  // read-only, the daemon's control socket), not by starting an eichub process for each check:
  // that costs 40 ms of CPU, and 160 ms under AddressSanitizer.
  std::string card() const;    // peer card (`eichub id`; the daemon must run for the real port)
  std::string nodeId() const;  // 64 hex
  std::string digest() const;  // the store's digest, 64 hex (what `eichub digest` prints)
  std::string httpAddress() const;                  // host:port of the running daemon's HTTP server
  nlohmann::json status() const;                    // eichub status --json
  nlohmann::json daemonStatus() const;              // the daemon's control "status" (null if down)
  uint64_t seqOf(const std::string& author) const;  // head seq of a feed held (0 if none)
  const std::string& dir() const { return dir_; }
  std::string logFile() const { return dir_ + ".log"; }

 private:
  void pinPort();
  // Calls read with this node's home opened read-only in this process (a gtest failure if it
  // does not open).
  void readHome(const std::function<void(home::Home&)>& read) const;

  std::string dir_;
  std::string netns_path_;
  pid_t pid_ = -1;
};

// Peers a and b both ways (cards exchanged while both run).
void peerBothWays(NodeProcess& a, NodeProcess& b);

// Writes n LearningResource lines (about body_bytes each) with ids prefix/0..n-1 to path.
void writeResources(const std::string& path, const std::string& prefix, size_t n,
                    size_t body_bytes = 200);

}  // namespace eichub::testing
