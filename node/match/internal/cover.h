// The scored candidates of one match, their rank order, and the greedy set cover over them.
#pragma once

#include <cstdint>
#include <vector>

#include "node/match/match_index.h"

namespace eichub::match::internal {

struct Candidate {
  ResourceId resource = 0;
  double score = 0;
  std::vector<uint32_t> best;    // the query's best hit per need skill it earns credit for
  std::vector<uint32_t> covers;  // need skills it covers (credit >= kCoverCredit), ascending
};

// Rank order: higher score first, then record key order (ResourceId), the same on every node.
bool rankedBefore(const Candidate& a, const Candidate& b);

struct CoverStep {
  ResourceId resource = 0;
  std::vector<uint32_t> covers;  // need skills this pick covers that earlier picks did not
};

// Greedy weighted set cover: repeatedly picks the candidate covering the most uncovered need
// weight (ties to the first in ranked order), until nothing more can be covered or max_picks
// are made. ranked must be in rankedBefore order. covered (resized to weights.size()) says
// which need skills the picks cover.
std::vector<CoverStep> greedyCover(const std::vector<Candidate>& ranked,
                                   const std::vector<double>& weights, size_t max_picks,
                                   std::vector<bool>& covered);

}  // namespace eichub::match::internal
