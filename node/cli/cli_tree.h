// The parts of a CLI11 app tree that `--help` shows, for the generators of the man page and the
// shell completion: the same filters CLI11's Formatter applies, so neither can list more or less.
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace eichub::cli {

// One visible subcommand and its position: path is "eichub feed export" for `feed export`.
struct CommandNode {
  const CLI::App* app;
  std::string path;
};

// app and every visible subcommand below it, depth first in definition order. A subcommand with
// an empty group is hidden from --help (CLI11) and so from this list.
std::vector<CommandNode> visibleCommands(const CLI::App& app, const std::string& name);

// The visible direct subcommands of app, in definition order.
std::vector<const CLI::App*> visibleSubcommands(const CLI::App& app);

// The named options of app that --help lists (positionals excluded).
std::vector<const CLI::Option*> visibleOptions(const CLI::App& app);

// The positional arguments of app that --help lists.
std::vector<const CLI::Option*> visiblePositionals(const CLI::App& app);

// Every spelling of a named option: "-h", "--help".
std::vector<std::string> optionSpellings(const CLI::Option& option);

}  // namespace eichub::cli
