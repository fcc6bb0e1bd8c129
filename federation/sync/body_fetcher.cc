// BodyFetcher: pending body fetches, spread over links, retried elsewhere on a miss.
#include "federation/sync/body_fetcher.h"

#include <algorithm>

namespace eichub::sync {

bool BodyFetcher::add(const wire::BodyRef& ref, feed::SignedUpdate header, LinkId hint,
                      uint32_t body_size) {
  if (fetches_.count(ref) != 0) return true;
  if (fetches_.size() >= kMaxPendingBodies) return false;
  header.body.clear();
  header.body_zstd.clear();
  fetches_.emplace(ref, Fetch{ref, std::move(header), body_size, hint, 0, 0, {}});
  waiting_.insert(ref);
  return true;
}

std::vector<std::pair<LinkId, wire::WantBodies>> BodyFetcher::requests(
    const std::vector<LinkId>& links, int64_t now_ms, const ByteLimit& byte_limit) {
  std::vector<std::pair<LinkId, wire::WantBodies>> out;
  std::map<LinkId, size_t> open;  // link -> index in out of its request being filled
  std::map<LinkId, uint64_t> limits;
  for (LinkId link : links) limits[link] = byte_limit ? byte_limit(link) : 0;
  // Whether link can be asked for size more bytes of bodies.
  auto hasRoom = [&](LinkId link, uint64_t size) {
    const uint64_t limit = limits[link];
    const uint64_t used = in_flight_bytes_[link];
    return limit == 0 || used == 0 || used + size <= limit;
  };
  auto full = [&](LinkId link) {
    return in_flight_[link] >= kMaxBodyRefsInFlight || !hasRoom(link, 1);
  };
  for (auto it = waiting_.begin(); it != waiting_.end();) {
    if (std::all_of(links.begin(), links.end(), full)) break;  // wait for answers
    Fetch& fetch = fetches_.at(*it);
    auto usable = [&](LinkId link) {
      return fetch.tried.count(link) == 0 && in_flight_[link] < kMaxBodyRefsInFlight &&
             hasRoom(link, fetch.body_size);
    };
    const bool untried_left = std::any_of(
        links.begin(), links.end(), [&](LinkId link) { return fetch.tried.count(link) == 0; });
    if (!untried_left) {
      ++given_up_;
      fetches_.erase(*it);
      it = waiting_.erase(it);
      continue;
    }
    LinkId chosen = 0;
    if (std::find(links.begin(), links.end(), fetch.hint) != links.end() && usable(fetch.hint)) {
      chosen = fetch.hint;
    } else {
      auto link = std::find_if(links.begin(), links.end(), usable);
      if (link != links.end()) chosen = *link;
    }
    if (chosen == 0) {
      ++it;  // every untried link is busy: wait for answers
      continue;
    }
    fetch.asked = chosen;
    fetch.asked_ms = now_ms;
    ++in_flight_[chosen];
    in_flight_bytes_[chosen] += fetch.body_size;
    auto request = open.find(chosen);
    if (request == open.end() || out[request->second].second.refs.size() >= wire::kMaxBodyRefs) {
      out.emplace_back(chosen, wire::WantBodies{});
      open[chosen] = out.size() - 1;
      request = open.find(chosen);
    }
    out[request->second].second.refs.push_back(fetch.ref);
    it = waiting_.erase(it);
  }
  return out;
}

std::optional<BodyFetcher::Fetch> BodyFetcher::take(LinkId link, const wire::BodyRef& ref) {
  auto it = fetches_.find(ref);
  if (it == fetches_.end() || it->second.asked != link) return std::nullopt;
  Fetch fetch = std::move(it->second);
  fetches_.erase(it);
  unask(fetch);
  return fetch;
}

bool BodyFetcher::lateAnswer(LinkId link, const wire::BodyRef& ref) {
  auto it = late_.find(link);
  return it != late_.end() && it->second.erase(ref) == 1;
}

void BodyFetcher::retry(Fetch fetch, LinkId link) {
  fetch.tried.insert(link);
  const wire::BodyRef ref = fetch.ref;
  if (fetches_.emplace(ref, std::move(fetch)).second) waiting_.insert(ref);
}

void BodyFetcher::unask(Fetch& fetch) {
  if (fetch.asked == 0) return;
  size_t& in_flight = in_flight_[fetch.asked];
  if (in_flight > 0) --in_flight;
  uint64_t& bytes = in_flight_bytes_[fetch.asked];
  bytes -= std::min(bytes, uint64_t{fetch.body_size});
  fetch.asked = 0;
}

void BodyFetcher::expire(int64_t now_ms, int64_t timeout_ms) {
  for (auto& [ref, fetch] : fetches_) {
    if (fetch.asked != 0 && now_ms - fetch.asked_ms > timeout_ms) {
      fetch.tried.insert(fetch.asked);
      std::set<wire::BodyRef>& late = late_[fetch.asked];
      if (late.size() < kMaxBodyRefsInFlight) late.insert(ref);
      unask(fetch);
      waiting_.insert(ref);
    }
  }
}

void BodyFetcher::linkDown(LinkId link) {
  for (auto& [ref, fetch] : fetches_) {
    if (fetch.asked == link) {
      unask(fetch);
      waiting_.insert(ref);
    }
  }
  in_flight_.erase(link);
  in_flight_bytes_.erase(link);
  late_.erase(link);
}

}  // namespace eichub::sync
