// Hand-overs between threads through a ZeroMQ inproc socket, made visible to ThreadSanitizer.
// libzmq orders a message's send before its receive, but Debian's libzmq is not built with
// -fsanitize=thread, so TSan cannot see that order and reports what the receiving thread reads
// of what the sender wrote (a batch handed to the Writer, the store's state after an apply) as
// a race. Under TSan these mark the channel: release before each send, acquire after each
// receive, on one address per channel. Elsewhere they compile to nothing.
#pragma once

#if defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define EICHUB_THREAD_SANITIZER 1
#endif
#endif

#ifdef EICHUB_THREAD_SANITIZER
extern "C" void __tsan_acquire(void* addr);
extern "C" void __tsan_release(void* addr);
#endif

namespace eichub::daemon {

// Before sending on the channel identified by channel.
inline void handOffRelease([[maybe_unused]] void* channel) {
#ifdef EICHUB_THREAD_SANITIZER
  __tsan_release(channel);
#endif
}

// After receiving on the channel identified by channel.
inline void handOffAcquire([[maybe_unused]] void* channel) {
#ifdef EICHUB_THREAD_SANITIZER
  __tsan_acquire(channel);
#endif
}

}  // namespace eichub::daemon
