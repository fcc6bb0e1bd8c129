// BodyFetcher: the bodies a node is fetching for held headers (selective sync, and `eichub get`
// of a record held without its body): which peer was asked, which peers did not deliver, and
// when to ask again. It knows nothing of sockets; the sync engine sends what it returns.
// Not thread-safe: the sync engine's thread owns it.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <utility>
#include <vector>

#include "federation/feed/update.h"
#include "federation/wire/messages.h"

namespace eichub::sync {

using LinkId = uint64_t;

// Refs asked of one link and not answered yet: four requests' worth keeps a link busy without
// letting one slow peer hold every fetch.
inline constexpr size_t kMaxBodyRefsInFlight = 4 * wire::kMaxBodyRefs;
// Fetches held in memory (each keeps its header, a few hundred bytes). More are found again by
// scanning the store for missing bodies once the queue drains.
inline constexpr size_t kMaxPendingBodies = 16'384;

class BodyFetcher {
 public:
  struct Fetch {
    wire::BodyRef ref;
    feed::SignedUpdate header;  // header and signature of the update; body empty
    uint32_t body_size = 0;     // what its header says the body weighs
    LinkId hint = 0;            // a link that probably holds it (it sent the header)
    LinkId asked = 0;           // 0 while waiting to be asked
    int64_t asked_ms = 0;
    std::set<LinkId> tried;  // links that did not hold it, or sent one that was refused
  };

  // Queues a fetch unless one for the same ref is pending. False when kMaxPendingBodies are
  // pending: nothing is queued. body_size: the body's size as its header states it.
  bool add(const wire::BodyRef& ref, feed::SignedUpdate header, LinkId hint, uint32_t body_size);
  // The bytes of bodies a link may have asked for and not received yet; 0 for no bound.
  using ByteLimit = std::function<uint64_t(LinkId)>;
  // Requests for the waiting fetches: each to its hint if that is among links and untried, else
  // to the first untried of links; at most wire::kMaxBodyRefs refs per request,
  // kMaxBodyRefsInFlight per link and, when byte_limit bounds a link, that many bytes of bodies
  // in flight to it (at least one body when none is), so that a server with a byte budget is
  // never asked for more than it would serve. A fetch that every one of links has tried is
  // dropped and counted in givenUp().
  std::vector<std::pair<LinkId, wire::WantBodies>> requests(const std::vector<LinkId>& links,
                                                            int64_t now_ms,
                                                            const ByteLimit& byte_limit = {});
  // The fetch of ref asked of link, no longer pending; nullopt when link was not asked for it.
  std::optional<Fetch> take(LinkId link, const wire::BodyRef& ref);
  // True (once) when link was asked for ref and the request expired: its answer is late, not
  // unsolicited, and is dropped without blaming the peer.
  bool lateAnswer(LinkId link, const wire::BodyRef& ref);
  // Queues a fetch again after link did not deliver it: another link will be asked.
  void retry(Fetch fetch, LinkId link);
  // Fetches asked more than timeout_ms ago wait again (a dropped message is harmless).
  void expire(int64_t now_ms, int64_t timeout_ms);
  // Fetches asked of link wait again, for other links.
  void linkDown(LinkId link);

  size_t pending() const { return fetches_.size(); }
  uint64_t givenUp() const { return given_up_; }

 private:
  void unask(Fetch& fetch);

  std::map<wire::BodyRef, Fetch> fetches_;
  std::set<wire::BodyRef> waiting_;  // fetches not asked of any link now
  std::map<LinkId, size_t> in_flight_;
  std::map<LinkId, uint64_t> in_flight_bytes_;  // body_size of the fetches in in_flight_
  // Expired requests per link, whose answers may still come (at most kMaxBodyRefsInFlight).
  std::map<LinkId, std::set<wire::BodyRef>> late_;
  uint64_t given_up_ = 0;
};

}  // namespace eichub::sync
