// align: suggests ESCO skills for the learning resources of a JSON Lines file. Prints a review
// file; with --publishable also writes the records with the suggestions added, to publish once
// the publisher agrees. Nothing is published here.
#include <chrono>
#include <fstream>
#include <memory>

#include <fmt/core.h>

#include "node/catalog/jsonl_reader.h"
#include "node/catalog/record_json.h"
#include "node/cli/commands.h"
#include "node/cli/context.h"
#include "node/match/aligner.h"
#include "node/match/match_json.h"

namespace eichub::cli {

namespace {

struct AlignFlags {
  CommonFlags common;
  std::string file;
  std::string publishable;
  size_t suggestions = match::kDefaultSuggestions;
  double min_score = match::kDefaultMinScore;
};

// The record's JSON form with the suggested skills appended to teaches as optional.
nlohmann::json withSuggestions(schema::Record::Reader record, const match::AlignAnswer& answer) {
  nlohmann::json doc = catalog::recordToJson(record);
  for (const match::SkillSuggestion& s : answer.suggestions) {
    doc["teaches"].push_back({{"skill", s.skill}, {"relation", "optional"}});
  }
  return doc;
}

int runAlign(const AlignFlags& flags) {
  match::AlignOptions options{flags.suggestions, flags.min_score};
  if (options.max_suggestions == 0 || options.max_suggestions > match::kMaxSuggestions) {
    return fail(fmt::format("--suggestions must be 1..{}", match::kMaxSuggestions));
  }
  if (!(options.min_score >= 0 && options.min_score <= 1)) {
    return fail("--min-score must be between 0 and 1");
  }
  auto home = openHome(flags.common, true);
  if (!home) return kExitFailure;
  auto loaded = catalog::readJsonLines(flags.file);
  if (!loaded.ok()) return fail(loaded.status().withContext("nothing aligned"));
  auto start = std::chrono::steady_clock::now();
  auto aligner = match::Aligner::build(home->store());
  if (!aligner.ok()) return fail(aligner.status());
  if ((*aligner)->stats().labels == 0) {
    return fail("no Skill labels in this store: import ESCO first (eichub import esco)");
  }
  std::ofstream publishable;
  if (!flags.publishable.empty()) {
    publishable.open(flags.publishable, std::ios::binary | std::ios::trunc);
    if (!publishable) return fail("cannot write " + flags.publishable);
  }
  uint64_t resources = 0;
  uint64_t with_suggestions = 0;
  uint64_t other_kinds = 0;
  for (const catalog::Change& change : loaded->changes) {
    if (change.kind != catalog::Kind::LEARNING_RESOURCE || change.op != feed::Op::UPSERT) {
      ++other_kinds;
      continue;
    }
    auto reader = catalog::RecordReader::open(change.body);
    if (!reader.ok()) return fail(reader.status());
    auto input = match::alignInputFromRecord((*reader)->root());
    if (!input.ok()) return fail(input.status().withContext(change.id));
    auto answer = (*aligner)->align(*input, options);
    if (!answer.ok()) return fail(answer.status());
    ++resources;
    if (!answer->suggestions.empty()) ++with_suggestions;
    fmt::print("{}\n", match::toJson(*answer).dump(-1, ' ', false,
                                                   nlohmann::json::error_handler_t::replace));
    if (publishable.is_open()) {
      publishable << withSuggestions((*reader)->root(), *answer)
                         .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)
                  << '\n';
    }
  }
  if (publishable.is_open() && !publishable.flush())
    return fail("write failed: " + flags.publishable);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  fmt::print(stderr,
             "aligned {} resources, {} with suggestions, {} other records left out ({:.2f} s); "
             "review before publishing\n",
             resources, with_suggestions, other_kinds, seconds);
  return kExitOk;
}

}  // namespace

void addAlignCommands(CLI::App& app, int& exit_code) {
  // The flags are shared by the option bindings and the callback, and live as long as the app.
  auto flags = std::make_shared<AlignFlags>();
  CLI::App* align = app.add_subcommand(
      "align", "Suggest ESCO skills for learning resources (JSON Lines review file on stdout)");
  addHomeFlag(*align, flags->common);
  align->add_option("file", flags->file, "JSON Lines file of LearningResource records")->required();
  align->add_option("--publishable", flags->publishable,
                    "Also write the records with the suggestions added to teaches, to review "
                    "and publish");
  align->add_option("--suggestions", flags->suggestions, "Most suggestions per resource (5)");
  align->add_option("--min-score", flags->min_score, "Lowest score suggested, 0..1 (0.5)");
  align->callback([flags, &exit_code] { exit_code = runAlign(*flags); });
}

}  // namespace eichub::cli
