// ApiToken: the write API's bearer token. The daemon replaces it on reload (SIGHUP) while the
// HTTP threads check requests against it.
#pragma once

#include <string>

#include "federation/common/mutex.h"

namespace eichub::http {

// Thread-safe; copies out so that no reference outlives a replacement.
class ApiToken {
 public:
  ApiToken(std::string token) : token_(std::move(token)) {}  // NOLINT: built in ApiContext(...)
  ApiToken(const ApiToken&) = delete;
  ApiToken& operator=(const ApiToken&) = delete;

  // The token now in force; empty: write endpoints are refused (401).
  std::string get() const EICHUB_EXCLUDES(mu_) {
    MutexLock lock(mu_);
    return token_;
  }
  void set(std::string token) EICHUB_EXCLUDES(mu_) {
    MutexLock lock(mu_);
    token_ = std::move(token);
  }

 private:
  mutable Mutex mu_;
  std::string token_ EICHUB_GUARDED_BY(mu_);
};

}  // namespace eichub::http
