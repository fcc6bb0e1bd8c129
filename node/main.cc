// The eichub binary: every subcommand lives in node/cli.
#include "node/cli/cli.h"

int main(int argc, char** argv) { return eichub::cli::runCli(argc, argv); }
