// BodyPump: body fetches queued, scanned for, requested and checked on arrival.
#include "federation/sync/body_pump.h"

#include <set>
#include <string>
#include <utility>

#include "federation/feed/verify.h"

namespace eichub::sync {

namespace {

// A server's byte budget covers everything it has sent a link and not seen read: updates pulled
// under credit as well as bodies. Bodies asked of it at once stay within this share of the
// budget its hello stated, so that the rest of the budget is left for updates and a request is
// served whole rather than cut at the budget.
constexpr uint64_t kBodyShareOfServeBudget = 2;  // a half

// The body size a held header states; a header that does not decode (it was verified when
// stored, so only a damaged store gives one) is counted at the largest body allowed.
uint32_t statedBodySize(const feed::SignedUpdate& update) {
  auto fields = feed::decodeHeader(update.header);
  return fields.ok() ? fields->body_size : static_cast<uint32_t>(feed::kMaxBodyBytes);
}

}  // namespace

void BodyPump::queueMissing(LinkId link, const std::vector<feed::VerifiedUpdate>& batch) {
  std::set<std::pair<feed::KindCode, std::string>> later;  // records touched later in the run
  for (auto it = batch.rbegin(); it != batch.rend(); ++it) {
    const feed::HeaderFields& f = it->fields;
    if (!later.emplace(f.kind, f.id).second) continue;
    if (f.op != feed::Op::UPSERT || !it->signed_update.body.empty() || !context_.wantsBody(f)) {
      continue;
    }
    if (!fetcher_.add(wire::BodyRef{f.author, f.seq}, it->signed_update, link, f.body_size)) {
      scan_needed_ = true;  // the queue is full: find the rest in the store later
    }
  }
}

void BodyPump::pump() {
  const int64_t now = context_.now();
  std::vector<LinkId> up = context_.askableLinks(now);
  if (up.empty()) return;
  auto byte_limit = [this](LinkId link) {
    return context_.link(link).serve_budget_bytes / kBodyShareOfServeBudget;
  };
  for (auto& [link, want] : fetcher_.requests(up, now, byte_limit)) context_.send(link, want);
}

size_t BodyPump::fetch(const std::vector<wire::BodyRef>& refs) {
  size_t queued = 0;
  for (const wire::BodyRef& ref : refs) {
    auto held = context_.storage().read(ref.author, ref.seq, 1, wire::kMaxBatchBytes);
    if (!held.ok() || held->empty() || !held->front().body.empty()) continue;
    const uint32_t body_size = statedBodySize(held->front());
    if (fetcher_.add(ref, std::move(held->front()), 0, body_size)) ++queued;
  }
  pump();
  return queued;
}

void BodyPump::scanMissing() {
  auto found = context_.storage().missingBodies(
      [this](const feed::HeaderFields& f) { return context_.wantsBody(f); }, scan_after_,
      kMaxPendingBodies);
  if (!found.ok()) return;
  for (auto& [ref, header] : *found) {
    const uint32_t body_size = statedBodySize(header);
    fetcher_.add(ref, std::move(header), 0, body_size);
  }
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
    // The frame it came as, if any (the decoder checked it decompresses to body): stored as is.
    update.body_zstd = std::move(item.body_zstd);
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
