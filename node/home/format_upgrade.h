// The upgrades of `eichub migrate`. A home written before feed format 2: its node's records are
// re-signed into a format-2 feed in a new store; other authors' feeds are dropped, to be fetched
// again from upgraded peers. A home of store schema 4 or 5 (format 2): its store is copied into
// the current schema, every feed kept.
#pragma once

#include <cstdint>
#include <string>

#include "federation/common/result.h"
#include "node/store/migrate.h"

namespace eichub::home {

// What upgradeFormatOneHome did.
struct FormatUpgrade {
  std::string from_schema;            // the old store's schema version (2 or 3)
  std::string backup_path;            // a compacted copy of the old store, written first
  uint64_t own_updates_before = 0;    // the old feed's length
  uint64_t records_resigned = 0;      // live records now in the format-2 feed (same ids, content)
  uint64_t records_without_body = 0;  // live records held without a body: not carried over
  uint64_t other_feeds_dropped = 0;
  uint64_t other_updates_dropped = 0;
};

// Upgrades the home at dir, whose store is of feed format 1 (store::isFormatOneStore), to feed
// format 2: writes backup_path (a compacted copy of the old store; must not exist), re-signs
// every live record of the node's own feed, in the order of their current versions, into a new
// store (same ids, kinds, tags and bodies; signed at the upgrade's time), then swaps it in place
// of the old one, which is removed once the new one is in place. Deleted and erased records are
// not carried over (their content is gone either way). The caller makes sure no daemon runs.
// Errors: NotFound (no home at dir), Corruption (not a format-1 store, or a stored record that
// does not match its header), AlreadyExists (backup_path), IOError.
Result<FormatUpgrade> upgradeFormatOneHome(const std::string& dir, const std::string& backup_path);

// Upgrades the home at dir, whose store is of schema 4 or 5 (store::copiedSchemaVersion), to
// the current schema: writes backup_path first, copies the store into a new one beside it
// (store::copyIntoCurrentSchema: same feeds, records, digest and change numbers) and swaps it
// in. A failure before the swap leaves the home as it was. The caller makes sure no daemon runs.
// Errors: NotFound (no home at dir), Corruption, AlreadyExists (backup_path), IOError.
Result<store::SchemaCopy> upgradeStoreSchemaHome(const std::string& dir,
                                                 const std::string& backup_path);

}  // namespace eichub::home
