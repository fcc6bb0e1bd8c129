// The eichub command line: every subcommand, wired in the manner of git and etcdctl.
#pragma once

namespace eichub::cli {

// Parses argv, runs one subcommand and returns the process exit code: 0 on success, 1 on a
// failure (reported on stderr with what to do next), 2 on a usage error.
int runCli(int argc, char** argv);

}  // namespace eichub::cli
