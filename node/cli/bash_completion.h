// The bash completion of eichub, generated from the CLI11 app tree so that it offers exactly the
// subcommands and options --help lists (node/cli/cli_tree.h). The build writes it with
// `eichub completion bash`.
#pragma once

#include <string>
#include <string_view>

#include <CLI/CLI.hpp>

namespace eichub::cli {

// A bash script that defines the completion function and registers it for the command name.
// After an option that takes a value, and where no subcommand or option fits, bash falls back
// to completing file names.
std::string bashCompletion(const CLI::App& app, std::string_view name);

}  // namespace eichub::cli
