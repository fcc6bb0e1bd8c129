// Reload: a field-by-field comparison of two Options.
#include "node/daemon/reload.h"

namespace eichub::daemon {

ConfigDiff diffOptions(const config::Options& running, const config::Options& loaded,
                       const std::string& bound_listen, const std::string& bound_http,
                       bool log_level_pinned) {
  ConfigDiff diff;
  auto check = [&diff](bool changed, const char* key, bool applies) {
    if (changed) (applies ? diff.applied : diff.restart).push_back(key);
  };
  check(running.subscribe_kinds != loaded.subscribe_kinds ||
            running.subscribe_sectors != loaded.subscribe_sectors ||
            running.subscribe_regions != loaded.subscribe_regions ||
            running.subscribe_skills != loaded.subscribe_skills,
        kReloadSubscribe, true);
  if (!log_level_pinned) check(running.log_level != loaded.log_level, kReloadLogLevel, true);
  check(running.http_api_token != loaded.http_api_token, kReloadApiToken, true);
  // The node card is signed into the cluster profile and shown to peers: a restart (and a
  // published profile) changes it, not a reload.
  check(running.name != loaded.name, "node.name", false);
  check(running.region != loaded.region, "node.region", false);
  check(running.sectors != loaded.sectors, "node.sectors", false);
  check(running.contact != loaded.contact, "node.contact", false);
  check(running.network != loaded.network, "node.network", false);
  check(running.listen != loaded.listen && loaded.listen != bound_listen, "federation.listen",
        false);
  check(running.http_listen != loaded.http_listen && loaded.http_listen != bound_http,
        "http.listen", false);
  check(running.http_allowed_hosts != loaded.http_allowed_hosts, "http.allowed_hosts", false);
  check(running.store_initial_map_mb != loaded.store_initial_map_mb, "store.initial_map_mb", false);
  check(running.store_max_map_mb != loaded.store_max_map_mb, "store.max_map_mb", false);
  // Limits are handed to the sockets, the sync engine and the HTTP server when they are built
  // (the trust state is derived with the per-author limits at start): a restart applies them.
  for (const config::LimitSpec& spec : config::limitSpecs()) {
    if (running.limits.*spec.field != loaded.limits.*spec.field) {
      diff.restart.push_back(config::fullLimitKey(spec));
    }
  }
  return diff;
}

std::string joinKeys(const std::vector<std::string>& keys) {
  if (keys.empty()) return "-";
  std::string out;
  for (const std::string& key : keys) out += (out.empty() ? "" : ",") + key;
  return out;
}

}  // namespace eichub::daemon
