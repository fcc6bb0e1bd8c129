// Publishing commands: publish (JSON Lines), import esco, import csv (through a column mapping).
#include <chrono>
#include <memory>
#include <optional>

#include <fmt/core.h>

#include "node/catalog/jsonl_reader.h"
#include "node/cli/commands.h"
#include "node/cli/context.h"
#include "node/cli/progress.h"
#include "node/daemon/control.h"
#include "node/home/peers.h"
#include "node/import/csv_mapping.h"
#include "node/import/esco_importer.h"
#include "node/match/import_align.h"
#include "node/policy/trust_inputs.h"
#include "node/publish/local_publish.h"
#include "node/publish/stream_publish.h"

namespace eichub::cli {

namespace {

struct PublishFlags {
  CommonFlags common;
  std::string file;  // JSON Lines file, CSV file or ESCO directory
  std::string mapping;
  std::string as_key;  // --as: a vendor key file; its feed is signed and carried by this node
  bool skip_bad = false;
  std::string kind;    // erase
  std::string id;      // erase
  bool align = false;  // publish, import csv: suggest skills for resources that name none
  match::AlignOptions align_options{match::kDefaultSuggestions, match::kImportMinScore};
};

catalog::LoadOptions loadOptions(const PublishFlags& flags) {
  catalog::LoadOptions options;
  options.mode = flags.skip_bad ? catalog::ErrorMode::kSkipBad : catalog::ErrorMode::kStrict;
  return options;
}

// The key a publish signs with: the node's, or the vendor key of --as (loaded into vendor_key).
Result<const crypto::SigningKey*> signingKey(home::Home& home, const PublishFlags& flags,
                                             std::optional<crypto::SigningKey>& vendor_key) {
  if (flags.as_key.empty()) return &home.nodeKey();
  auto loaded = crypto::SigningKey::loadPem(flags.as_key);
  if (!loaded.ok()) return loaded.status().withContext("--as " + flags.as_key);
  vendor_key = std::move(*loaded);
  return &*vendor_key;
}

// How this home publishes with key: judged by its trust, announced to its daemon.
publish::LocalPublish localPublish(home::Home& home, const crypto::SigningKey& key,
                                   Progress& progress) {
  publish::LocalPublish how{key, home.nodeKey().publicKey(), home.options().network};
  how.trust = [&home]() -> Result<trust::TrustState> {
    EICHUB_ASSIGN_OR_RETURN(home::PeerList peers, home::loadPeers(home.dir()));
    return policy::currentTrust(home.store(), policy::trustConfig(home, peers));
  };
  how.notify = [&home] {
    // The daemon would notice its own feed within a tick, and a vendor's not at all; telling it
    // makes peers hear at once.
    (void)daemon::notifyDaemon(home.dir());
  };
  how.progress = [&progress](uint64_t done, uint64_t total) { progress.update(done, total); };
  return how;
}

// Prints a publish's outcome: its failure, or the skipped lines and the summary (with what
// --align attached, when aligned is set).
int report(const PublishFlags& flags, Result<publish::PublishSummary> summary, uint64_t skipped,
           const std::vector<std::string>& errors, bool esco,
           std::chrono::steady_clock::time_point start,
           const match::ImportAlignStats* aligned = nullptr) {
  if (!summary.ok()) {
    if (summary.status().code() == Status::Code::kPermissionDenied) return fail(summary.status());
    return fail(summary.status().withContext("publish stopped; batches committed before stay"));
  }
  summary->skipped = skipped;
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  for (const std::string& error : errors) fmt::print(stderr, "skipped {}\n", error);
  if (flags.common.json) {
    nlohmann::json doc = {{"added", summary->added},         {"changed", summary->changed},
                          {"unchanged", summary->unchanged}, {"deleted", summary->deleted},
                          {"erased", summary->erased},       {"skipped", summary->skipped},
                          {"batches", summary->batches},     {"seconds", seconds}};
    if (esco) doc["attribution"] = import::kEscoAttribution;
    if (aligned) {
      doc["aligned"] = {{"resources", aligned->resources},
                        {"withoutSkills", aligned->without_skills},
                        {"withSuggestions", aligned->with_suggestions},
                        {"suggestions", aligned->suggestions}};
    }
    printJson(doc);
  } else {
    fmt::print("added {}, changed {}, unchanged {}, deleted {}, erased {}, skipped {} ({:.2f} s)\n",
               summary->added, summary->changed, summary->unchanged, summary->deleted,
               summary->erased, summary->skipped, seconds);
    if (esco) fmt::print("{}\n", import::kEscoAttribution);
    if (aligned) {
      fmt::print("aligned: {} of {} resources named no skill; {} got {} suggested skills\n",
                 aligned->without_skills, aligned->resources, aligned->with_suggestions,
                 aligned->suggestions);
    }
  }
  return kExitOk;
}

// Signs and stores changes held in memory with a progress report, then prints the summary.
int publishAndReport(home::Home& home, const PublishFlags& flags,
                     const std::vector<catalog::Change>& changes, uint64_t skipped,
                     const std::vector<std::string>& errors, bool esco) {
  auto start = std::chrono::steady_clock::now();
  std::optional<crypto::SigningKey> vendor_key;
  auto key = signingKey(home, flags, vendor_key);
  if (!key.ok()) return fail(key.status());
  Progress progress("publishing");
  auto summary = publish::publishLocal(home.store(), localPublish(home, **key, progress), changes);
  progress.finish();
  return report(flags, std::move(summary), skipped, errors, esco, start);
}

// Checks the file that scan reads, then publishes it in bounded parts (publishStream); with
// --align, each pass reads it through an ImportAligner.
int publishFile(home::Home& home, const PublishFlags& flags, const publish::ChangeScan& scan) {
  auto start = std::chrono::steady_clock::now();
  std::optional<crypto::SigningKey> vendor_key;
  auto key = signingKey(home, flags, vendor_key);
  if (!key.ok()) return fail(key.status());
  std::unique_ptr<match::Aligner> aligner;
  if (flags.align) {
    const match::AlignOptions& options = flags.align_options;
    if (options.max_suggestions == 0 || options.max_suggestions > match::kMaxSuggestions) {
      return fail(fmt::format("--suggestions must be 1..{}", match::kMaxSuggestions));
    }
    if (!(options.min_score >= 0 && options.min_score <= 1)) {
      return fail("--min-score must be between 0 and 1");
    }
    auto built = match::Aligner::build(home.store());
    if (!built.ok()) return fail(built.status().withContext("nothing published"));
    if ((*built)->stats().labels == 0) {
      return fail("--align: no Skill labels in this store: import ESCO first (eichub import esco)");
    }
    aligner = std::move(built).value();
  }
  match::ImportAlignStats aligned;  // the last pass's: the one that published
  publish::ChangeScan read = scan;
  if (aligner) {
    read = [&](catalog::ChangeSink& sink) {
      match::ImportAligner aligning(*aligner, flags.align_options, sink);
      Status status = scan(aligning);
      aligned = aligning.stats();
      return status;
    };
  }
  Progress progress("publishing");
  auto streamed = publish::publishStream(home.store(), localPublish(home, **key, progress),
                                         flags.file, loadOptions(flags), read);
  progress.finish();
  if (!streamed.ok()) return fail(streamed.status());
  return report(flags, std::move(streamed->summary), streamed->report.skipped,
                streamed->report.errors, false, start, aligner ? &aligned : nullptr);
}

int runPublish(const PublishFlags& flags) {
  auto home = openHome(flags.common, false);
  if (!home) return kExitFailure;
  const catalog::LoadOptions options = loadOptions(flags);
  return publishFile(*home, flags, [&flags, &options](catalog::ChangeSink& sink) {
    return catalog::scanJsonLines(flags.file, options, sink);
  });
}

int runErase(const PublishFlags& flags) {
  auto kind = catalog::parseKind(flags.kind);
  if (!kind || *kind == catalog::Kind::TRUST) {
    return fail("unknown --kind " + flags.kind + "; use " +
                std::string(catalog::catalogueKindAliases()));
  }
  if (flags.id.empty() || flags.id.size() > feed::kMaxIdBytes) {
    return fail("--id must be 1 to " + std::to_string(feed::kMaxIdBytes) + " bytes");
  }
  auto home = openHome(flags.common, false);
  if (!home) return kExitFailure;
  return publishAndReport(*home, flags, {catalog::eraseChange(*kind, flags.id)}, 0, {}, false);
}

int runImportEsco(const PublishFlags& flags) {
  auto home = openHome(flags.common, false);
  if (!home) return kExitFailure;
  Progress progress("reading ESCO");
  import::EscoImportOptions options;
  options.progress = [&](uint64_t done, uint64_t total) { progress.update(done, total); };
  auto esco = import::importEsco(flags.file, options);
  progress.finish();
  if (!esco.ok()) return fail(esco.status().withContext("nothing imported"));
  const auto& s = esco->summary;
  std::string languages;
  for (const std::string& l : s.languages) languages += (languages.empty() ? "" : ",") + l;
  if (!flags.common.json) {
    fmt::print("read {} skills, {} skill groups, {} occupations, {} ISCO groups; languages {}\n",
               s.skills, s.skill_groups, s.occupations, s.occupation_groups, languages);
  }
  uint64_t skipped = 0;
  std::vector<std::string> reasons;
  for (const auto& skip : s.skipped) {
    skipped += skip.rows;
    reasons.push_back(fmt::format("{} rows of {} from line {}: {}", skip.rows, skip.file,
                                  skip.first_line, skip.reason));
  }
  return publishAndReport(*home, flags, esco->changes, skipped, reasons, true);
}

int runImportCsv(const PublishFlags& flags) {
  auto home = openHome(flags.common, false);
  if (!home) return kExitFailure;
  auto mapping = import::loadCsvMapping(flags.mapping);
  if (!mapping.ok()) return fail(mapping.status());
  return publishFile(*home, flags, [&flags, &mapping](catalog::ChangeSink& sink) {
    return import::scanCsv(flags.file, *mapping, sink);
  });
}

void addSkipBadFlag(CLI::App& command, PublishFlags& flags) {
  command.add_flag("--skip-bad", flags.skip_bad,
                   "Publish the good lines and count the bad ones instead of refusing the file");
}

void addAlignFlags(CLI::App& command, PublishFlags& flags) {
  command.add_flag("--align", flags.align,
                   "Attach the aligner's ESCO skills, marked suggested, to each learning "
                   "resource that names none");
  command.add_option(
      "--min-score", flags.align_options.min_score,
      fmt::format("With --align: lowest score attached, 0..1 ({})", match::kImportMinScore));
  command.add_option("--suggestions", flags.align_options.max_suggestions,
                     fmt::format("With --align: most skills attached per resource ({})",
                                 match::kDefaultSuggestions));
}

}  // namespace

void addPublishCommands(CLI::App& app, int& exit_code) {
  // Each command's flags are shared by its option bindings and its callback, and live as long
  // as the app.
  auto publish_flags = std::make_shared<PublishFlags>();
  CLI::App* publish = app.add_subcommand("publish", "Publish records from a JSON Lines file");
  addHomeFlag(*publish, publish_flags->common);
  addJsonFlag(*publish, publish_flags->common);
  addSkipBadFlag(*publish, *publish_flags);
  addAlignFlags(*publish, *publish_flags);
  publish->add_option("file", publish_flags->file, "JSON Lines file")->required();
  publish->add_option("--as", publish_flags->as_key,
                      "Sign with this vendor key (admitted with `eichub vendor admit`)");
  publish->callback([publish_flags, &exit_code] { exit_code = runPublish(*publish_flags); });

  auto erase_flags = std::make_shared<PublishFlags>();
  CLI::App* erase = app.add_subcommand(
      "erase", "Erase one of this node's records: every node drops its bodies, headers stay");
  addHomeFlag(*erase, erase_flags->common);
  addJsonFlag(*erase, erase_flags->common);
  erase->add_option("--kind", erase_flags->kind, std::string(catalog::catalogueKindAliases()))
      ->required();
  erase->add_option("--id", erase_flags->id, "Record id")->required();
  erase->callback([erase_flags, &exit_code] { exit_code = runErase(*erase_flags); });

  CLI::App* import = &subcommandGroup(app, "import", kImportDescription);

  auto esco_flags = std::make_shared<PublishFlags>();
  CLI::App* esco = import->add_subcommand("esco", "Import an ESCO CSV export directory");
  addHomeFlag(*esco, esco_flags->common);
  addJsonFlag(*esco, esco_flags->common);
  esco->add_option("dir", esco_flags->file, "Directory of ESCO CSV files (.csv or .csv.gz)")
      ->required();
  esco->callback([esco_flags, &exit_code] { exit_code = runImportEsco(*esco_flags); });

  auto csv_flags = std::make_shared<PublishFlags>();
  CLI::App* csv = import->add_subcommand("csv", "Import a CSV file through a TOML column mapping");
  addHomeFlag(*csv, csv_flags->common);
  addJsonFlag(*csv, csv_flags->common);
  addSkipBadFlag(*csv, *csv_flags);
  addAlignFlags(*csv, *csv_flags);
  csv->add_option("file", csv_flags->file, "CSV file (plain or gzip)")->required();
  csv->add_option("--mapping", csv_flags->mapping, "TOML column mapping")->required();
  csv->callback([csv_flags, &exit_code] { exit_code = runImportCsv(*csv_flags); });
}

}  // namespace eichub::cli
