// Hidden subcommands that print the man page and the shell completion from the app's own
// definitions; the build runs them (cmake/packaging.cmake), so neither can drift from --help.
#include <fmt/core.h>

#include "node/cli/bash_completion.h"
#include "node/cli/commands.h"
#include "node/cli/man_page.h"
#include "node/cli/version.h"

namespace eichub::cli {

void addDocCommands(CLI::App& app, int& exit_code) {
  // An empty group hides a subcommand from --help, and so from the man page and completion.
  app.add_subcommand("help-man", "Print the eichub(1) man page (roff)")
      ->group("")
      ->callback([&app, &exit_code] {
        fmt::print("{}", manPage(app, "eichub", kVersion));
        exit_code = 0;
      });
  CLI::App* completion =
      app.add_subcommand("completion", "Print a shell completion script")->group("");
  completion->require_subcommand(1);
  completion->add_subcommand("bash", "Print the bash completion")->callback([&app, &exit_code] {
    fmt::print("{}", bashCompletion(app, "eichub"));
    exit_code = 0;
  });
}

}  // namespace eichub::cli
