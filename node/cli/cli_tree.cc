#include "node/cli/cli_tree.h"

namespace eichub::cli {

std::vector<const CLI::App*> visibleSubcommands(const CLI::App& app) {
  return app.get_subcommands([](const CLI::App* sub) {
    return !sub->get_name().empty() && !sub->get_group().empty() && !sub->get_disabled();
  });
}

std::vector<CommandNode> visibleCommands(const CLI::App& app, const std::string& name) {
  std::vector<CommandNode> nodes{{&app, name}};
  for (const CLI::App* sub : visibleSubcommands(app)) {
    auto below = visibleCommands(*sub, name + " " + sub->get_name());
    nodes.insert(nodes.end(), below.begin(), below.end());
  }
  return nodes;
}

std::vector<const CLI::Option*> visibleOptions(const CLI::App& app) {
  return app.get_options(
      [](const CLI::Option* opt) { return !opt->get_group().empty() && opt->nonpositional(); });
}

std::vector<const CLI::Option*> visiblePositionals(const CLI::App& app) {
  return app.get_options(
      [](const CLI::Option* opt) { return !opt->get_group().empty() && opt->get_positional(); });
}

std::vector<std::string> optionSpellings(const CLI::Option& option) {
  std::vector<std::string> spellings;
  for (const std::string& s : option.get_snames()) spellings.push_back("-" + s);
  for (const std::string& l : option.get_lnames()) spellings.push_back("--" + l);
  return spellings;
}

}  // namespace eichub::cli
