// Abort path of EICHUB_CHECK.
#include "federation/common/check.h"

#include <cstdio>
#include <cstdlib>

namespace eichub::internal {

CheckFailure::CheckFailure(const char* file, int line, const char* condition) {
  stream_ << file << ":" << line << ": check failed: " << condition << " ";
}

CheckFailure::~CheckFailure() {
  std::fprintf(stderr, "%s\n", stream_.str().c_str());
  std::fflush(stderr);
  std::abort();
}

}  // namespace eichub::internal
