// need post: publishes a SkillNeed record (skills a cluster's employers lack) in the node's feed.
#include <memory>

#include <fmt/format.h>

#include "federation/crypto/sha256.h"
#include "node/catalog/record_json.h"
#include "node/cli/commands.h"
#include "node/cli/context.h"
#include "node/daemon/control.h"
#include "node/publish/local_publish.h"

namespace eichub::cli {

namespace {

struct NeedFlags {
  CommonFlags common;
  std::string id;
  std::vector<std::string> skills;
  std::string occupation;
  std::string region;
  std::string sector;
  int64_t headcount = 0;
  std::string horizon;
  std::string note;
};

// True when the store holds a live record of one of kinds under id.
Result<bool> holds(const store::CatalogStore& store, const std::string& id,
                   std::initializer_list<catalog::Kind> kinds) {
  EICHUB_ASSIGN_OR_RETURN(std::vector<store::RecordState> records, store.queries().recordsById(id));
  for (const store::RecordState& r : records) {
    for (catalog::Kind kind : kinds) {
      if (r.key.kind == kind) return true;
    }
  }
  return false;
}

int runNeedPost(const NeedFlags& flags) {
  if (flags.skills.empty() && flags.occupation.empty()) {
    return fail("a need names --skills or an --occupation (or both)");
  }
  auto home = openHome(flags.common, false);
  if (!home) return kExitFailure;
  // Unknown uris are refused here, where the poster can fix them, rather than becoming gaps
  // that no offer can ever close.
  std::vector<std::string> unknown;
  for (const std::string& uri : flags.skills) {
    auto known = holds(home->store(), uri, {catalog::Kind::SKILL, catalog::Kind::SKILL_GROUP});
    if (!known.ok()) return fail(known.status());
    if (!*known) unknown.push_back(uri);
  }
  if (!flags.occupation.empty()) {
    auto known = holds(home->store(), flags.occupation, {catalog::Kind::OCCUPATION});
    if (!known.ok()) return fail(known.status());
    if (!*known) unknown.push_back(flags.occupation);
  }
  if (!unknown.empty()) {
    return fail(fmt::format("not in this store: {} (import ESCO first, or check the uri)",
                            fmt::join(unknown, ", ")));
  }
  nlohmann::json need = {{"kind", "SkillNeed"}};
  if (!flags.skills.empty()) need["skills"] = flags.skills;
  if (!flags.occupation.empty()) need["occupation"] = flags.occupation;
  if (!flags.region.empty()) need["region"] = flags.region;
  if (!flags.sector.empty()) need["sector"] = flags.sector;
  if (flags.headcount != 0) need["headcount"] = flags.headcount;
  if (!flags.horizon.empty()) need["horizon"] = flags.horizon;
  if (!flags.note.empty()) need["note"] = {{"en", flags.note}};
  std::string id = flags.id;
  if (id.empty()) {
    // Posting the same need twice gives the same id, so it is published once.
    std::string content = need.dump();
    id = "need/" + toHex(crypto::sha256(asBytes(content))).substr(0, 16);
  }
  need["id"] = id;
  auto change = catalog::changeFromJson(need);
  if (!change.ok()) return fail(change.status());
  publish::LocalPublish how{home->nodeKey(), home->nodeKey().publicKey(), home->options().network};
  how.notify = [&home] { (void)daemon::notifyDaemon(home->dir()); };
  auto summary = publish::publishLocal(home->store(), how, {*change});
  if (!summary.ok()) return fail(summary.status());
  if (flags.common.json) {
    printJson({{"id", id}, {"published", summary->written() > 0}});
  } else {
    fmt::print("{} {}\n", summary->written() > 0 ? "posted" : "unchanged", id);
  }
  return kExitOk;
}

}  // namespace

void addNeedCommands(CLI::App& app, int& exit_code) {
  CLI::App* need = app.add_subcommand("need", "Skills needs of the cluster's employers");
  need->require_subcommand(1);
  // The flags are shared by the option bindings and the callback, and live as long as the app.
  auto flags = std::make_shared<NeedFlags>();
  CLI::App* post = need->add_subcommand("post", "Publish a SkillNeed record in this node's feed");
  addHomeFlag(*post, flags->common);
  addJsonFlag(*post, flags->common);
  post->add_option("--id", flags->id, "Record id (default: need/<hash of the content>)");
  post->add_option("--skills", flags->skills, "ESCO skill uris, comma-separated")->delimiter(',');
  post->add_option("--occupation", flags->occupation, "ESCO occupation uri");
  post->add_option("--region", flags->region, "NUTS code, e.g. UKE42");
  post->add_option("--sector", flags->sector, "Sector, e.g. healthcare");
  post->add_option("--headcount", flags->headcount, "People needed (1..1000000)");
  post->add_option("--horizon", flags->horizon, "When, e.g. 2027-06 or \"12 months\"");
  post->add_option("--note", flags->note, "A note in English");
  post->callback([flags, &exit_code] { exit_code = runNeedPost(*flags); });
}

}  // namespace eichub::cli
