// GET /api/v1/changes?since=&limit=&feed=longpoll&timeout=: the change feed (CouchDB style).
// Every update this node applied, in the order it applied them, numbered from 1; `since` is the
// last number a client saw. With feed=longpoll an empty answer waits up to `timeout` ms.
#include <chrono>

#include "node/catalog/record_json.h"
#include "node/http/change_wait.h"
#include "node/http/json_reply.h"
#include "node/http/query_params.h"
#include "node/http/routes.h"

namespace eichub::http {
namespace {

constexpr uint64_t kMaxChangesLimit = 1000;  // entries per answer
constexpr uint64_t kMaxLongPollMs = 60'000;  // the longest a request may wait
constexpr uint64_t kDefaultLongPollMs = 30'000;
// Each waiting request holds an HTTP thread; the rest stay free for health checks and reads.
constexpr int kMaxLongPolls = 2;

nlohmann::json changeJson(const store::ChangeEntry& change) {
  nlohmann::json out = {
      {"seq", change.number},   {"author", toHex(change.author)},
      {"feed_seq", change.seq}, {"kind", std::string(catalog::kindName(change.kind))},
      {"id", change.id},        {"deleted", change.op != feed::Op::UPSERT}};
  if (change.applied_ms != 0) out["applied_ms"] = change.applied_ms;
  return out;
}

// Decrements the count of waiting requests when a long poll ends.
struct LongPollSlot {
  std::atomic<int>& count;
  ~LongPollSlot() { --count; }
};

}  // namespace

void addChangesRoutes(httplib::Server& server, ApiContext& context) {
  server.Get("/api/v1/changes", [&context](const httplib::Request& req, httplib::Response& res) {
    auto since = uintParam(req, "since", 0, UINT64_MAX, 0);
    auto limit = uintParam(req, "limit", 1, kMaxChangesLimit, 100);
    auto timeout_ms = uintParam(req, "timeout", 0, kMaxLongPollMs, kDefaultLongPollMs);
    auto mode = textParam(req, "feed", 16);
    for (const Status& s : {since.status(), limit.status(), timeout_ms.status(), mode.status()}) {
      if (!s.ok()) return replyError(res, 400, "bad_request", s.message());
    }
    if (!mode->empty() && *mode != "normal" && *mode != "longpoll") {
      return replyError(res, 400, "bad_request", "feed must be normal or longpoll");
    }
    auto changes = context.store.queries().changes(*since, *limit);
    if (changes.ok() && changes->empty() && *mode == "longpoll") {
      if (++context.long_polls > kMaxLongPolls) {
        --context.long_polls;
        return replyError(res, 503, "unavailable",
                          "too many waiting change-feed requests; retry, or poll without "
                          "feed=longpoll");
      }
      LongPollSlot slot{context.long_polls};
      // Woken by the writer as soon as a batch (a local publish or a peer's) is applied.
      changes = waitForChanges(context.store, context.applied, *since, *limit,
                               std::chrono::milliseconds(*timeout_ms));
    }
    if (!changes.ok()) {
      return replyError(res, 500, "store", "the store could not be read; see the daemon log");
    }
    nlohmann::json results = nlohmann::json::array();
    for (const store::ChangeEntry& change : *changes) results.push_back(changeJson(change));
    uint64_t last = changes->empty() ? *since : changes->back().number;
    replyJson(res, 200, {{"results", results}, {"last_seq", last}});
  });
}

}  // namespace eichub::http
