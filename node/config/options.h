// Options: the node's configuration, parsed once from config.toml, validated in one place and
// immutable afterwards (leveldb Options, redis.conf).
#pragma once

#include <cstdint>
#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

#include "federation/common/result.h"
#include "node/config/limits.h"

namespace eichub::config {

struct Options {
  // [node]
  std::string name;                  // human name of the cluster, e.g. "Leeds Health Cluster"
  std::string region;                // NUTS code, e.g. "UKE42"
  std::vector<std::string> sectors;  // e.g. ["healthcare"]
  std::string contact;               // e-mail or URL of the operator
  std::string network = "eichub";    // network id: updates of other networks are refused
  // [federation]
  std::string listen = "tcp://127.0.0.1:7401";  // peer endpoint (ZeroMQ ROUTER)
  // [http]
  std::string http_listen = "127.0.0.1:7481";  // dashboard and API address
  std::string http_api_token;                  // bearer token of the write API; "" = no writes
  // Host header values the HTTP server answers to (DNS rebinding); empty: the listen address
  // and localhost, 127.0.0.1 and [::1], each with the listen port.
  std::vector<std::string> http_allowed_hosts;
  // [store]
  uint64_t store_initial_map_mb = 256;      // LMDB map size at open; grows by doubling
  uint64_t store_max_map_mb = 1024 * 1024;  // the map never grows past this
  // [subscribe] which bodies this node keeps (selective sync); empty lists keep everything
  std::vector<std::string> subscribe_kinds;    // record kinds, e.g. ["LearningResource"]
  std::vector<std::string> subscribe_sectors;  // e.g. ["healthcare"]
  std::vector<std::string> subscribe_regions;  // NUTS code prefixes, e.g. ["UKE", "DE5"]
  std::vector<std::string> subscribe_skills;   // ESCO skill uris; their subtrees count too
  // [limits] and its sub-tables: every tunable bound (node/config/limits.h, docs/limits.md)
  Limits limits;
  // [log]
  std::string log_level = "info";  // trace | debug | info | warn | error
};

// Parses and validates config.toml text. Errors: InvalidArgument naming the key at fault.
Result<Options> parseOptions(std::string_view toml_text, std::string_view source_name);
// Reads a variable of the environment; nullptr when unset. Injected so tests need not touch
// the process environment.
using EnvFn = std::function<const char*(const char*)>;
inline const char* processEnv(const char* name) { return std::getenv(name); }

// Overrides options from EICHUB_* variables: EICHUB_NODE_NAME, EICHUB_NODE_CONTACT,
// EICHUB_FEDERATION_LISTEN, EICHUB_HTTP_LISTEN, EICHUB_HTTP_API_TOKEN, EICHUB_LOG_LEVEL,
// EICHUB_STORE_INITIAL_MAP_MB, EICHUB_STORE_MAX_MAP_MB. Precedence: command-line flag, then
// environment, then config.toml, then the default. Errors: InvalidArgument naming the variable.
Status applyEnvironment(Options& options, const EnvFn& env);
// Reads and parses a config file, then applies the environment. Errors: NotFound, IOError,
// InvalidArgument.
Result<Options> loadOptions(const std::string& path, const EnvFn& env = processEnv);
// A commented config.toml holding options (redis.conf style: meaning, unit, default, risk).
std::string renderOptions(const Options& options);

}  // namespace eichub::config
