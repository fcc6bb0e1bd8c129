// Resumption tokens of the OAI-PMH provider. A harvest's fixed part (the selection and each
// feed's head at its first request) stays in this process; the token names it and carries the
// position in the change feed and the cursor, authenticated by an HMAC under a key drawn when
// the process starts. A token expires kTokenLifetimeSeconds after its harvest began, or when
// the daemon restarts, or when kMaxHarvests newer harvests have begun.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "federation/common/mutex.h"
#include "node/http/oai/oai_items.h"

namespace eichub::http::oai {

inline constexpr int64_t kTokenLifetimeSeconds = 3600;
inline constexpr size_t kMaxHarvests = 256;  // harvests in progress remembered at once

struct Harvest {
  std::string verb;  // ListRecords or ListIdentifiers
  Selection selection;
  Heads heads;
  uint64_t complete = 0;  // completeListSize
  int64_t expires = 0;    // seconds since the epoch
};

struct Position {
  uint64_t harvest = 0;  // the harvest's id
  uint64_t after = 0;    // the change number after which the next page starts
  uint64_t cursor = 0;   // items already sent
};

class HarvestBook {
 public:
  HarvestBook();
  // Remembers a harvest (forgetting the oldest beyond kMaxHarvests); returns its id.
  uint64_t begin(Harvest harvest);
  std::string token(const Position& position) const;
  // The harvest and position a token names, or nullopt when it is malformed, forged, unknown
  // or expired at now (seconds since the epoch).
  std::optional<std::pair<Harvest, Position>> resume(const std::string& token, int64_t now);

 private:
  std::string mac(const std::string& text) const;
  std::string key_;
  Mutex mutex_;
  uint64_t next_id_ EICHUB_GUARDED_BY(mutex_) = 1;
  std::map<uint64_t, Harvest> harvests_ EICHUB_GUARDED_BY(mutex_);
};

}  // namespace eichub::http::oai
