// Reload: what a re-read config.toml changes in a running daemon. Some keys apply at once
// (SIGHUP, or the control command "reload"); the rest are reported as needing a restart.
#pragma once

#include <string>
#include <vector>

#include "node/config/options.h"

namespace eichub::daemon {

// The config keys a running daemon applies on reload.
inline constexpr char kReloadSubscribe[] = "subscribe";
inline constexpr char kReloadLogLevel[] = "log.level";
inline constexpr char kReloadApiToken[] = "http.api_token";

struct ConfigDiff {
  std::vector<std::string> applied;  // changed keys the daemon applies now (kReload*)
  std::vector<std::string> restart;  // changed keys only a restart applies, e.g. "node.name"
  bool empty() const { return applied.empty() && restart.empty(); }
};

// Compares the options in force with those just loaded. A listen address equal to the bound
// one (bound_listen, bound_http: what "port *" or ":0" resolved to) is no change. With
// log_level_pinned (the daemon started with --log-level, which takes precedence over the
// file), log.level is never applied. Pure.
ConfigDiff diffOptions(const config::Options& running, const config::Options& loaded,
                       const std::string& bound_listen, const std::string& bound_http,
                       bool log_level_pinned);

// "a,b" or "-" for none: a value for a key=value log line.
std::string joinKeys(const std::vector<std::string>& keys);

}  // namespace eichub::daemon
