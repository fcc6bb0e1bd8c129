#include "node/http/oai/oai_tokens.h"

#include <charconv>
#include <stdexcept>

#include <fmt/core.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

namespace eichub::http::oai {
namespace {

constexpr size_t kKeyBytes = 32;
constexpr size_t kMacBytes = 16;
constexpr size_t kMaxTokenBytes = 128;

std::optional<uint64_t> parseNumber(std::string_view text) {
  uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}

}  // namespace

HarvestBook::HarvestBook() : key_(kKeyBytes, '\0') {
  if (RAND_bytes(reinterpret_cast<unsigned char*>(key_.data()), kKeyBytes) != 1) {
    throw std::runtime_error("no random bytes for the OAI token key");
  }
}

std::string HarvestBook::mac(const std::string& text) const {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  HMAC(EVP_sha256(), key_.data(), static_cast<int>(key_.size()),
       reinterpret_cast<const unsigned char*>(text.data()), text.size(), out, &size);
  return toHex(ByteView(out, kMacBytes));
}

uint64_t HarvestBook::begin(Harvest harvest) {
  MutexLock lock(mutex_);
  uint64_t id = next_id_++;
  harvests_.emplace(id, std::move(harvest));
  while (harvests_.size() > kMaxHarvests) harvests_.erase(harvests_.begin());
  return id;
}

std::string HarvestBook::token(const Position& p) const {
  std::string text = fmt::format("{}.{}.{}", p.harvest, p.after, p.cursor);
  return text + "." + mac(text);
}

std::optional<std::pair<Harvest, Position>> HarvestBook::resume(const std::string& token,
                                                                int64_t now) {
  if (token.size() > kMaxTokenBytes) return std::nullopt;
  size_t dot = token.rfind('.');
  if (dot == std::string::npos) return std::nullopt;
  std::string text = token.substr(0, dot);
  std::string expected = mac(text);
  if (token.size() - dot - 1 != expected.size() ||
      CRYPTO_memcmp(token.data() + dot + 1, expected.data(), expected.size()) != 0) {
    return std::nullopt;
  }
  size_t a = text.find('.');
  size_t b = text.find('.', a + 1);
  if (a == std::string::npos || b == std::string::npos) return std::nullopt;
  auto id = parseNumber(std::string_view(text).substr(0, a));
  auto after = parseNumber(std::string_view(text).substr(a + 1, b - a - 1));
  auto cursor = parseNumber(std::string_view(text).substr(b + 1));
  if (!id || !after || !cursor) return std::nullopt;
  MutexLock lock(mutex_);
  auto it = harvests_.find(*id);
  if (it == harvests_.end()) return std::nullopt;
  if (now > it->second.expires) {
    harvests_.erase(it);
    return std::nullopt;
  }
  return std::make_pair(it->second, Position{*id, *after, *cursor});
}

}  // namespace eichub::http::oai
