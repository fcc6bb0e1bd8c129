// EICHUB_CHECK: aborts on a broken invariant, with a message. Never used on peer input.
#pragma once

#include <sstream>

namespace eichub::internal {

// Collects the streamed message and aborts in its destructor.
class CheckFailure {
 public:
  CheckFailure(const char* file, int line, const char* condition);
  [[noreturn]] ~CheckFailure();
  template <typename T>
  CheckFailure& operator<<(const T& value) {
    stream_ << value;
    return *this;
  }

 private:
  std::ostringstream stream_;
};

}  // namespace eichub::internal

#define EICHUB_CHECK(cond) \
  if (cond) {              \
  } else                   \
    ::eichub::internal::CheckFailure(__FILE__, __LINE__, #cond)
