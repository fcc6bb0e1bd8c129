// Parsing, validation and commented rendering of config.toml.
#include "node/config/options.h"

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include <fmt/format.h>
#include <sys/stat.h>
#include <toml++/toml.h>

#include "federation/common/utf8.h"
#include "federation/feed/update.h"
#include "node/catalog/record_json.h"
#include "node/config/limits.h"

namespace eichub::config {

namespace {

constexpr size_t kMaxConfigBytes = 1 << 20;  // a config file is a page of text
constexpr size_t kMaxNameBytes = 200;
constexpr size_t kMinApiTokenBytes = 16;  // guessing must stay out of reach
constexpr size_t kMaxHostBytes = 255;     // a DNS name, then ":port"

// Quotes a string for TOML.
std::string tomlQuoted(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      default:
        // TOML strings hold no raw control characters (U+0000-U+001F, U+007F).
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
          out += fmt::format("\\u{:04X}", static_cast<unsigned char>(c));
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

template <typename T>
Status readValue(const toml::table& table, std::string_view section, std::string_view key, T& out) {
  const toml::node* node = table.at_path(fmt::format("{}.{}", section, key)).node();
  if (node == nullptr) return Status::OK();  // keep the default
  if constexpr (std::is_same_v<T, std::string>) {
    if (!node->is_string()) {
      return Status::InvalidArgument(fmt::format("{}.{} must be a string", section, key));
    }
    out = node->as_string()->get();
  } else if constexpr (std::is_same_v<T, uint64_t>) {
    if (!node->is_integer() || node->as_integer()->get() < 0) {
      return Status::InvalidArgument(
          fmt::format("{}.{} must be a non-negative integer", section, key));
    }
    out = static_cast<uint64_t>(node->as_integer()->get());
  } else {
    const toml::array* array = node->as_array();
    if (array == nullptr) {
      return Status::InvalidArgument(fmt::format("{}.{} must be a list of strings", section, key));
    }
    out.clear();
    for (const toml::node& item : *array) {
      if (!item.is_string()) {
        return Status::InvalidArgument(
            fmt::format("{}.{} must be a list of strings", section, key));
      }
      out.push_back(item.as_string()->get());
    }
  }
  return Status::OK();
}

std::string_view typeName(const toml::node& node) {
  if (node.is_string()) return "a string";
  if (node.is_floating_point()) return "a float";
  if (node.is_boolean()) return "a boolean";
  if (node.is_array()) return "a list";
  if (node.is_table()) return "a table";
  return "a date or time";
}

Status unknownLimit(std::string_view name) {
  return Status::InvalidArgument(
      fmt::format("limits.{} is not a known limit (see docs/limits.md)", name));
}

// Reads [limits] and its sub-tables: every key must be one of the table's (a typo must not
// pass silently), an integer within its range.
Status readLimits(const toml::table& root, Limits& out) {
  const toml::node* node = root.get("limits");
  if (node == nullptr) return Status::OK();
  const toml::table* limits = node->as_table();
  if (limits == nullptr) return Status::InvalidArgument("limits must be a table");
  auto known = [](std::string_view name) {
    return std::any_of(limitSpecs().begin(), limitSpecs().end(),
                       [name](const LimitSpec& spec) { return spec.key == name; });
  };
  const auto tables = limitTables();
  for (const auto& [key, value] : *limits) {
    if (std::find(tables.begin(), tables.end(), key.str()) == tables.end()) {
      if (value.is_table()) {
        return Status::InvalidArgument(
            fmt::format("limits.{} is not a table of limits (sync, transport, http)", key.str()));
      }
      if (!known(key.str())) return unknownLimit(key.str());
      continue;
    }
    if (!value.is_table()) {
      return Status::InvalidArgument(fmt::format("limits.{} must be a table", key.str()));
    }
    for (const auto& entry : *value.as_table()) {
      const std::string name = fmt::format("{}.{}", key.str(), entry.first.str());
      if (!known(name)) return unknownLimit(name);
    }
  }
  for (const LimitSpec& spec : limitSpecs()) {
    const toml::node* value = limits->at_path(spec.key).node();
    if (value == nullptr) continue;
    if (!value->is_integer()) {
      return Status::InvalidArgument(fmt::format("{} must be an integer ({}), not {}",
                                                 fullLimitKey(spec), spec.unit, typeName(*value)));
    }
    EICHUB_RETURN_IF_ERROR(setLimit(out, spec, value->as_integer()->get()));
  }
  return checkLimits(out);
}

Status validate(const Options& o) {
  if (o.name.empty() || o.name.size() > kMaxNameBytes || !isValidUtf8(o.name)) {
    return Status::InvalidArgument("node.name must be 1 to 200 bytes of UTF-8");
  }
  if (o.network.empty() || o.network.size() > feed::kMaxNetworkBytes) {
    return Status::InvalidArgument("node.network must be 1 to 64 bytes");
  }
  if (o.listen.rfind("tcp://", 0) != 0 && o.listen.rfind("ipc://", 0) != 0) {
    return Status::InvalidArgument("federation.listen must be a tcp:// or ipc:// endpoint");
  }
  if (o.http_listen.find(':') == std::string::npos) {
    return Status::InvalidArgument("http.listen must be host:port");
  }
  if (!o.http_api_token.empty() && o.http_api_token.size() < kMinApiTokenBytes) {
    return Status::InvalidArgument("http.api_token must be empty (no writes) or at least 16 bytes");
  }
  for (const std::string& host : o.http_allowed_hosts) {
    const bool printable = std::all_of(host.begin(), host.end(), [](char c) {
      return static_cast<unsigned char>(c) > 0x20 && c != 0x7f && c != '/';
    });
    if (host.empty() || host.size() > kMaxHostBytes || !printable) {
      return Status::InvalidArgument("http.allowed_hosts: \"" + host +
                                     "\" must be a Host header value, e.g. \"node.example:7481\"");
    }
  }
  if (o.store_initial_map_mb == 0 || o.store_max_map_mb < o.store_initial_map_mb) {
    return Status::InvalidArgument(
        "store.initial_map_mb must be > 0 and no larger than store.max_map_mb");
  }
  for (const std::string& kind : o.subscribe_kinds) {
    auto parsed = catalog::kindFromName(kind);
    if (!parsed || *parsed == catalog::Kind::TRUST) {
      return Status::InvalidArgument("subscribe.kinds: unknown kind \"" + kind + "\" (use " +
                                     std::string(catalog::catalogueKindNames()) + ")");
    }
  }
  for (const auto* list : {&o.subscribe_sectors, &o.subscribe_regions, &o.subscribe_skills}) {
    for (const std::string& value : *list) {
      // A tag is "<prefix>:<value>" of at most kMaxTagBytes; "sector:" is the longest prefix.
      if (value.empty() || value.size() > feed::kMaxTagBytes - 7 || !isValidUtf8(value)) {
        return Status::InvalidArgument("subscribe: \"" + value +
                                       "\" must be 1 to 249 bytes of UTF-8");
      }
    }
  }
  static constexpr std::string_view kLevels[] = {"trace", "debug", "info", "warn", "error"};
  if (std::find(std::begin(kLevels), std::end(kLevels), o.log_level) == std::end(kLevels)) {
    return Status::InvalidArgument("log.level must be trace, debug, info, warn or error");
  }
  return Status::OK();
}

}  // namespace

Result<Options> parseOptions(std::string_view toml_text, std::string_view source_name) {
  if (toml_text.size() > kMaxConfigBytes) return Status::InvalidArgument("config file too large");
  toml::table table;
  try {
    table = toml::parse(toml_text, source_name);
  } catch (const toml::parse_error& e) {
    const auto& where = e.source().begin;
    return Status::InvalidArgument(
        fmt::format("{} line {}: {}", source_name, where.line, e.description()));
  }
  Options o;
  EICHUB_RETURN_IF_ERROR(readValue(table, "node", "name", o.name));
  EICHUB_RETURN_IF_ERROR(readValue(table, "node", "region", o.region));
  EICHUB_RETURN_IF_ERROR(readValue(table, "node", "sectors", o.sectors));
  EICHUB_RETURN_IF_ERROR(readValue(table, "node", "contact", o.contact));
  EICHUB_RETURN_IF_ERROR(readValue(table, "node", "network", o.network));
  EICHUB_RETURN_IF_ERROR(readValue(table, "federation", "listen", o.listen));
  EICHUB_RETURN_IF_ERROR(readValue(table, "http", "listen", o.http_listen));
  EICHUB_RETURN_IF_ERROR(readValue(table, "http", "api_token", o.http_api_token));
  EICHUB_RETURN_IF_ERROR(readValue(table, "http", "allowed_hosts", o.http_allowed_hosts));
  EICHUB_RETURN_IF_ERROR(readValue(table, "store", "initial_map_mb", o.store_initial_map_mb));
  EICHUB_RETURN_IF_ERROR(readValue(table, "store", "max_map_mb", o.store_max_map_mb));
  EICHUB_RETURN_IF_ERROR(readValue(table, "subscribe", "kinds", o.subscribe_kinds));
  EICHUB_RETURN_IF_ERROR(readValue(table, "subscribe", "sectors", o.subscribe_sectors));
  EICHUB_RETURN_IF_ERROR(readValue(table, "subscribe", "regions", o.subscribe_regions));
  EICHUB_RETURN_IF_ERROR(readValue(table, "subscribe", "skills", o.subscribe_skills));
  EICHUB_RETURN_IF_ERROR(readLimits(table, o.limits));
  EICHUB_RETURN_IF_ERROR(readValue(table, "log", "level", o.log_level));
  Status valid = validate(o);
  if (!valid.ok()) return valid.withContext(source_name);
  return o;
}

Status applyEnvironment(Options& o, const EnvFn& env) {
  struct TextKey {
    const char* name;
    std::string* value;
  };
  const TextKey texts[] = {{"EICHUB_NODE_NAME", &o.name},
                           {"EICHUB_NODE_CONTACT", &o.contact},
                           {"EICHUB_FEDERATION_LISTEN", &o.listen},
                           {"EICHUB_HTTP_LISTEN", &o.http_listen},
                           {"EICHUB_HTTP_API_TOKEN", &o.http_api_token},
                           {"EICHUB_LOG_LEVEL", &o.log_level}};
  for (const TextKey& key : texts) {
    if (const char* value = env(key.name)) *key.value = value;
  }
  struct NumberKey {
    const char* name;
    uint64_t* value;
  };
  const NumberKey numbers[] = {{"EICHUB_STORE_INITIAL_MAP_MB", &o.store_initial_map_mb},
                               {"EICHUB_STORE_MAX_MAP_MB", &o.store_max_map_mb}};
  for (const NumberKey& key : numbers) {
    const char* value = env(key.name);
    if (value == nullptr) continue;
    std::string_view text(value);
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), *key.value);
    if (text.empty() || ec != std::errc() || end != text.data() + text.size()) {
      return Status::InvalidArgument(fmt::format("{} must be a non-negative integer", key.name));
    }
  }
  return validate(o).withContext("environment");
}

Result<Options> loadOptions(const std::string& path, const EnvFn& env) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound("no config file", path);
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return Status::IOError("cannot read", path);
  EICHUB_ASSIGN_OR_RETURN(Options options, parseOptions(text.str(), path));
  // The token lets anyone who reads it publish as this node: a file holding one is the owner's.
  struct stat info {};
  if (!options.http_api_token.empty() && ::stat(path.c_str(), &info) == 0 &&
      (info.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
    return Status::PermissionDenied(
        path + " holds http.api_token and is readable by group or others", "chmod 600 " + path);
  }
  EICHUB_RETURN_IF_ERROR(applyEnvironment(options, env));
  return options;
}

namespace {

std::string quotedList(const std::vector<std::string>& values) {
  std::string out;
  for (const std::string& v : values) out += (out.empty() ? "" : ", ") + tomlQuoted(v);
  return out;
}

}  // namespace

std::string renderOptions(const Options& o) {
  const std::string sectors = quotedList(o.sectors);
  return fmt::format(R"(# eichub node configuration.
# Written by `eichub init`; `eichub run --check-config` validates and prints the limits in
# force. SIGHUP applies [subscribe], log.level and http.api_token to a running daemon; other
# keys, [limits] among them, need a restart.
# Every key below shows its default when left out. See ops/eichub.example.toml for the full
# reference with risks.

############################## NODE ##############################
[node]
# Human name of this regional cluster, shown to peers and on the dashboard. 1-200 bytes.
name = {}
# NUTS code of the region this cluster serves, e.g. "UKE42". Tags what this node publishes.
region = {}
# Sectors of the cluster's industry, e.g. ["healthcare"].
sectors = [{}]
# Contact of the operator (e-mail or URL). Public: it is part of the cluster profile.
contact = {}
# Network id. Updates signed for another network are refused. Changing it after publishing
# orphans this node's feed: every peer must use the same value. Default "eichub".
network = {}

############################## FEDERATION ##############################
[federation]
# ZeroMQ endpoint peers connect to (CURVE-encrypted). Default "tcp://127.0.0.1:7401".
# Risk: binding 0.0.0.0 exposes the port; only configured peers' keys are admitted.
listen = {}

############################## HTTP ##############################
[http]
# Address of the dashboard and JSON API, host:port. Default "127.0.0.1:7481".
# Risk: a public address exposes reads to anyone; writes always need the API token.
listen = {}
# Bearer token for the write API (POST /api/v1/publish). Empty (the default) disables writes
# over HTTP. At least 16 characters. Risk: anyone holding it can publish in this node's name.
api_token = {}
# Host header values the server answers to; any other Host gets 421 (a web page that rebinds
# its own DNS name to this address cannot read the API). Empty (the default): the listen
# address, localhost, 127.0.0.1 and [::1], each with the listen port. List every name clients
# use, e.g. ["node.example:7481"], or ["node.example"] behind a reverse proxy on port 443.
allowed_hosts = [{}]

############################## STORE ##############################
[store]
# LMDB map size at open, in MiB. The map grows by doubling when full. Default 256.
initial_map_mb = {}
# The map never grows past this, in MiB; writes then fail with "store full". Default 1048576.
max_map_mb = {}

############################## SUBSCRIBE ##############################
[subscribe]
# Selective sync: which record bodies this node fetches and keeps. It always holds and verifies
# every header of every feed it accepts (and relays them); bodies outside the subscription are
# fetched only when asked for (`eichub get`). A record matches when every non-empty list below
# matches its header's tags; a record without a tag of a listed kind does not match that list.
# Empty lists (the default) keep every body. Risk: peers that subscribe to less cannot serve
# you the bodies they do not keep; keep at least one full node per federation.
# Record kinds: LearningResource, Skill, SkillGroup, Occupation, OccupationGroup, Provider,
# ClusterProfile, SkillNeed.
kinds = [{}]
# Sectors, as records tag them, e.g. ["healthcare"].
sectors = [{}]
# NUTS code prefixes: "UKE" covers "UKE42".
regions = [{}]
# ESCO skill uris; each covers its narrower skills (the subtree in the store's skill hierarchy).
skills = [{}]

############################## LIMITS ##############################
# Every bound an operator may tune, with its unit, default and allowed range; a commented key is
# at its default. docs/limits.md explains each; `eichub run --check-config` prints those in
# force. A change needs a restart (SIGHUP reports it as such). Unknown keys are refused.
{}
############################## LOG ##############################
[log]
# trace | debug | info | warn | error. Default "info". debug logs protocol detail.
level = {}
)",
                     tomlQuoted(o.name), tomlQuoted(o.region), sectors, tomlQuoted(o.contact),
                     tomlQuoted(o.network), tomlQuoted(o.listen), tomlQuoted(o.http_listen),
                     tomlQuoted(o.http_api_token), quotedList(o.http_allowed_hosts),
                     o.store_initial_map_mb, o.store_max_map_mb, quotedList(o.subscribe_kinds),
                     quotedList(o.subscribe_sectors), quotedList(o.subscribe_regions),
                     quotedList(o.subscribe_skills), renderLimits(o.limits),
                     tomlQuoted(o.log_level));
}

}  // namespace eichub::config
