// Shared pieces of the CLI commands: options every command takes, opening the home, reporting.
#pragma once

#include <memory>
#include <string>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "federation/common/result.h"
#include "node/home/home.h"

namespace eichub::cli {

// Flags shared by commands, filled by CLI11, read by the command's callback.
struct CommonFlags {
  std::string home;   // --home
  bool json = false;  // --json
};

// Adds --home to a command.
void addHomeFlag(CLI::App& command, CommonFlags& flags);
// Adds --json to a command.
void addJsonFlag(CLI::App& command, CommonFlags& flags);

// Opens the home named by flags; on failure prints the error and returns nullptr.
std::unique_ptr<home::Home> openHome(const CommonFlags& flags, bool read_only);

// Prints "eichub: <message>" to stderr and returns the failure exit code.
int fail(const Status& status);
int fail(std::string_view message);

// Prints JSON to stdout, one document, indented.
void printJson(const nlohmann::json& doc);

// True for ESCO concept uris: listings that show them also show import::kEscoAttribution.
bool isEscoUri(std::string_view id);

// Tells a running daemon to re-read its home's peers.toml and trust; quiet when none runs, a
// warning on stderr when it does not answer.
void reloadDaemon(const std::string& dir);

// The subcommand group name of app, made (requiring a subcommand) when no command file has made
// it yet, so that the files adding to one group ("import", "trust") may register in any order.
CLI::App& subcommandGroup(CLI::App& app, const std::string& name, const std::string& description);

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;

}  // namespace eichub::cli
