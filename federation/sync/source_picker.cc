#include "federation/sync/source_picker.h"

namespace eichub::sync {

void SourcePicker::avoid(const PublicKey& author, LinkId link, int64_t now_ms) {
  std::erase_if(until_, [now_ms](const auto& entry) { return entry.second <= now_ms; });
  until_[{author, link}] = now_ms + avoid_ms_;
}

bool SourcePicker::avoided(const PublicKey& author, LinkId link, int64_t now_ms) const {
  auto it = until_.find({author, link});
  return it != until_.end() && it->second > now_ms;
}

void SourcePicker::linkDown(LinkId link) {
  std::erase_if(until_, [link](const auto& entry) { return entry.first.second == link; });
}

}  // namespace eichub::sync
