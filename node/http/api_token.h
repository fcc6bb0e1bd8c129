// ApiToken: the write API's bearer token. The daemon replaces it on reload (SIGHUP) while the
// HTTP threads check requests against it.
#pragma once

#include <mutex>
#include <string>

namespace eichub::http {

// Thread-safe; copies out so that no reference outlives a replacement.
class ApiToken {
 public:
  ApiToken(std::string token) : token_(std::move(token)) {}  // NOLINT: built in ApiContext(...)
  ApiToken(const ApiToken&) = delete;
  ApiToken& operator=(const ApiToken&) = delete;

  // The token now in force; empty: write endpoints are refused (401).
  std::string get() const {
    std::lock_guard lock(mu_);
    return token_;
  }
  void set(std::string token) {
    std::lock_guard lock(mu_);
    token_ = std::move(token);
  }

 private:
  mutable std::mutex mu_;
  std::string token_;  // guarded by mu_
};

}  // namespace eichub::http
