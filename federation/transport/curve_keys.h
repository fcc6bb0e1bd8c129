// CURVE key pairs for the transport, Z85-encoded as ZeroMQ expects (40 characters).
#pragma once

#include <string>

#include "federation/common/result.h"

namespace eichub::transport {

struct CurveKeyPair {
  std::string public_z85;
  std::string secret_z85;
};

// A fresh key pair. Errors: Unavailable when libzmq was built without CURVE.
Result<CurveKeyPair> generateCurveKeyPair();
// The key pair for a secret key. Errors: InvalidArgument for a malformed key.
Result<CurveKeyPair> curveKeyPairFromSecret(const std::string& secret_z85);
// True for a well-formed 40-character Z85 key.
bool isCurveKey(const std::string& z85);

}  // namespace eichub::transport
