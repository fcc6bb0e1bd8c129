// Test helper: posix_spawn with captured output.
#include "tests/testing/process.h"

#include <cstdlib>
#include <cstring>
#include <string>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "federation/common/check.h"

extern char** environ;

namespace eichub::testing {

namespace {

// Drains both pipes until they close, so a child that writes a lot never blocks.
void drain(int out_fd, int err_fd, std::string& out, std::string& err) {
  pollfd fds[2] = {{out_fd, POLLIN, 0}, {err_fd, POLLIN, 0}};
  int open_fds = 2;
  char buf[65536];
  while (open_fds > 0) {
    EICHUB_CHECK(::poll(fds, 2, -1) >= 0) << "poll";
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      ssize_t n = ::read(fds[i].fd, buf, sizeof(buf));
      if (n > 0) {
        (i == 0 ? out : err).append(buf, static_cast<size_t>(n));
      } else {
        ::close(fds[i].fd);
        fds[i].fd = -1;
        --open_fds;
      }
    }
  }
}

}  // namespace

ProcessResult runProcess(const std::vector<std::string>& argv,
                         const std::vector<std::string>& extra_env) {
  int out_pipe[2];
  int err_pipe[2];
  EICHUB_CHECK(::pipe2(out_pipe, O_CLOEXEC) == 0 && ::pipe2(err_pipe, O_CLOEXEC) == 0) << "pipe";
  std::vector<std::string> env_strings;
  for (char** e = environ; *e != nullptr; ++e) env_strings.emplace_back(*e);
  for (const std::string& e : extra_env) env_strings.push_back(e);
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  std::vector<char*> env;
  for (std::string& e : env_strings) env.push_back(e.data());
  env.push_back(nullptr);

  // posix_spawn, not fork: glibc starts the child without copying the test's page tables, and
  // the test's own pages are not left copy-on-write behind it (tests start thousands of CLI
  // processes, and an AddressSanitizer test process maps a lot of memory).
  posix_spawn_file_actions_t actions;
  EICHUB_CHECK(::posix_spawn_file_actions_init(&actions) == 0);
  EICHUB_CHECK(::posix_spawn_file_actions_adddup2(&actions, out_pipe[1], STDOUT_FILENO) == 0 &&
               ::posix_spawn_file_actions_adddup2(&actions, err_pipe[1], STDERR_FILENO) == 0);
  pid_t pid = -1;
  const int spawned = ::posix_spawn(&pid, args[0], &actions, nullptr, args.data(), env.data());
  ::posix_spawn_file_actions_destroy(&actions);
  ::close(out_pipe[1]);
  ::close(err_pipe[1]);
  ProcessResult result;
  if (spawned != 0) {  // as a shell reports a program it cannot run
    ::close(out_pipe[0]);
    ::close(err_pipe[0]);
    result.exit_code = 127;
    result.err = std::string("exec ") + args[0] + ": " + std::strerror(spawned) + "\n";
    return result;
  }
  drain(out_pipe[0], err_pipe[0], result.out, result.err);
  int status = 0;
  struct rusage usage {};
  EICHUB_CHECK(::wait4(pid, &status, 0, &usage) == pid) << "wait4";
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  result.max_rss_kb = usage.ru_maxrss;
  return result;
}

int terminateAndWait(pid_t pid) {
  ::kill(pid, SIGTERM);
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

void killAndWait(pid_t pid) {
  ::kill(pid, SIGKILL);
  ::waitpid(pid, nullptr, 0);
}

}  // namespace eichub::testing
