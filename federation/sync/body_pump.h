// BodyPump: the engine's body part (selective sync, docs/bodies.md). Queues the wanted bodies a
// verified run lacks, and those the store lacks (a scan, at start and after the body filter
// changed or the queue overflowed), sends the requests BodyFetcher makes to the client links
// that may be asked, and checks each body received against its signed header before it goes to
// the store.
// Not thread-safe: the engine's thread owns it.
#pragma once

#include <cstdint>
#include <map>
#include <vector>

#include "federation/feed/update.h"
#include "federation/sync/body_fetcher.h"
#include "federation/sync/sync_context.h"
#include "federation/wire/messages.h"

namespace eichub::sync {

class BodyPump {
 public:
  // context must outlive the pump.
  explicit BodyPump(SyncContext& context) : context_(context) {}

  // Queues fetches for the wanted bodies a verified run from link lacks (its last version of
  // each record only: what the run supersedes, deletes or erases would be dropped by the store).
  void queueMissing(LinkId link, const std::vector<feed::VerifiedUpdate>& batch);
  // Fetches the bodies of these held updates whatever the body filter; refs not held, or held
  // with their body, are skipped. Returns how many were queued.
  size_t fetch(const std::vector<wire::BodyRef>& refs);
  // Sends the body requests the fetcher has ready to the client links that may be asked.
  void pump();
  // Bodies link sent: each must answer a request to link (else "unsolicited body", unless the
  // request expired) and match its header's hash ("body hash") and be a valid record ("invalid
  // record"); a refused or missing one is asked of another link. Those that pass go to the store
  // as one batch.
  void onBodies(LinkId link, wire::Bodies& bodies);
  // True when batch_id is a batch of bodies submitted here; a refusal counts against its link.
  bool applied(uint64_t batch_id, const Status& status);
  // Periodic work: requests older than the want timeout wait again; when nothing is fetched or
  // pulled (pulls_idle) and a client link is up, the store is scanned for wanted bodies it
  // lacks; then pump().
  void tick(int64_t now_ms, bool pulls_idle);
  // The body filter changed: the store is scanned again from its start.
  void rescan();
  void linkDown(LinkId link) { fetcher_.linkDown(link); }

  size_t pending() const { return fetcher_.pending(); }
  // True while tick() has work: fetches to expire or send, or a scan due once a client is up.
  bool ticking() const { return fetcher_.pending() > 0 || (scan_needed_ && context_.clientUp()); }
  uint64_t givenUp() const { return fetcher_.givenUp(); }

 private:
  void scanMissing();

  SyncContext& context_;
  BodyFetcher fetcher_;
  std::map<uint64_t, LinkId> batches_;  // submitted batches of fetched bodies, by id
  bool scan_needed_ = true;             // the store may hold wanted upserts without their bodies
  wire::BodyRef scan_after_;            // where the next scan resumes
};

}  // namespace eichub::sync
