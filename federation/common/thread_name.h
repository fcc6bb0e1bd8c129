// Names the calling thread, so that `top -H`, `perf` and a debugger tell the daemon's threads
// apart (ZeroMQ names its own: ZMQbg/IO/0, ZMQbg/Reaper).
#pragma once

#include <string_view>

namespace eichub {

// Linux keeps 15 bytes of a thread's name; a longer name is cut there.
void nameThisThread(std::string_view name);

}  // namespace eichub
