// The fetch control command: text, one line, refs as hex author and decimal seq.
#include "node/daemon/fetch_command.h"

#include <cstdint>
#include <sstream>

namespace eichub::daemon {

std::string fetchCommand(const std::vector<wire::BodyRef>& refs) {
  std::string out = "fetch";
  for (const wire::BodyRef& ref : refs)
    out += " " + toHex(ref.author) + " " + std::to_string(ref.seq);
  return out;
}

Result<std::vector<wire::BodyRef>> parseFetchCommand(const std::string& command) {
  std::istringstream in(command);
  std::string word;
  in >> word;
  if (word != "fetch") return Status::InvalidArgument("not a fetch command");
  std::vector<wire::BodyRef> refs;
  std::string author;
  while (in >> author) {
    std::string seq_text;
    if (!(in >> seq_text)) return Status::InvalidArgument("fetch: author without a seq");
    auto parsed = fixedFromHex<kPublicKeyBytes>(author);
    if (!parsed) return Status::InvalidArgument("fetch: author is not 64 hex digits");
    uint64_t seq = 0;
    for (char c : seq_text) {
      const uint64_t digit = static_cast<uint64_t>(c - '0');
      if (c < '0' || c > '9' || seq > (UINT64_MAX - digit) / 10) {
        return Status::InvalidArgument("fetch: seq is not a number");
      }
      seq = seq * 10 + digit;
    }
    if (seq == 0) return Status::InvalidArgument("fetch: seq 0");
    refs.push_back({*parsed, seq});
    if (refs.size() > kMaxFetchRefsPerCommand)
      return Status::InvalidArgument("fetch: too many refs");
  }
  if (refs.empty()) return Status::InvalidArgument("fetch: no refs");
  return refs;
}

}  // namespace eichub::daemon
