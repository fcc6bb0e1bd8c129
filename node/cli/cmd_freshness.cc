// Freshness commands (freeze protection): `trust expires` declares how long this node's own
// feed stays fresh, in a signed record; `trust stale-after` sets the window after which a
// silent feed is reported stale. Both feed reports only; no verdict reads them.
#include <memory>

#include <fmt/core.h>

#include "node/cli/commands.h"
#include "node/cli/context.h"
#include "node/cli/trust_publish.h"
#include "node/daemon/control.h"
#include "node/home/peers.h"

namespace eichub::cli {

namespace {

struct FreshnessFlags {
  CommonFlags common;
  std::string date;
  uint32_t hours = 0;
};

int runTrustExpires(const FreshnessFlags& flags) {
  auto home = openHome(flags.common, false);
  if (!home) return kExitFailure;
  auto expires = parseExpiry(flags.date);
  if (!expires.ok()) return fail(expires.status());
  auto seq = publishTrustRecord(*home, home->nodeKey(), trust::Expiry{*expires});
  if (!seq.ok()) return fail(seq.status().withContext("expiry not published"));
  fmt::print("feed fresh until {} (expires_ms {}), published at seq {}\n", flags.date, *expires,
             *seq);
  return kExitOk;
}

int runTrustStaleAfter(const FreshnessFlags& flags) {
  auto home = openHome(flags.common, true);
  if (!home) return kExitFailure;
  if (flags.hours > home::kMaxStaleAfterHours) {
    return fail(fmt::format("hours must be 0 to {}", home::kMaxStaleAfterHours));
  }
  auto peers = home::loadPeers(home->dir());
  if (!peers.ok()) return fail(peers.status());
  peers->stale_after_hours = flags.hours;
  if (Status s = home::savePeers(home->dir(), *peers); !s.ok()) return fail(s);
  if (daemon::daemonRunning(home->dir())) (void)daemon::askDaemon(home->dir(), "reload");
  if (flags.hours == 0) {
    fmt::print("silent feeds are not reported stale\n");
  } else {
    fmt::print("feeds silent for over {} hours are reported stale\n", flags.hours);
  }
  return kExitOk;
}

}  // namespace

void addFreshnessCommands(CLI::App& app, int& exit_code) {
  CLI::App* trust_cmd = app.get_subcommand("trust");

  auto expires_flags = std::make_shared<FreshnessFlags>();
  CLI::App* expires = trust_cmd->add_subcommand(
      "expires", "Declare, signed, until when this node's feed is fresh (renew before then)");
  addHomeFlag(*expires, expires_flags->common);
  expires->add_option("date", expires_flags->date, "YYYY-MM-DD (UTC, end of day)")->required();
  expires->callback([expires_flags, &exit_code] { exit_code = runTrustExpires(*expires_flags); });

  auto window_flags = std::make_shared<FreshnessFlags>();
  CLI::App* window = trust_cmd->add_subcommand(
      "stale-after", "Report trusted feeds stale when their newest signed time is older");
  addHomeFlag(*window, window_flags->common);
  window->add_option("hours", window_flags->hours, "Hours; 0 reports no silent feed")->required();
  window->callback([window_flags, &exit_code] { exit_code = runTrustStaleAfter(*window_flags); });
}

}  // namespace eichub::cli
