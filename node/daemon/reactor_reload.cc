// Reactor: peers.toml and config.toml (start-up and reloads), admission and trust refreshes.
#include "node/daemon/reactor.h"
#include "node/daemon/subscription.h"
#include "node/log.h"

namespace eichub::daemon {

Status Reactor::loadPeers(bool wait_for_trust) {
  EICHUB_RETURN_IF_ERROR(admission_->loadPeers());
  admission_->refreshTrust();
  // Start-up only: nothing else is in flight, and no peer is admitted before trust is known.
  while (wait_for_trust && admission_->refreshInFlight()) {
    onWriterOutcome(writer_->receiveOutcome());
  }
  admitPeers();
  engine_->trustChanged();
  return Status::OK();
}
void Reactor::admitPeers() { links_->keepOnly(admission_->admit(), admission_->cards(), *engine_); }
void Reactor::onTrustRefreshed(TrustRefreshed refreshed) {
  if (admission_->onTrustRefreshed(std::move(refreshed))) {
    engine_->trustChanged();
    admitPeers();  // a peer node removed or revoked loses its live sessions now
  }
  admission_->refreshIfAsked();
}
Status Reactor::reload(const std::string& trigger) {
  Status peers = loadPeers(false);
  auto loaded = config::loadOptions(home_.dir() + "/config.toml");
  ConfigDiff diff;
  Status config = loaded.status();
  if (loaded.ok()) {
    diff = diffOptions(running_, *loaded, links_->endpoint(), http_->address(),
                       !log_level_flag_.empty());
    config = applyConfig(diff, *loaded);
  }
  const Status& first_error = !peers.ok() ? peers : config;
  // A new level above info hides this line too: what the operator asked for.
  log::info(
      "event=reload trigger={} ok={} peers={} applied={} restart_needed={} peers_file={} "
      "config_file={}",
      trigger, peers.ok() && config.ok(), links_->clientCount(), joinKeys(diff.applied),
      joinKeys(diff.restart), peers.ok() ? "ok" : "\"" + peers.message() + "\"",
      config.ok() ? "ok" : "\"" + config.message() + "\"");
  return first_error;
}
Status Reactor::applyConfig(const ConfigDiff& diff, const config::Options& loaded) {
  for (const std::string& key : diff.applied) {
    if (key == kReloadSubscribe) {
      auto subscription = subscriptionOf(loaded, store());
      if (!subscription.ok()) return subscription.status().withContext("subscribe");
      engine_->setBodyFilter(subscription->bodyFilter());
      running_.subscribe_kinds = loaded.subscribe_kinds;
      running_.subscribe_sectors = loaded.subscribe_sectors;
      running_.subscribe_regions = loaded.subscribe_regions;
      running_.subscribe_skills = loaded.subscribe_skills;
    } else if (key == kReloadLogLevel) {
      log::setLevel(loaded.log_level);
      running_.log_level = loaded.log_level;
    } else if (key == kReloadApiToken) {
      http_->context().api_token.set(loaded.http_api_token);
      running_.http_api_token = loaded.http_api_token;
    }
  }
  return Status::OK();
}

}  // namespace eichub::daemon
