// Fork proofs in the meta table: hex of their wire encoding.
#include "node/store/fork_proofs.h"

#include <utility>
#include <variant>

namespace eichub::store {

std::string forkMetaKey(const PublicKey& author) { return "fork:" + toHex(author); }

std::string encodeForkProof(const wire::ForkProof& proof) { return toHex(wire::encode(proof)); }

Result<wire::ForkProof> decodeForkProof(const std::string& meta_value) {
  auto bytes = fromHex(meta_value);
  if (!bytes) return Status::Corruption("fork proof is not hex");
  auto message = wire::decode(*bytes);
  if (!message.ok())
    return Status::Corruption("fork proof does not decode", message.status().message());
  auto* proof = std::get_if<wire::ForkProof>(&*message);
  if (proof == nullptr) return Status::Corruption("fork proof is not a proof");
  return std::move(*proof);
}

uint64_t forkSeq(const std::string& meta_value) {
  auto proof = decodeForkProof(meta_value);
  if (!proof.ok()) return 1;
  auto fields = feed::decodeHeader(proof->first.header);
  return fields.ok() ? fields->seq : 1;
}

}  // namespace eichub::store
