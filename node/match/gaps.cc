// Gaps: demand per (region, sector, skill) from SkillNeed records, offers from the index.
#include "node/match/gaps.h"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>
#include <unordered_map>

#include <fmt/core.h>

#include "node/match/filters.h"
#include "node/match/matcher.h"

namespace eichub::match {
namespace {

// Resources teaching skill or a skill one level narrower (credit >= kCoverCredit).
std::vector<ResourceId> coveringResources(const MatchIndex& index, SkillId skill) {
  static_assert(kNarrowerCredit >= kCoverCredit, "one level narrower covers");
  std::vector<ResourceId> out = index.teaching(skill);
  const auto& narrower = index.graph().node(skill).narrower;
  if (narrower.empty()) return out;
  for (SkillId child : narrower) {
    const auto& more = index.teaching(child);
    out.insert(out.end(), more.begin(), more.end());
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::string csvField(const std::string& text) {
  if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
  std::string out = "\"";
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

}  // namespace

Result<GapReport> gaps(const MatchIndex& index, const GapQuery& query) {
  if (!query.region.empty()) {
    MatchFilters probe;
    probe.region = query.region;
    EICHUB_RETURN_IF_ERROR(validateFilters(probe));
  }
  if (query.limit == 0 || query.limit > kMaxGapEntries) {
    return Status::InvalidArgument(fmt::format("limit must be 1..{}", kMaxGapEntries));
  }
  GapReport report;
  // (region, sector, skill) -> entry; std::map keeps the grouping order deterministic.
  std::map<std::tuple<std::string, std::string, SkillId>, GapEntry> rows;
  std::set<std::string> unknown_occupations;
  for (const NeedEntry& need : index.needs()) {
    if (!query.region.empty() && !regionsOverlap(query.region, need.region)) continue;
    if (!query.sector.empty() && query.sector != need.sector) continue;
    ++report.needs_read;
    std::vector<SkillId> skills = need.skills;
    if (!need.occupation.empty()) {
      const OccupationEntry* occupation = index.occupation(need.occupation);
      if (occupation == nullptr) {
        unknown_occupations.insert(need.occupation);
      } else {
        for (const OccupationSkill& s : occupation->skills) {
          if (s.essential) skills.push_back(s.skill);
        }
      }
    }
    std::sort(skills.begin(), skills.end());
    skills.erase(std::unique(skills.begin(), skills.end()), skills.end());
    uint64_t headcount = std::max<uint64_t>(need.headcount, 1);
    for (SkillId skill : skills) {
      GapEntry& row = rows[{need.region, need.sector, skill}];
      row.demand += headcount;
      ++row.needs;
    }
  }
  report.unknown_occupations.assign(unknown_occupations.begin(), unknown_occupations.end());
  report.skills_needed = rows.size();

  std::unordered_map<SkillId, std::vector<ResourceId>> covering;
  for (auto& [key, row] : rows) {
    const auto& [region, sector, skill] = key;
    auto it = covering.find(skill);
    if (it == covering.end()) it = covering.emplace(skill, coveringResources(index, skill)).first;
    row.offers = static_cast<uint32_t>(it->second.size());
    if (row.offers > query.max_offers) continue;
    for (ResourceId r : it->second) {
      if (regionsOverlap(region, index.resources()[r].region)) ++row.offers_in_region;
    }
    const SkillNode& node = index.graph().node(skill);
    row.region = region;
    row.sector = sector;
    row.skill = node.uri;
    row.label = node.label;
    report.gaps.push_back(row);
  }
  std::stable_sort(report.gaps.begin(), report.gaps.end(),
                   [](const GapEntry& a, const GapEntry& b) {
                     return std::tie(a.region, a.sector, a.offers, b.demand, a.skill) <
                            std::tie(b.region, b.sector, b.offers, a.demand, b.skill);
                   });
  if (report.gaps.size() > query.limit) {
    report.gaps.resize(query.limit);
    report.truncated = true;
  }
  if (report.gaps.empty()) {
    report.note = report.needs_read == 0
                      ? "no SkillNeed record in this region and sector"
                      : fmt::format("every needed skill has more than {} offers", query.max_offers);
  }
  return report;
}

std::string gapsToCsv(const GapReport& report) {
  std::string out = "region,sector,skill,label,demand,needs,offers,offers_in_region\n";
  for (const GapEntry& g : report.gaps) {
    out += fmt::format("{},{},{},{},{},{},{},{}\n", csvField(g.region), csvField(g.sector),
                       csvField(g.skill), csvField(g.label), g.demand, g.needs, g.offers,
                       g.offers_in_region);
  }
  return out;
}

}  // namespace eichub::match
