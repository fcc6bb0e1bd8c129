// Query commands: get (records by id) and search (words over labels and titles).
#include <algorithm>
#include <chrono>
#include <memory>
#include <thread>

#include <fmt/core.h>

#include "node/catalog/change.h"
#include "node/catalog/record_json.h"
#include "node/cli/commands.h"
#include "node/cli/context.h"
#include "node/daemon/control.h"
#include "node/daemon/fetch_command.h"
#include "node/import/esco_importer.h"

namespace eichub::cli {

namespace {

struct QueryFlags {
  CommonFlags common;
  std::string id;
  std::string text;
  std::string kind;
  std::string lang;
  size_t limit = 10;
  int fetch_timeout_ms = 10'000;  // get: how long to wait for bodies fetched from peers
};

// How often get looks at the store while the daemon fetches bodies.
constexpr auto kFetchPollInterval = std::chrono::milliseconds(50);

// Search results per call: enough for a page, bounded so one query cannot dump the store.
constexpr size_t kMaxSearchLimit = 1000;

// The JSON form of a stored record state, with where it came from.
nlohmann::json describe(const store::RecordState& state) {
  nlohmann::json doc = {{"kind", std::string(catalog::kindName(state.key.kind))},
                        {"id", state.key.id},
                        {"author", toHex(state.key.author)},
                        {"seq", state.seq},
                        {"time_ms", state.time_ms}};
  auto reader = catalog::RecordReader::open(state.body);
  if (reader.ok()) doc["record"] = catalog::recordToJson((*reader)->root());
  if (state.body.empty()) doc["body_held"] = false;
  return doc;
}

bool anyBodyMissing(const std::vector<store::RecordState>& records) {
  return std::any_of(records.begin(), records.end(),
                     [](const store::RecordState& r) { return r.body.empty(); });
}

// Records held without their body (selective sync): asks the running daemon to fetch the
// bodies from its peers and waits for them, up to the timeout. Returns the records as held then.
Result<std::vector<store::RecordState>> fetchMissingBodies(
    home::Home& home, const QueryFlags& flags, std::vector<store::RecordState> records) {
  if (!anyBodyMissing(records) || !daemon::daemonRunning(home.dir())) return records;
  std::vector<wire::BodyRef> refs;
  for (const store::RecordState& r : records) {
    if (r.body.empty() && refs.size() < daemon::kMaxFetchRefsPerCommand) {
      refs.push_back({r.key.author, r.seq});
    }
  }
  if (!daemon::askDaemon(home.dir(), daemon::fetchCommand(refs)).ok()) return records;
  auto deadline =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(flags.fetch_timeout_ms);
  while (std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(kFetchPollInterval);
    EICHUB_ASSIGN_OR_RETURN(records, home.store().queries().recordsById(flags.id));
    if (!anyBodyMissing(records)) break;
  }
  return records;
}

int runGet(const QueryFlags& flags) {
  auto home = openHome(flags.common, true);
  if (!home) return kExitFailure;
  auto records = home->store().queries().recordsById(flags.id);
  if (!records.ok()) return fail(records.status());
  if (records->empty()) return fail("no record with id " + flags.id + " in this store");
  records = fetchMissingBodies(*home, flags, std::move(records).value());
  if (!records.ok()) return fail(records.status());
  nlohmann::json list = nlohmann::json::array();
  for (const store::RecordState& state : *records) list.push_back(describe(state));
  bool esco = isEscoUri(flags.id);
  if (flags.common.json) {
    nlohmann::json doc = {{"id", flags.id}, {"records", list}};
    if (esco) doc["attribution"] = import::kEscoAttribution;
    fmt::print("{}\n", doc.dump(2, ' ', false, nlohmann::json::error_handler_t::replace));
    return kExitOk;
  }
  for (const nlohmann::json& entry : list) {
    fmt::print("{} {}\n  by {} seq {}\n", entry["kind"].get<std::string>(), flags.id,
               entry["author"].get<std::string>(), entry["seq"].get<uint64_t>());
    if (entry.contains("record")) {
      fmt::print("{}\n",
                 entry["record"].dump(2, ' ', false, nlohmann::json::error_handler_t::replace));
    } else if (entry.contains("body_held")) {
      fmt::print("  (body not held here, and no peer delivered it)\n");
    }
  }
  if (esco) fmt::print("{}\n", import::kEscoAttribution);
  return kExitOk;
}

int runSearch(const QueryFlags& flags) {
  store::SearchQuery query;
  query.text = flags.text;
  query.lang = flags.lang;
  if (flags.limit == 0 || flags.limit > kMaxSearchLimit) {
    return fail(fmt::format("--limit must be between 1 and {}", kMaxSearchLimit));
  }
  query.limit = flags.limit;
  if (!flags.kind.empty()) {
    query.kind = catalog::parseKind(flags.kind);
    if (!query.kind) {
      return fail("unknown --kind " + flags.kind + "; use " +
                  std::string(catalog::catalogueKindAliases()));
    }
  }
  auto home = openHome(flags.common, true);
  if (!home) return kExitFailure;
  auto hits = home->store().queries().search(query);
  if (!hits.ok()) return fail(hits.status());
  nlohmann::json results = nlohmann::json::array();
  bool esco = false;
  for (const store::SearchHit& hit : *hits) {
    auto state = home->store().queries().record(hit.key);
    if (!state.ok()) return fail(state.status());
    nlohmann::json doc = describe(*state);
    doc["score"] = hit.score;
    doc["label"] = doc.contains("record") ? catalog::recordLabel(doc["record"], flags.lang) : "";
    doc.erase("record");
    esco = esco || isEscoUri(hit.key.id);
    results.push_back(std::move(doc));
  }
  if (flags.common.json) {
    nlohmann::json doc = {{"query", flags.text}, {"hits", results}};
    if (esco) doc["attribution"] = import::kEscoAttribution;
    fmt::print("{}\n", doc.dump(2, ' ', false, nlohmann::json::error_handler_t::replace));
    return kExitOk;
  }
  for (const nlohmann::json& hit : results) {
    fmt::print("{:6.2f}  {:<16} {}  {}\n", hit["score"].get<double>(),
               hit["kind"].get<std::string>(), hit["label"].get<std::string>(),
               hit["id"].get<std::string>());
  }
  if (results.empty()) fmt::print(stderr, "no match for \"{}\"\n", flags.text);
  if (esco) fmt::print("{}\n", import::kEscoAttribution);
  return kExitOk;
}

}  // namespace

void addQueryCommands(CLI::App& app, int& exit_code) {
  // Each command's flags are shared by its option bindings and its callback, and live as long
  // as the app.
  auto get_flags = std::make_shared<QueryFlags>();
  CLI::App* get = app.add_subcommand("get", "Show the records with an id, from every author");
  addHomeFlag(*get, get_flags->common);
  addJsonFlag(*get, get_flags->common);
  get->add_option("id", get_flags->id, "Record id, e.g. an ESCO uri")->required();
  get->add_option("--fetch-timeout-ms", get_flags->fetch_timeout_ms,
                  "How long to wait for bodies not held here, fetched by the running daemon "
                  "from its peers (default 10000)");
  get->callback([get_flags, &exit_code] { exit_code = runGet(*get_flags); });

  auto search_flags = std::make_shared<QueryFlags>();
  CLI::App* search = app.add_subcommand("search", "Search labels and titles in every language");
  addHomeFlag(*search, search_flags->common);
  addJsonFlag(*search, search_flags->common);
  search->add_option("words", search_flags->text, "Words to find")->required();
  search->add_option("--kind", search_flags->kind, std::string(catalog::catalogueKindAliases()));
  search->add_option("--lang", search_flags->lang, "Only records with a label in this language");
  search->add_option("--limit", search_flags->limit, "Most results to show (default 10)");
  search->callback([search_flags, &exit_code] { exit_code = runSearch(*search_flags); });
}

}  // namespace eichub::cli
