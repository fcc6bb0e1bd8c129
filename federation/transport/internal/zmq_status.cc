// Translation of libzmq errno values into Status codes.
// The mapping decides whether callers retry (Unavailable) or report a configuration error.
#include "federation/transport/internal/zmq_status.h"

#include <cerrno>
#include <string>

namespace eichub::transport::internal {

Status statusFromErrno(int error, std::string_view what) {
  const char* text = zmq_strerror(error);
  switch (error) {
    case EADDRINUSE:
    case EADDRNOTAVAIL:
    case ENODEV:
    case ENOTSUP:
    case ETERM:
      return Status::Unavailable(what, text);
    case EINVAL:
    case EPROTONOSUPPORT:
    case ENOCOMPATPROTO:
    case EMSGSIZE:
      return Status::InvalidArgument(what, text);
    default:
      return Status::IOError(what, text);
  }
}

Status statusFromZmq(const zmq::error_t& error, std::string_view what) {
  return statusFromErrno(error.num(), what);
}

}  // namespace eichub::transport::internal
