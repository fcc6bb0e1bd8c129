// GET /api/v1/records/{id} and GET /api/v1/search?q=&kind=&lang=&limit=&cursor=.
#include <fmt/format.h>

#include "node/http/json_reply.h"
#include "node/http/query_params.h"
#include "node/http/record_view.h"
#include "node/http/routes.h"

namespace eichub::http {
namespace {

// Search limits: a page is at most kMaxSearchLimit hits, and paging stops kMaxSearchOffset
// hits deep (each page re-runs the query for offset + limit hits, so depth costs work).
constexpr uint64_t kMaxSearchLimit = 100;
constexpr uint64_t kMaxSearchOffset = 1000;
constexpr size_t kMaxQueryBytes = 256;  // a search is a few words
constexpr size_t kMaxLangBytes = 16;    // BCP 47 tags in the catalogue are short

void badRequest(httplib::Response& res, const Status& status) {
  replyError(res, 400, "bad_request", status.message());
}

}  // namespace

void addRecordRoutes(httplib::Server& server, ApiContext& context) {
  server.Get(R"(/api/v1/records/(.+))",
             [&context](const httplib::Request& req, httplib::Response& res) {
               const std::string id = req.matches[1];
               if (id.size() > feed::kMaxIdBytes) {
                 replyError(res, 400, "bad_request",
                            fmt::format("a record id is at most {} bytes", feed::kMaxIdBytes));
                 return;
               }
               auto records = context.store.queries().recordsById(id);
               if (!records.ok()) {
                 replyError(res, 500, "store", "the store could not be read; see the daemon log");
                 return;
               }
               if (records->empty()) {
                 replyError(res, 404, "not_found", "no record with id " + id + " on this node");
                 return;
               }
               nlohmann::json list = nlohmann::json::array();
               for (const store::RecordState& state : *records) list.push_back(recordView(state));
               replyJson(res, 200, {{"id", id}, {"records", list}});
             });

  server.Get("/api/v1/search", [&context](const httplib::Request& req, httplib::Response& res) {
    auto text = textParam(req, "q", kMaxQueryBytes);
    auto kind_name = textParam(req, "kind");
    auto lang = textParam(req, "lang", kMaxLangBytes);
    auto limit = uintParam(req, "limit", 1, kMaxSearchLimit, 10);
    auto cursor = uintParam(req, "cursor", 0, kMaxSearchOffset, 0);
    for (const Status& s :
         {text.status(), kind_name.status(), lang.status(), limit.status(), cursor.status()}) {
      if (!s.ok()) return badRequest(res, s);
    }
    if (text->empty()) {
      return badRequest(res, Status::InvalidArgument("q is required: the words to search for"));
    }
    store::SearchQuery query;
    query.text = *text;
    query.lang = *lang;
    query.limit = *cursor + *limit + 1;  // one more tells whether a next page exists
    if (!kind_name->empty()) {
      query.kind = catalog::parseKind(*kind_name);
      if (!query.kind) {
        return badRequest(res,
                          Status::InvalidArgument("kind must be one of " +
                                                  std::string(catalog::catalogueKindAliases())));
      }
    }
    auto hits = context.store.queries().search(query);
    if (!hits.ok()) {
      replyError(res, 500, "store", "the store could not be read; see the daemon log");
      return;
    }
    nlohmann::json results = nlohmann::json::array();
    for (size_t i = *cursor; i < hits->size() && i < *cursor + *limit; ++i) {
      auto state = context.store.queries().record((*hits)[i].key);
      if (!state.ok()) continue;  // replaced between the two reads: the next search has it
      nlohmann::json view = recordView(*state);
      view["score"] = (*hits)[i].score;
      results.push_back(std::move(view));
    }
    const uint64_t next = *cursor + *limit;
    const bool more = hits->size() > next && next <= kMaxSearchOffset;
    replyJson(res, 200,
              {{"results", results},
               {"next_cursor", more ? nlohmann::json(std::to_string(next)) : nlohmann::json()}});
  });
}

}  // namespace eichub::http
