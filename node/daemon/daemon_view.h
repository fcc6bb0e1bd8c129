// DaemonView: what the HTTP snapshot (SnapshotPublisher) and the control channel's status
// (status_report.h) read of the reactor's parts, by reference. Reactor thread only.
#pragma once

#include <cstdint>

#include "federation/sync/sync_engine.h"
#include "node/config/options.h"
#include "node/daemon/admission.h"
#include "node/daemon/peer_links.h"
#include "node/daemon/store_adapter.h"
#include "node/store/catalog_store.h"

namespace eichub::daemon {

struct DaemonView {
  sync::SyncEngine& engine;
  const PeerLinks& links;
  const Admission& admission;
  StoreAdapter& storage;
  const store::CatalogStore& store;
  const config::Options& running;  // the options in force
  const PublicKey& node_id;
  uint64_t batches_applied = 0;  // writer outcomes since start
  uint64_t batches_failed = 0;
  uint64_t heap_trims = 0;  // IdleTrim's trims since start
};

}  // namespace eichub::daemon
