// SourcePicker (docs/reliability.md cases 14, 29, 35): which peers a feed is not pulled from for a
// while. A source that made no progress within the want timeout (it trickles, never finishes a
// batch, or withholds) or that sent a run we refused is avoided for that feed while another
// peer announces the same data; with no other source it is still used. Late answers from an
// avoided source are dropped without blame: they answer wants we withdrew.
#pragma once

#include <cstdint>
#include <map>
#include <utility>

#include "federation/common/bytes.h"

namespace eichub::sync {

using LinkId = uint64_t;

class SourcePicker {
 public:
  explicit SourcePicker(int64_t avoid_ms) : avoid_ms_(avoid_ms) {}
  void avoid(const PublicKey& author, LinkId link, int64_t now_ms);
  bool avoided(const PublicKey& author, LinkId link, int64_t now_ms) const;
  void linkDown(LinkId link);
  uint64_t switches() const { return switches_; }
  void switched() { ++switches_; }

 private:
  int64_t avoid_ms_;
  std::map<std::pair<PublicKey, LinkId>, int64_t> until_;
  uint64_t switches_ = 0;
};

}  // namespace eichub::sync
