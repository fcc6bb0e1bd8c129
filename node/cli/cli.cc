// The eichub command line: builds the CLI11 app and runs the chosen subcommand.
#include "node/cli/cli.h"

#include <string>

#include <CLI/CLI.hpp>

#include "node/cli/commands.h"
#include "node/cli/version.h"

namespace eichub::cli {

int runCli(int argc, char** argv) {
  CLI::App app{"eichub: a federated catalogue hub for education innovation clusters"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("eichub ") + kVersion);
  int exit_code = 0;
  addNodeCommands(app, exit_code);
  addPublishCommands(app, exit_code);
  addElmCommands(app, exit_code);
  addQueryCommands(app, exit_code);
  addFeedCommands(app, exit_code);
  addDaemonCommands(app, exit_code);
  addNeedCommands(app, exit_code);
  addMatchCommands(app, exit_code);
  addAlignCommands(app, exit_code);
  addBackupCommands(app, exit_code);
  addVerifyCommands(app, exit_code);
  addTrustCommands(app, exit_code);
  addAuthorityCommands(app, exit_code);
  addVendorCommands(app, exit_code);
  addKeyCommands(app, exit_code);
  addDocCommands(app, exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  return exit_code;
}

}  // namespace eichub::cli
