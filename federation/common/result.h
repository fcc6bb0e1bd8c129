// Result<T>: a value or a non-OK Status (GCC 12 has no std::expected).
#pragma once

#include <utility>
#include <variant>

#include "federation/common/check.h"
#include "federation/common/status.h"

namespace eichub {

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::move(value)) {}        // NOLINT: implicit by design
  Result(Status status) : state_(std::move(status)) {  // NOLINT: implicit by design
    EICHUB_CHECK(!std::get<Status>(state_).ok()) << "Result built from an OK Status";
  }

  bool ok() const { return std::holds_alternative<T>(state_); }
  // The error; OK when the result holds a value.
  Status status() const { return ok() ? Status::OK() : std::get<Status>(state_); }

  // Access the value; calling these on an error is a broken invariant and aborts.
  T& value() & {
    EICHUB_CHECK(ok()) << "value() on error: " << std::get<Status>(state_).toString();
    return std::get<T>(state_);
  }
  const T& value() const& {
    EICHUB_CHECK(ok()) << "value() on error: " << std::get<Status>(state_).toString();
    return std::get<T>(state_);
  }
  T&& value() && {
    EICHUB_CHECK(ok()) << "value() on error: " << std::get<Status>(state_).toString();
    return std::get<T>(std::move(state_));
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> state_;
};

}  // namespace eichub

#define EICHUB_CONCAT_INNER(a, b) a##b
#define EICHUB_CONCAT(a, b) EICHUB_CONCAT_INNER(a, b)

// Declares lhs from a Result expression, or returns its Status from the enclosing function.
#define EICHUB_ASSIGN_OR_RETURN(lhs, expr) \
  EICHUB_ASSIGN_OR_RETURN_IMPL(EICHUB_CONCAT(eichub_result_, __LINE__), lhs, expr)
#define EICHUB_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                                 \
  if (!tmp.ok()) {                                   \
    return tmp.status();                             \
  }                                                  \
  lhs = std::move(tmp).value()
