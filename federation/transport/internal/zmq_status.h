// Translation of libzmq errors (zmq::error_t, errno) into Status, used only at the transport
// adapter so that no zmq exception crosses the module API (STYLE.md rule 9).
#pragma once

#include <string_view>

#include <zmq.hpp>

#include "federation/common/status.h"

namespace eichub::transport::internal {

// Maps errno from a failed libzmq call: EADDRINUSE, ETERM, EADDRNOTAVAIL, ENODEV and ENOTSUP
// (CURVE not built in) are Unavailable; EINVAL, EPROTONOSUPPORT, ENOCOMPATPROTO and
// EMSGSIZE are InvalidArgument; anything else is IOError. what names the call, e.g. "bind".
Status statusFromErrno(int error, std::string_view what);

// Same, for an exception thrown by cppzmq.
Status statusFromZmq(const zmq::error_t& error, std::string_view what);

}  // namespace eichub::transport::internal
