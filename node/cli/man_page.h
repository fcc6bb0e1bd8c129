// eichub(1): the man page, generated from the CLI11 app tree so that it lists exactly what
// --help lists (node/cli/cli_tree.h). The build writes it with `eichub help-man`.
#pragma once

#include <string>
#include <string_view>

#include <CLI/CLI.hpp>

namespace eichub::cli {

// The roff source (man macros) of the page for app, named name, at version.
std::string manPage(const CLI::App& app, std::string_view name, std::string_view version);

// text escaped for roff: backslashes, hyphens (\-, so that they can be searched and copied), and
// a leading dot or quote that would start a request.
std::string roffEscape(std::string_view text);

}  // namespace eichub::cli
