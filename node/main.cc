// The eichub binary: every subcommand lives in node/cli.
#include <malloc.h>

#include "node/cli/cli.h"

int main(int argc, char** argv) {
  // Sync moves messages of up to a few MiB; with glibc's default thresholds each one is a
  // fresh mmap that is faulted in page by page and returned at once. Keeping such blocks in
  // the heap took the serving node's CPU per catch-up from 3.3 s to 0.6 s (docs/benchmarks.md).
  mallopt(M_MMAP_THRESHOLD, 64 << 20);
  mallopt(M_TRIM_THRESHOLD, 256 << 20);
  return eichub::cli::runCli(argc, argv);
}
