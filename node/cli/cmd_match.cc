// match (ranked offers for a need) and gaps (needed skills with few offers) over the catalogue
// of every feed the node holds.
#include <map>
#include <memory>

#include <fmt/format.h>

#include "node/catalog/change.h"
#include "node/catalog/record_json.h"
#include "node/cli/commands.h"
#include "node/cli/context.h"
#include "node/import/esco_importer.h"
#include "node/match/gaps.h"
#include "node/match/match_json.h"
#include "node/match/matcher.h"
#include "node/match/need_query.h"

namespace eichub::cli {

namespace {

struct MatchFlags {
  CommonFlags common;
  std::string need;
  std::vector<std::string> skills;
  std::string occupation;
  std::string lang;
  std::string mode;
  std::string region;
  int min_eqf = 0;
  int max_eqf = 0;
  double max_price = -1;  // < 0: not given
  std::string currency;
  std::string valid_on;
  size_t limit = match::kDefaultResults;
  size_t cover = match::kDefaultCoverSize;
};

struct GapFlags {
  CommonFlags common;
  std::string region;
  std::string sector;
  uint32_t max_offers = match::kDefaultFewOffers;
  size_t limit = match::kDefaultGapEntries;
  bool csv = false;
};

Status filtersFromFlags(const MatchFlags& flags, match::MatchFilters& filters) {
  filters.lang = flags.lang;
  if (!flags.mode.empty()) {
    filters.mode = match::parseMode(flags.mode);
    if (!filters.mode) return Status::InvalidArgument("--mode: use online, onsite or blended");
  }
  filters.region = flags.region;
  for (auto [name, level] :
       {std::pair{"--min-eqf", flags.min_eqf}, std::pair{"--max-eqf", flags.max_eqf}}) {
    if (level < 0 || level > 8) {
      return Status::InvalidArgument(fmt::format("{}: EQF levels are 1..8, got {}", name, level));
    }
  }
  filters.min_eqf = static_cast<uint8_t>(flags.min_eqf);
  filters.max_eqf = static_cast<uint8_t>(flags.max_eqf);
  if (flags.max_price >= 0) {
    if (flags.max_price > catalog::kMaxPriceAmount) {
      return Status::InvalidArgument(
          fmt::format("--max-price: at most {}", catalog::kMaxPriceAmount));
    }
    filters.max_price_cents = static_cast<uint64_t>(flags.max_price * 100 + 0.5);
  } else if (flags.max_price != -1) {
    return Status::InvalidArgument("--max-price: a price is 0 or more");
  }
  filters.currency = flags.currency;
  filters.valid_on = flags.valid_on;
  return match::validateFilters(filters);
}

void printMatchText(const match::MatchAnswer& answer) {
  fmt::print("need: {} skills", answer.need.size());
  if (!answer.occupation.empty()) fmt::print(" of occupation {}", answer.occupation);
  fmt::print("; {} resources earn credit\n", answer.candidates);
  for (const std::string& uri : answer.unknown_skills) fmt::print("unknown skill: {}\n", uri);
  std::map<std::string, std::string> need_labels;
  for (const match::NeedSkill& n : answer.need)
    need_labels[n.uri] = n.label.empty() ? n.uri : n.label;
  for (const match::RankedOffer& o : answer.offers) {
    fmt::print("{:.3f}  {}  {}  (by {})\n", o.score, o.key.id, o.title,
               toHex(o.key.author).substr(0, 12));
    for (const match::MatchReason& r : o.reasons) {
      if (r.via == match::Via::kExact) {
        fmt::print("        {:.3f} teaches {}\n", r.credit, need_labels[r.need_skill]);
      } else {
        fmt::print("        {:.3f} teaches {} ({} of {})\n", r.credit,
                   r.taught_label.empty() ? r.taught_skill : r.taught_label, match::viaName(r.via),
                   need_labels[r.need_skill]);
      }
    }
  }
  if (!answer.cover.empty()) fmt::print("cover set:\n");
  for (const match::CoverPick& p : answer.cover) {
    fmt::print("  {}  {}  covers {}\n", p.key.id, p.title, p.covers.size());
  }
  for (const std::string& uri : answer.uncovered) fmt::print("uncovered: {}\n", uri);
  fmt::print("{}\n", import::kEscoAttribution);
}

int runMatch(const MatchFlags& flags) {
  match::MatchQuery query;
  if (!flags.need.empty() && (!flags.skills.empty() || !flags.occupation.empty())) {
    return fail("give --need, or --skills and/or --occupation, not both");
  }
  query.skills = flags.skills;
  query.occupation = flags.occupation;
  query.limit = flags.limit;
  query.cover_size = flags.cover;
  if (Status s = filtersFromFlags(flags, query.filters); !s.ok()) return fail(s);
  auto home = openHome(flags.common, true);
  if (!home) return kExitFailure;
  if (!flags.need.empty()) {
    if (Status s = match::addNeedToQuery(home->store(), flags.need, query); !s.ok()) return fail(s);
  }
  auto index = match::MatchIndex::build(home->store());
  if (!index.ok()) return fail(index.status());
  auto answer = match::match(**index, query);
  if (!answer.ok()) return fail(answer.status());
  if (!answer->note.empty()) fmt::print(stderr, "{}\n", answer->note);
  if (flags.common.json) {
    nlohmann::json doc = match::toJson(*answer);
    doc["attribution"] = import::kEscoAttribution;
    printJson(doc);
  } else {
    printMatchText(*answer);
  }
  return kExitOk;
}

int runGaps(const GapFlags& flags) {
  if (flags.csv && flags.common.json) return fail("give --csv or --json, not both");
  auto home = openHome(flags.common, true);
  if (!home) return kExitFailure;
  auto index = match::MatchIndex::build(home->store());
  if (!index.ok()) return fail(index.status());
  match::GapQuery query{flags.region, flags.sector, flags.max_offers, flags.limit};
  auto report = match::gaps(**index, query);
  if (!report.ok()) return fail(report.status());
  if (!report->note.empty()) fmt::print(stderr, "{}\n", report->note);
  if (flags.csv) {
    fmt::print("{}", match::gapsToCsv(*report));
  } else if (flags.common.json) {
    nlohmann::json doc = match::toJson(*report);
    doc["attribution"] = import::kEscoAttribution;
    printJson(doc);
  } else {
    fmt::print("{} needs read, {} needed skills, {} with at most {} offers\n", report->needs_read,
               report->skills_needed, report->gaps.size(), flags.max_offers);
    for (const match::GapEntry& g : report->gaps) {
      fmt::print("{:<6} {:<14} offers {:>4} (in region {:>4})  demand {:>6}  {}\n", g.region,
                 g.sector, g.offers, g.offers_in_region, g.demand,
                 g.label.empty() ? g.skill : g.label);
    }
    fmt::print("{}\n", import::kEscoAttribution);
  }
  return kExitOk;
}

}  // namespace

void addMatchCommands(CLI::App& app, int& exit_code) {
  // The flags are shared by the option bindings and the callbacks, and live as long as the app.
  auto mf = std::make_shared<MatchFlags>();
  CLI::App* m = app.add_subcommand("match", "Learning offers from every feed held for a need");
  addHomeFlag(*m, mf->common);
  addJsonFlag(*m, mf->common);
  m->add_option("--need", mf->need, "Id of a SkillNeed record");
  m->add_option("--skills", mf->skills, "Skill uris, comma-separated")->delimiter(',');
  m->add_option("--occupation", mf->occupation, "Occupation uri: its essential/optional skills");
  m->add_option("--lang", mf->lang, "Only resources taught in this language");
  m->add_option("--mode", mf->mode, "online, onsite or blended");
  m->add_option("--region", mf->region, "NUTS code: resources in, above or below it");
  m->add_option("--min-eqf", mf->min_eqf, "Lowest EQF level (1..8)");
  m->add_option("--max-eqf", mf->max_eqf, "Highest EQF level (1..8)");
  m->add_option("--max-price", mf->max_price, "Highest price (free resources always pass)");
  m->add_option("--currency", mf->currency, "Currency of --max-price, e.g. EUR");
  m->add_option("--valid-on", mf->valid_on, "Only resources valid on this day (YYYY-MM-DD)");
  m->add_option("--limit", mf->limit, "Most offers to show (1..1000, default 20)");
  m->add_option("--cover", mf->cover, "Largest cover set (1..100, default 10)");
  m->callback([mf, &exit_code] { exit_code = runMatch(*mf); });

  auto gf = std::make_shared<GapFlags>();
  CLI::App* g = app.add_subcommand("gaps", "Needed skills with no or few offers");
  addHomeFlag(*g, gf->common);
  addJsonFlag(*g, gf->common);
  g->add_option("--region", gf->region, "NUTS code: needs in, above or below it");
  g->add_option("--sector", gf->sector, "Only needs of this sector");
  g->add_option("--max-offers", gf->max_offers, "List skills with at most this many offers (3)");
  g->add_option("--limit", gf->limit, "Most rows (1..100000, default 1000)");
  g->add_flag("--csv", gf->csv, "Print CSV");
  g->callback([gf, &exit_code] { exit_code = runGaps(*gf); });
}

}  // namespace eichub::cli
