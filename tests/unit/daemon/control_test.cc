// notifyDaemon: SIGUSR1 reaches the process the run file names only while its pid and start time
// still match; an older daemon's run file (no notify_signal) falls back to the control channel.
#include "node/daemon/control.h"

#include <fstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <signal.h>
#include <unistd.h>

#include "node/daemon/daemon.h"
#include "tests/testing/temp_dir.h"

namespace eichub::daemon {
namespace {

// Blocks SIGUSR1 in this thread (the only one that signals here), so that one sent to this
// process stays pending instead of killing it, and restores the mask afterwards.
class BlockedUsr1 {
 public:
  BlockedUsr1() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    pthread_sigmask(SIG_BLOCK, &set, &old_);
  }
  ~BlockedUsr1() {
    (void)taken();
    pthread_sigmask(SIG_SETMASK, &old_, nullptr);
  }
  // Whether a SIGUSR1 was pending; takes it.
  bool taken() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    timespec no_wait{0, 0};
    return sigtimedwait(&set, nullptr, &no_wait) == SIGUSR1;
  }

 private:
  sigset_t old_;
};

void writeRunFile(const std::string& home, const nlohmann::json& doc) {
  std::ofstream(runFilePath(home)) << doc.dump() << "\n";
}

TEST(NotifyDaemonTest, SignalsTheProcessTheRunFileNames) {
  testing::TempDir home;
  BlockedUsr1 usr1;
  const uint64_t started = processStartTime(::getpid());
  ASSERT_NE(started, 0u);
  writeRunFile(home.path(),
               {{"pid", ::getpid()}, {"start_time", started}, {"notify_signal", "USR1"}});
  EXPECT_TRUE(notifyDaemon(home.path()).ok());
  EXPECT_TRUE(usr1.taken());
}

TEST(NotifyDaemonTest, APidReusedByAnotherProcessIsNotSignalled) {
  testing::TempDir home;
  BlockedUsr1 usr1;
  const uint64_t started = processStartTime(::getpid());
  writeRunFile(home.path(),
               {{"pid", ::getpid()}, {"start_time", started + 1}, {"notify_signal", "USR1"}});
  EXPECT_FALSE(notifyDaemon(home.path()).ok());
  EXPECT_FALSE(usr1.taken());
}

TEST(NotifyDaemonTest, AnOlderDaemonIsAskedOverTheControlChannel) {
  testing::TempDir home;
  BlockedUsr1 usr1;
  // No notify_signal: the control channel, where nobody answers here.
  writeRunFile(home.path(), {{"pid", ::getpid()}, {"control", controlEndpoint(home.path())}});
  EXPECT_FALSE(notifyDaemon(home.path(), 50).ok());
  EXPECT_FALSE(usr1.taken());
}

TEST(NotifyDaemonTest, NoRunFileNoDaemon) {
  testing::TempDir home;
  EXPECT_FALSE(notifyDaemon(home.path()).ok());
}

}  // namespace
}  // namespace eichub::daemon
