// Status: the outcome of a fallible operation, in the manner of leveldb's Status.
// Our code returns Status or Result<T> instead of throwing.
#pragma once

#include <string>
#include <string_view>
#include <utility>

namespace eichub {

class [[nodiscard]] Status {
 public:
  enum class Code {
    kOk,
    kNotFound,
    kInvalidArgument,
    kCorruption,
    kIOError,
    kPermissionDenied,
    kResourceExhausted,
    kUnavailable,
    kAlreadyExists,
  };

  Status() = default;
  static Status OK() { return Status(); }
  static Status NotFound(std::string_view msg, std::string_view detail = {}) {
    return Status(Code::kNotFound, msg, detail);
  }
  static Status InvalidArgument(std::string_view msg, std::string_view detail = {}) {
    return Status(Code::kInvalidArgument, msg, detail);
  }
  static Status Corruption(std::string_view msg, std::string_view detail = {}) {
    return Status(Code::kCorruption, msg, detail);
  }
  static Status IOError(std::string_view msg, std::string_view detail = {}) {
    return Status(Code::kIOError, msg, detail);
  }
  static Status PermissionDenied(std::string_view msg, std::string_view detail = {}) {
    return Status(Code::kPermissionDenied, msg, detail);
  }
  static Status ResourceExhausted(std::string_view msg, std::string_view detail = {}) {
    return Status(Code::kResourceExhausted, msg, detail);
  }
  static Status Unavailable(std::string_view msg, std::string_view detail = {}) {
    return Status(Code::kUnavailable, msg, detail);
  }
  static Status AlreadyExists(std::string_view msg, std::string_view detail = {}) {
    return Status(Code::kAlreadyExists, msg, detail);
  }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  bool isNotFound() const { return code_ == Code::kNotFound; }
  // The message alone, without the code name.
  const std::string& message() const { return message_; }
  // "Code: message", for logs and CLI errors.
  std::string toString() const;

  // Returns a copy whose message is prefixed with context, e.g. "line 12: ...".
  Status withContext(std::string_view context) const;

 private:
  Status(Code code, std::string_view msg, std::string_view detail);

  Code code_ = Code::kOk;
  std::string message_;
};

std::string_view codeName(Status::Code code);

}  // namespace eichub

// Returns early from the enclosing function if expr yields a non-OK Status.
#define EICHUB_RETURN_IF_ERROR(expr)          \
  do {                                        \
    ::eichub::Status eichub_status_ = (expr); \
    if (!eichub_status_.ok()) {               \
      return eichub_status_;                  \
    }                                         \
  } while (false)
