// GET /api/v1/match, /gaps, /needs, /offers_by_group and POST /api/v1/align: the matching
// answers of `eichub match`, `gaps` and `align`, and what the dashboard charts, over an index
// rebuilt only when the feed heads change. All only read: align publishes nothing.
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "node/catalog/jsonl_reader.h"
#include "node/http/json_reply.h"
#include "node/http/query_params.h"
#include "node/http/routes.h"
#include "node/import/esco_importer.h"
#include "node/match/gaps.h"
#include "node/match/match_json.h"
#include "node/match/matcher.h"
#include "node/match/need_query.h"

namespace eichub::http {
namespace {

// A comma-separated list parameter (skill uris), at most kMaxNeedSkills items.
constexpr size_t kMaxSkillsParamBytes = 64 * 1024;
// Resources one align request may hold: a review batch, not a catalogue.
constexpr size_t kMaxAlignResources = 1000;

int statusOf(const Status& status) {
  if (status.isNotFound()) return 404;
  if (status.code() == Status::Code::kInvalidArgument) return 400;
  return 500;
}

void replyStatus(httplib::Response& res, const Status& status) {
  const int code = statusOf(status);
  replyError(res, code, errorCodeOf(code),
             code == 500 ? status.toString() + "; see the daemon log" : status.message());
}

std::vector<std::string> splitList(std::string_view text) {
  std::vector<std::string> out;
  while (!text.empty()) {
    const size_t comma = text.find(',');
    std::string_view item = text.substr(0, comma);
    if (!item.empty()) out.emplace_back(item);
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return out;
}

// The filters of a match request; every failure names its parameter.
Result<match::MatchFilters> filtersOf(const httplib::Request& req) {
  match::MatchFilters filters;
  EICHUB_ASSIGN_OR_RETURN(filters.lang, textParam(req, "lang", 35));
  EICHUB_ASSIGN_OR_RETURN(std::string mode, textParam(req, "mode", 16));
  if (!mode.empty()) {
    filters.mode = match::parseMode(mode);
    if (!filters.mode) return Status::InvalidArgument("mode: use online, onsite or blended");
  }
  EICHUB_ASSIGN_OR_RETURN(filters.region, textParam(req, "region", 16));
  EICHUB_ASSIGN_OR_RETURN(uint64_t min_eqf, uintParam(req, "min_eqf", 0, 8, 0));
  EICHUB_ASSIGN_OR_RETURN(uint64_t max_eqf, uintParam(req, "max_eqf", 0, 8, 0));
  filters.min_eqf = static_cast<uint8_t>(min_eqf);
  filters.max_eqf = static_cast<uint8_t>(max_eqf);
  if (req.has_param("max_price_cents")) {
    EICHUB_ASSIGN_OR_RETURN(filters.max_price_cents,
                            uintParam(req, "max_price_cents", 0, UINT32_MAX, 0));
  }
  EICHUB_ASSIGN_OR_RETURN(filters.currency, textParam(req, "currency", 3));
  EICHUB_ASSIGN_OR_RETURN(filters.valid_on, textParam(req, "valid_on", 10));
  EICHUB_RETURN_IF_ERROR(match::validateFilters(filters));
  return filters;
}

Result<match::MatchQuery> matchQueryOf(const httplib::Request& req,
                                       const store::CatalogStore& store) {
  match::MatchQuery query;
  EICHUB_ASSIGN_OR_RETURN(std::string need, textParam(req, "need"));
  EICHUB_ASSIGN_OR_RETURN(std::string skills, textParam(req, "skills", kMaxSkillsParamBytes));
  EICHUB_ASSIGN_OR_RETURN(query.occupation, textParam(req, "occupation"));
  if (!need.empty()) EICHUB_RETURN_IF_ERROR(match::addNeedToQuery(store, need, query));
  for (std::string& uri : splitList(skills)) query.skills.push_back(std::move(uri));
  if (query.skills.empty() && query.occupation.empty()) {
    return Status::InvalidArgument(
        "name a need: need=<id>, skills=<uri>,<uri> or occupation=<uri>");
  }
  EICHUB_ASSIGN_OR_RETURN(query.filters, filtersOf(req));
  EICHUB_ASSIGN_OR_RETURN(uint64_t limit,
                          uintParam(req, "limit", 1, match::kMaxResults, match::kDefaultResults));
  EICHUB_ASSIGN_OR_RETURN(
      uint64_t cover, uintParam(req, "cover", 1, match::kMaxCoverSize, match::kDefaultCoverSize));
  query.limit = limit;
  query.cover_size = cover;
  return query;
}

Result<match::GapQuery> gapQueryOf(const httplib::Request& req) {
  match::GapQuery query;
  EICHUB_ASSIGN_OR_RETURN(query.region, textParam(req, "region", 16));
  EICHUB_ASSIGN_OR_RETURN(query.sector, textParam(req, "sector", 128));
  EICHUB_ASSIGN_OR_RETURN(uint64_t max_offers,
                          uintParam(req, "max_offers", 0, UINT32_MAX, match::kDefaultFewOffers));
  EICHUB_ASSIGN_OR_RETURN(
      uint64_t limit, uintParam(req, "limit", 1, match::kMaxGapEntries, match::kDefaultGapEntries));
  query.max_offers = static_cast<uint32_t>(max_offers);
  query.limit = limit;
  return query;
}

Result<match::AlignOptions> alignOptionsOf(const httplib::Request& req) {
  match::AlignOptions options;
  EICHUB_ASSIGN_OR_RETURN(
      uint64_t suggestions,
      uintParam(req, "suggestions", 1, match::kMaxSuggestions, match::kDefaultSuggestions));
  // min_score in hundredths, so that the parameter stays an integer: 50 = 0.5.
  EICHUB_ASSIGN_OR_RETURN(uint64_t min_score,
                          uintParam(req, "min_score_pct", 0, 100,
                                    static_cast<uint64_t>(match::kDefaultMinScore * 100)));
  options.max_suggestions = suggestions;
  options.min_score = static_cast<double>(min_score) / 100;
  return options;
}

}  // namespace

void addMatchRoutes(httplib::Server& server, ApiContext& context) {
  server.Get("/api/v1/match", [&context](const httplib::Request& req, httplib::Response& res) {
    auto query = matchQueryOf(req, context.store);
    if (!query.ok()) return replyStatus(res, query.status());
    auto index = context.matching.index();
    if (!index.ok()) return replyStatus(res, index.status());
    auto answer = match::match(**index, *query);
    if (!answer.ok()) return replyStatus(res, answer.status());
    nlohmann::json doc = match::toJson(*answer);
    doc["attribution"] = import::kEscoAttribution;
    replyJson(res, 200, doc);
  });

  server.Get("/api/v1/gaps", [&context](const httplib::Request& req, httplib::Response& res) {
    auto query = gapQueryOf(req);
    auto format = textParam(req, "format", 8);
    if (!query.ok()) return replyStatus(res, query.status());
    if (!format.ok()) return replyStatus(res, format.status());
    if (!format->empty() && *format != "json" && *format != "csv") {
      return replyError(res, 400, "bad_request", "format must be json or csv");
    }
    auto index = context.matching.index();
    if (!index.ok()) return replyStatus(res, index.status());
    auto report = match::gaps(**index, *query);
    if (!report.ok()) return replyStatus(res, report.status());
    if (*format == "csv") {
      res.status = 200;
      res.set_content(match::gapsToCsv(*report), "text/csv; charset=utf-8");
      return;
    }
    nlohmann::json doc = match::toJson(*report);
    doc["attribution"] = import::kEscoAttribution;
    replyJson(res, 200, doc);
  });

  server.Get("/api/v1/needs", [&context](const httplib::Request&, httplib::Response& res) {
    auto index = context.matching.index();
    if (!index.ok()) return replyStatus(res, index.status());
    replyJson(res, 200, match::needsToJson(**index));
  });

  server.Get(
      "/api/v1/offers_by_group", [&context](const httplib::Request& req, httplib::Response& res) {
        auto level = uintParam(req, "level", 0, match::kMaxGroupLevel, match::kDefaultGroupLevel);
        if (!level.ok()) return replyStatus(res, level.status());
        auto index = context.matching.index();
        if (!index.ok()) return replyStatus(res, index.status());
        auto counts = match::offersPerGroupAndRegion(**index, static_cast<int>(*level));
        if (!counts.ok()) return replyStatus(res, counts.status());
        replyJson(res, 200, match::toJson(*counts));
      });

  server.Post("/api/v1/align", [&context](const httplib::Request& req, httplib::Response& res) {
    auto options = alignOptionsOf(req);
    if (!options.ok()) return replyStatus(res, options.status());
    auto loaded = catalog::parseJsonLines(req.body, "body", catalog::LoadOptions{});
    if (!loaded.ok()) return replyError(res, 400, "bad_request", loaded.status().message());
    if (loaded->changes.size() > kMaxAlignResources) {
      return replyError(res, 413, errorCodeOf(413),
                        fmt::format("at most {} records per request", kMaxAlignResources));
    }
    auto aligner = context.matching.aligner();
    if (!aligner.ok()) return replyStatus(res, aligner.status());
    nlohmann::json answers = nlohmann::json::array();
    size_t other_kinds = 0;
    for (const catalog::Change& change : loaded->changes) {
      if (change.kind != catalog::Kind::LEARNING_RESOURCE || change.op != feed::Op::UPSERT) {
        ++other_kinds;
        continue;
      }
      auto reader = catalog::RecordReader::open(change.body);
      if (!reader.ok()) return replyStatus(res, reader.status());
      auto input = match::alignInputFromRecord((*reader)->root());
      if (!input.ok()) return replyStatus(res, input.status().withContext(change.id));
      auto answer = (*aligner)->align(*input, *options);
      if (!answer.ok()) return replyStatus(res, answer.status());
      answers.push_back(match::toJson(*answer));
    }
    replyJson(res, 200, {{"resources", answers}, {"other_records", other_kinds}});
  });
}

}  // namespace eichub::http
