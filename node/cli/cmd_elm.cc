// Europass ELM commands: export elm (an LOQ 3.1.0 file of the resources held) and import elm
// (an LOQ file read into this node's feed). The mapping is in docs/elm.md.
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <sstream>

#include <fmt/core.h>

#include "node/cli/commands.h"
#include "node/cli/context.h"
#include "node/cli/progress.h"
#include "node/daemon/control.h"
#include "node/elm/elm_export.h"
#include "node/elm/elm_import.h"
#include "node/home/peers.h"
#include "node/policy/trust_inputs.h"
#include "node/publish/local_publish.h"

namespace eichub::cli {

namespace {

struct ElmFlags {
  CommonFlags common;
  std::string out;     // export: the file written
  std::string author;  // export: hex node or vendor id
  std::string region;  // export: NUTS prefix
  std::string langs;   // export: comma-separated tags
  std::string file;    // import
  bool skip_bad = false;
};

// Closes the FILE when the export ends, whatever way.
struct FileCloser {
  void operator()(FILE* f) const noexcept { std::fclose(f); }
};

std::vector<std::string> splitCommas(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream in(s);
  for (std::string part; std::getline(in, part, ',');) {
    if (!part.empty()) out.push_back(part);
  }
  return out;
}

int runExportElm(const ElmFlags& flags) {
  elm::ExportOptions options;
  if (!flags.author.empty()) {
    auto parsed = fixedFromHex<kPublicKeyBytes>(flags.author);
    if (!parsed) return fail("--author must be a node or vendor id (64 hex digits)");
    options.author = *parsed;
  }
  options.region = flags.region;
  options.langs = splitCommas(flags.langs);
  auto home = openHome(flags.common, true);
  if (!home) return kExitFailure;
  // Written beside the target and renamed at the end: a failed export leaves no partial file.
  const std::string partial = flags.out + ".partial";
  std::unique_ptr<FILE, FileCloser> file(std::fopen(partial.c_str(), "wb"));
  if (!file) return fail(fmt::format("cannot write {}: {}", partial, std::strerror(errno)));
  auto summary = elm::exportElm(home->store(), options, [&file](std::string_view bytes) {
    return std::fwrite(bytes.data(), 1, bytes.size(), file.get()) == bytes.size();
  });
  bool closed = std::fclose(file.release()) == 0;
  std::error_code ec;
  if (!summary.ok() || !closed) {
    std::filesystem::remove(partial, ec);
    return fail(summary.ok() ? Status::IOError("closing " + partial) : summary.status());
  }
  std::filesystem::rename(partial, flags.out, ec);
  if (ec) return fail(fmt::format("cannot rename {} to {}: {}", partial, flags.out, ec.message()));
  if (flags.common.json) {
    printJson({{"opportunities", summary->opportunities},
               {"outcomes", summary->outcomes},
               {"organisations", summary->organisations},
               {"locations", summary->locations},
               {"file", flags.out}});
  } else {
    fmt::print("wrote {} learning opportunities, {} learning outcomes, {} organisations to {}\n",
               summary->opportunities, summary->outcomes, summary->organisations, flags.out);
  }
  return kExitOk;
}

int runImportElm(const ElmFlags& flags) {
  elm::ImportOptions options;
  options.skip_bad = flags.skip_bad;
  auto loaded = elm::importElm(flags.file, options);
  if (!loaded.ok()) return fail(loaded.status().withContext(flags.file + ": nothing imported"));
  auto home = openHome(flags.common, false);
  if (!home) return kExitFailure;
  Progress progress("publishing");
  publish::LocalPublish how{home->nodeKey(), home->nodeKey().publicKey(), home->options().network};
  home::Home& h = *home;
  how.trust = [&h]() -> Result<trust::TrustState> {
    EICHUB_ASSIGN_OR_RETURN(home::PeerList peers, home::loadPeers(h.dir()));
    return policy::currentTrust(h.store(), policy::trustConfig(h, peers));
  };
  how.notify = [&h] { (void)daemon::notifyDaemon(h.dir()); };
  how.progress = [&](uint64_t done, uint64_t total) { progress.update(done, total); };
  auto summary = publish::publishLocal(h.store(), how, loaded->changes);
  progress.finish();
  if (!summary.ok()) return fail(summary.status().withContext("publish stopped"));
  for (const std::string& error : loaded->errors) fmt::print(stderr, "skipped {}\n", error);
  for (const std::string& note : loaded->notes) fmt::print(stderr, "note {}\n", note);
  if (flags.common.json) {
    printJson({{"opportunities", loaded->opportunities},
               {"notes", loaded->notes.size()},
               {"organisations", loaded->organisations},
               {"added", summary->added},
               {"changed", summary->changed},
               {"unchanged", summary->unchanged},
               {"skipped", loaded->skipped}});
  } else {
    fmt::print(
        "read {} learning opportunities and {} organisations; added {}, changed {}, unchanged {}, "
        "skipped {}\n",
        loaded->opportunities, loaded->organisations, summary->added, summary->changed,
        summary->unchanged, loaded->skipped);
  }
  return kExitOk;
}

}  // namespace

void addElmCommands(CLI::App& app, int& exit_code) {
  auto export_flags = std::make_shared<ElmFlags>();
  CLI::App* exp = app.add_subcommand("export", "Export the catalogue in a standard format");
  exp->require_subcommand(1);
  CLI::App* elm_export =
      exp->add_subcommand("elm", "Write the learning resources held as Europass ELM (LOQ 3.1.0)");
  addHomeFlag(*elm_export, export_flags->common);
  addJsonFlag(*elm_export, export_flags->common);
  elm_export->add_option("--out", export_flags->out, "The XML file to write")->required();
  elm_export->add_option("--author", export_flags->author,
                         "Only this author's resources (node or vendor id)");
  elm_export->add_option("--region", export_flags->region,
                         "Only resources whose NUTS region starts with this, e.g. UKE42");
  elm_export->add_option("--lang", export_flags->langs,
                         "Only texts in these languages, e.g. en,de (default: all)");
  elm_export->callback([export_flags, &exit_code] { exit_code = runExportElm(*export_flags); });

  auto import_flags = std::make_shared<ElmFlags>();
  CLI::App* import = &subcommandGroup(app, "import", kImportDescription);
  CLI::App* elm_import =
      import->add_subcommand("elm", "Import a Europass ELM (LOQ 3.1.0) file into this node's feed");
  addHomeFlag(*elm_import, import_flags->common);
  addJsonFlag(*elm_import, import_flags->common);
  elm_import->add_option("file", import_flags->file, "LOQ XML file")->required();
  elm_import->add_flag(
      "--skip-bad", import_flags->skip_bad,
      "Import the good entries and count the bad ones instead of refusing the file");
  elm_import->callback([import_flags, &exit_code] { exit_code = runImportElm(*import_flags); });
}

}  // namespace eichub::cli
