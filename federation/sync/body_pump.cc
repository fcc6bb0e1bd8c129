// BodyPump: body fetches queued, scanned for, requested and checked on arrival.
#include "federation/sync/body_pump.h"

#include <set>
#include <string>
#include <utility>

#include "federation/feed/verify.h"

namespace eichub::sync {

void BodyPump::queueMissing(LinkId link, const std::vector<feed::VerifiedUpdate>& batch) {
  std::set<std::pair<feed::KindCode, std::string>> later;  // records touched later in the run
  for (auto it = batch.rbegin(); it != batch.rend(); ++it) {
    const feed::HeaderFields& f = it->fields;
    if (!later.emplace(f.kind, f.id).second) continue;
    if (f.op != feed::Op::UPSERT || !it->signed_update.body.empty() || !context_.wantsBody(f)) {
      continue;
    }
    if (!fetcher_.add(wire::BodyRef{f.author, f.seq}, it->signed_update, link)) {
      scan_needed_ = true;  // the queue is full: find the rest in the store later
    }
  }
}

void BodyPump::pump() {
  const int64_t now = context_.now();
  std::vector<LinkId> up = context_.askableLinks(now);
  if (up.empty()) return;
  for (auto& [link, want] : fetcher_.requests(up, now)) context_.send(link, want);
}

size_t BodyPump::fetch(const std::vector<wire::BodyRef>& refs) {
  size_t queued = 0;
  for (const wire::BodyRef& ref : refs) {
    auto held = context_.storage().read(ref.author, ref.seq, 1, wire::kMaxBatchBytes);
    if (!held.ok() || held->empty() || !held->front().body.empty()) continue;
    if (fetcher_.add(ref, std::move(held->front()), 0)) ++queued;
  }
  pump();
  return queued;
}

void BodyPump::scanMissing() {
  auto found = context_.storage().missingBodies(
      [this](const feed::HeaderFields& f) { return context_.wantsBody(f); }, scan_after_,
      kMaxPendingBodies);
  if (!found.ok()) return;
  for (auto& [ref, header] : *found) fetcher_.add(ref, std::move(header), 0);
  if (found->size() < kMaxPendingBodies) {
    scan_needed_ = false;
    scan_after_ = {};
  } else {
    scan_after_ = found->back().first;
  }
}

void BodyPump::onBodies(LinkId link, wire::Bodies& bodies) {
  std::vector<feed::VerifiedUpdate> batch;
  for (wire::BodyItem& item : bodies.items) {
    auto fetch = fetcher_.take(link, item.ref);
    if (!fetch) {
      if (!fetcher_.lateAnswer(link, item.ref)) context_.reject(link, "unsolicited body");
      continue;
    }
    if (item.body.empty()) {  // not held there: ask another peer
      fetcher_.retry(std::move(*fetch), link);
      continue;
    }
    feed::SignedUpdate update = fetch->header;
    update.body = std::move(item.body);
    // The header was verified when it arrived; this binds the body to its signed hash.
    auto verified = feed::verifyUpdate(std::move(update), context_.options().network,
                                       feed::SignatureCheck::kDeferToChain);
    if (!verified.ok()) {
      context_.reject(link, "body hash");
      fetcher_.retry(std::move(*fetch), link);
      continue;
    }
    if (!context_.storage().checkBody(*verified).ok()) {
      context_.reject(link, "invalid record");
      fetcher_.retry(std::move(*fetch), link);
      continue;
    }
    ++context_.link(link).stats.bodies_received;
    batch.push_back(std::move(verified).value());
  }
  if (!batch.empty()) {
    const uint64_t batch_id = context_.nextBatchId();
    batches_[batch_id] = link;
    context_.storage().submit(batch_id, std::move(batch));
  }
  pump();
}

bool BodyPump::applied(uint64_t batch_id, const Status& status) {
  auto it = batches_.find(batch_id);
  if (it == batches_.end()) return false;
  const LinkId link = it->second;
  batches_.erase(it);
  if (!status.ok()) context_.reject(link, "store refused bodies");
  return true;
}

void BodyPump::tick(int64_t now_ms, bool pulls_idle) {
  fetcher_.expire(now_ms, context_.options().want_timeout_ms);
  if (scan_needed_ && fetcher_.pending() == 0 && pulls_idle && context_.clientUp()) {
    scanMissing();
  }
  pump();
}

void BodyPump::rescan() {
  scan_needed_ = true;
  scan_after_ = {};
}

}  // namespace eichub::sync
