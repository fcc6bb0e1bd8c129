// `eichub verify`: checks a home's store against its own signatures (docs/reliability.md case 22)
// and, with --repair, drops bodies altered on disk so that the node fetches them again from peers.
#include <algorithm>
#include <cstddef>
#include <memory>
#include <vector>

#include <fmt/core.h>

#include "node/cli/commands.h"
#include "node/cli/context.h"
#include "node/daemon/control.h"
#include "node/daemon/fetch_command.h"
#include "node/store/verify.h"

namespace eichub::cli {

namespace {

// What an operator does about a problem --repair cannot fix in place.
constexpr std::string_view kHeaderAdvice =
    "a stored header no longer matches its signature and cannot be repaired in place: stop the "
    "daemon and restore a backup taken before (eichub restore), or move <home>/data aside and "
    "let the node sync again from its peers";

struct VerifyFlags {
  CommonFlags common;
  bool repair = false;
};

// Asks a running daemon to fetch the dropped bodies now; a stopped one fetches them at start
// (it scans its store for missing bodies once a peer is up).
void askForBodies(const std::string& home_dir, const std::vector<wire::BodyRef>& refs) {
  if (refs.empty() || !daemon::daemonRunning(home_dir)) return;
  for (size_t i = 0; i < refs.size(); i += daemon::kMaxFetchRefsPerCommand) {
    const size_t end = std::min(refs.size(), i + daemon::kMaxFetchRefsPerCommand);
    std::vector<wire::BodyRef> chunk(refs.begin() + static_cast<std::ptrdiff_t>(i),
                                     refs.begin() + static_cast<std::ptrdiff_t>(end));
    (void)daemon::askDaemon(home_dir, daemon::fetchCommand(chunk));
  }
}

int runVerify(const VerifyFlags& flags) {
  auto home = openHome(flags.common, !flags.repair);
  if (!home) return kExitFailure;
  auto report = store::verifyStore(home->store());
  if (!report.ok()) return fail(report.status().withContext("verify"));
  nlohmann::json problems = nlohmann::json::array();
  std::vector<wire::BodyRef> dropped;
  size_t left = 0;  // problems not repaired
  bool header_problem = false;
  for (const store::StoreProblem& p : report->problems) {
    bool repaired = false;
    if (flags.repair && p.problem == store::Problem::kBadBody) {
      auto done = store::dropBadBody(home->store(), p.author, p.seq);
      if (!done.ok()) return fail(done.status().withContext("repair"));
      repaired = *done;
      if (repaired) dropped.push_back({p.author, p.seq});
    }
    if (!repaired) ++left;
    header_problem = header_problem || p.problem != store::Problem::kBadBody;
    problems.push_back({{"author", toHex(p.author)},
                        {"seq", p.seq},
                        {"problem", std::string(store::problemName(p.problem))},
                        {"repaired", repaired}});
  }
  askForBodies(home->dir(), dropped);
  if (flags.common.json) {
    printJson({{"ok", left == 0},
               {"feeds", report->feeds},
               {"headers", report->headers},
               {"bodies", report->bodies},
               {"problems", problems},
               {"bodies_dropped", dropped.size()}});
  } else {
    for (const nlohmann::json& p : problems) {
      fmt::print("{} author {} seq {}{}\n", p["problem"].get<std::string>(),
                 p["author"].get<std::string>(), p["seq"].get<uint64_t>(),
                 p["repaired"].get<bool>() ? ": body dropped, to be fetched again from peers" : "");
    }
    fmt::print("{} feeds, {} headers, {} bodies checked: {} problems, {} repaired\n", report->feeds,
               report->headers, report->bodies, problems.size(), dropped.size());
  }
  if (header_problem) fmt::print(stderr, "eichub: {}\n", kHeaderAdvice);
  if (left > 0 && !flags.repair && !header_problem) {
    fmt::print(stderr, "eichub: run eichub verify --repair to drop the bad bodies\n");
  }
  return left == 0 ? kExitOk : kExitFailure;
}

}  // namespace

void addVerifyCommands(CLI::App& app, int& exit_code) {
  auto flags = std::make_shared<VerifyFlags>();
  CLI::App* verify = app.add_subcommand(
      "verify", "Check every stored header's signature and link and every body's hash");
  addHomeFlag(*verify, flags->common);
  addJsonFlag(*verify, flags->common);
  verify->add_flag("--repair", flags->repair,
                   "Drop bodies that do not match their header; peers send them again");
  verify->callback([flags, &exit_code] { exit_code = runVerify(*flags); });
}

}  // namespace eichub::cli
