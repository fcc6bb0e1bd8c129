// Registration of each group of subcommands on the CLI11 app.
#pragma once

#include <CLI/CLI.hpp>

namespace eichub::cli {

// The "import" group, which the publish and ELM files add to.
inline constexpr char kImportDescription[] = "Import ESCO, a vendor's CSV or a Europass ELM file";

// Each adds its subcommands to app; a subcommand's callback stores its exit code in exit_code.
// A group two files add to ("import") is made by whichever registers first (subcommandGroup).
void addNodeCommands(CLI::App& app, int& exit_code);     // init, id, status, digest
void addPublishCommands(CLI::App& app, int& exit_code);  // publish, import esco, import csv
void addQueryCommands(CLI::App& app, int& exit_code);    // get, search
void addFeedCommands(CLI::App& app, int& exit_code);     // feed export, verify, import
void addDaemonCommands(CLI::App& app, int& exit_code);   // run, peer add/remove/list
void addNeedCommands(CLI::App& app, int& exit_code);     // need post
void addMatchCommands(CLI::App& app, int& exit_code);    // match, gaps
void addAlignCommands(CLI::App& app, int& exit_code);    // align
void addBackupCommands(CLI::App& app, int& exit_code);   // backup, restore, migrate
void addVerifyCommands(CLI::App& app, int& exit_code);   // verify [--repair]
void addElmCommands(CLI::App& app, int& exit_code);      // export elm, import elm
// trust add, root, show, expires, stale-after
void addTrustCommands(CLI::App& app, int& exit_code);
// authority init, admit, remove, approve-rotation
void addAuthorityCommands(CLI::App& app, int& exit_code);
void addVendorCommands(CLI::App& app, int& exit_code);  // vendor keygen, admit, revoke
void addKeyCommands(CLI::App& app, int& exit_code);     // key rotate

// help-man, completion bash: hidden; last, so that they see every other subcommand.
void addDocCommands(CLI::App& app, int& exit_code);

}  // namespace eichub::cli
