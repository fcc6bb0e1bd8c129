#include "federation/common/thread_name.h"

#include <string>

#include <pthread.h>

namespace eichub {

void nameThisThread(std::string_view name) {
  constexpr size_t kMaxNameBytes = 15;  // the kernel's TASK_COMM_LEN, less its terminating zero
  const std::string cut(name.substr(0, kMaxNameBytes));
  // Naming is a help to whoever reads a profile; a refusal changes nothing else.
  (void)pthread_setname_np(pthread_self(), cut.c_str());
}

}  // namespace eichub
