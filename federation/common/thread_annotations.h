// Clang's thread-safety annotations (clang.llvm.org/docs/ThreadSafetyAnalysis.html) as EICHUB_
// macros: with clang and -Wthread-safety (CMakeLists.txt adds it), the compiler checks that
// state marked EICHUB_GUARDED_BY(mu) is touched only while mu is held, and that functions
// marked EICHUB_REQUIRES / EICHUB_EXCLUDES are called with or without it. Empty on GCC, which
// does not check them. libstdc++'s std::mutex carries no annotations: guard with Mutex and
// MutexLock (federation/common/mutex.h).
#pragma once

#if defined(__clang__)
#define EICHUB_THREAD_ANNOTATION(x) __attribute__((x))
#else
#define EICHUB_THREAD_ANNOTATION(x)
#endif

// A type that is a lock (Mutex).
#define EICHUB_CAPABILITY(name) EICHUB_THREAD_ANNOTATION(capability(name))
// A type that holds a lock for its lifetime (MutexLock).
#define EICHUB_SCOPED_CAPABILITY EICHUB_THREAD_ANNOTATION(scoped_lockable)
// A member read or written only while holding mu.
#define EICHUB_GUARDED_BY(mu) EICHUB_THREAD_ANNOTATION(guarded_by(mu))
// A pointer member whose target is read or written only while holding mu.
#define EICHUB_PT_GUARDED_BY(mu) EICHUB_THREAD_ANNOTATION(pt_guarded_by(mu))
// A function the caller must call holding (REQUIRES) or not holding (EXCLUDES) these locks.
#define EICHUB_REQUIRES(...) EICHUB_THREAD_ANNOTATION(requires_capability(__VA_ARGS__))
#define EICHUB_EXCLUDES(...) EICHUB_THREAD_ANNOTATION(locks_excluded(__VA_ARGS__))
// A function that takes (ACQUIRE) or lets go of (RELEASE) these locks, or of the object's own
// when none is named.
#define EICHUB_ACQUIRE(...) EICHUB_THREAD_ANNOTATION(acquire_capability(__VA_ARGS__))
#define EICHUB_RELEASE(...) EICHUB_THREAD_ANNOTATION(release_capability(__VA_ARGS__))
#define EICHUB_TRY_ACQUIRE(...) EICHUB_THREAD_ANNOTATION(try_acquire_capability(__VA_ARGS__))
// Lock order (nats locksordering.txt, checked by clang only with -Wthread-safety-beta).
#define EICHUB_ACQUIRED_BEFORE(...) EICHUB_THREAD_ANNOTATION(acquired_before(__VA_ARGS__))
#define EICHUB_ACQUIRED_AFTER(...) EICHUB_THREAD_ANNOTATION(acquired_after(__VA_ARGS__))
