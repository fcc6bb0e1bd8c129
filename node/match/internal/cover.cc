// Greedy weighted set cover over ranked match candidates.
#include "node/match/internal/cover.h"

namespace eichub::match::internal {

bool rankedBefore(const Candidate& a, const Candidate& b) {
  if (a.score != b.score) return a.score > b.score;
  return a.resource < b.resource;
}

std::vector<CoverStep> greedyCover(const std::vector<Candidate>& ranked,
                                   const std::vector<double>& weights, size_t max_picks,
                                   std::vector<bool>& covered) {
  covered.assign(weights.size(), false);
  std::vector<CoverStep> picks;
  while (picks.size() < max_picks) {
    const Candidate* best = nullptr;
    double best_gain = 0;
    for (const Candidate& c : ranked) {
      double gain = 0;
      for (uint32_t need : c.covers) {
        if (!covered[need]) gain += weights[need];
      }
      if (gain > best_gain) {  // strictly: ties stay with the better ranked
        best_gain = gain;
        best = &c;
      }
    }
    if (best == nullptr) break;
    CoverStep step{best->resource, {}};
    for (uint32_t need : best->covers) {
      if (!covered[need]) {
        covered[need] = true;
        step.covers.push_back(need);
      }
    }
    picks.push_back(std::move(step));
  }
  return picks;
}

}  // namespace eichub::match::internal
