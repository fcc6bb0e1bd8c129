// Registration of each group of subcommands on the CLI11 app.
#pragma once

#include <CLI/CLI.hpp>

namespace eichub::cli {

// Each adds its subcommands to app; a subcommand's callback stores its exit code in exit_code.
void addNodeCommands(CLI::App& app, int& exit_code);     // init, id, status, digest
void addPublishCommands(CLI::App& app, int& exit_code);  // publish, import esco, import csv
void addQueryCommands(CLI::App& app, int& exit_code);    // get, search
void addFeedCommands(CLI::App& app, int& exit_code);     // feed export, verify, import
void addDaemonCommands(CLI::App& app, int& exit_code);   // run, peer add/list, trust add
void addNeedCommands(CLI::App& app, int& exit_code);     // need post
void addMatchCommands(CLI::App& app, int& exit_code);    // match, gaps
void addAlignCommands(CLI::App& app, int& exit_code);    // align
void addBackupCommands(CLI::App& app, int& exit_code);   // backup, restore, migrate
void addVerifyCommands(CLI::App& app, int& exit_code);   // verify [--repair]
// export elm, import elm; after addPublishCommands (it adds to "import").
void addElmCommands(CLI::App& app, int& exit_code);
// authority, vendor, trust root/show; after addDaemonCommands (it adds to "trust").
void addTrustCommands(CLI::App& app, int& exit_code);
// trust expires, trust stale-after; after addDaemonCommands (it adds to "trust").
void addFreshnessCommands(CLI::App& app, int& exit_code);

// help-man, completion bash: hidden; last, so that they see every other subcommand.
void addDocCommands(CLI::App& app, int& exit_code);

}  // namespace eichub::cli
