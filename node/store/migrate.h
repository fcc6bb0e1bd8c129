// Store schema migration: upgrades a store written by an older build to this build's layout,
// after a backup (`eichub migrate`).
#pragma once

#include <string>

#include "federation/common/result.h"

namespace eichub::store {

// What migrateStore did.
struct MigrateOutcome {
  std::string from_version;
  std::string to_version;
  std::string backup_path;  // empty when nothing needed doing
};

// The schema version this build writes (see node/store/internal/store_impl.h).
std::string currentSchemaVersion();

// Upgrades the store in dir to currentSchemaVersion(). Before changing any data it writes a
// compacted copy of the store to backup_path (which must not exist). A store already at the
// current version is left alone. No other process may use the store meanwhile (the caller
// checks that no daemon runs). Steps: 2 -> 3 adds the changes table, filled from the headers
// held in feed order. Errors: Corruption (a version this build cannot upgrade), AlreadyExists
// (backup_path), IOError.
Result<MigrateOutcome> migrateStore(const std::string& dir, const std::string& backup_path);

}  // namespace eichub::store
