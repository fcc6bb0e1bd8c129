// Shared pieces of the CLI commands.
#include "node/cli/context.h"

#include <fmt/core.h>

#include "node/daemon/control.h"

namespace eichub::cli {

void addHomeFlag(CLI::App& command, CommonFlags& flags) {
  command.add_option("--home", flags.home, "Node home directory (default $EICHUB_HOME, ~/.eichub)");
}

void addJsonFlag(CLI::App& command, CommonFlags& flags) {
  command.add_flag("--json", flags.json, "Print JSON instead of text");
}

std::unique_ptr<home::Home> openHome(const CommonFlags& flags, bool read_only) {
  auto opened = home::Home::open(home::resolveHomeDir(flags.home), read_only);
  if (!opened.ok()) {
    fail(opened.status());
    return nullptr;
  }
  return std::move(opened).value();
}

int fail(const Status& status) { return fail(status.message()); }

int fail(std::string_view message) {
  fmt::print(stderr, "eichub: {}\n", message);
  return kExitFailure;
}

void printJson(const nlohmann::json& doc) { fmt::print("{}\n", doc.dump(2)); }

bool isEscoUri(std::string_view id) { return id.rfind("http://data.europa.eu/esco/", 0) == 0; }

void reloadDaemon(const std::string& dir) {
  if (!daemon::daemonRunning(dir)) return;
  Status reloaded = daemon::reloadDaemon(dir);
  if (!reloaded.ok())
    fmt::print(stderr, "eichub: the running daemon did not reload: {}\n", reloaded.message());
}

CLI::App& subcommandGroup(CLI::App& app, const std::string& name, const std::string& description) {
  auto named =
      app.get_subcommands([&name](CLI::App* command) { return command->get_name() == name; });
  if (!named.empty()) return *named.front();
  CLI::App* group = app.add_subcommand(name, description);
  group->require_subcommand(1);
  return *group;
}

}  // namespace eichub::cli
