// URI <-> id derivations: percent-encoding for our own ids, SHA-256 for the derived parts.
#include "node/elm/elm_ids.h"

#include "federation/crypto/sha256.h"
#include "federation/feed/update.h"

namespace eichub::elm {

namespace {

constexpr std::string_view kResourcePrefix = "urn:eichub:resource:";
constexpr std::string_view kProviderPrefix = "urn:eichub:provider:";
constexpr std::string_view kAuthorPrefix = "urn:eichub:author:";
// 16 bytes of SHA-256 in hex: unique among any document's parts.
constexpr size_t kDerivedHashBytes = 16;

bool isUnreserved(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~' || c == '/';
}

std::string percentEncode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char c : s) {
    if (isUnreserved(c)) {
      out += c;
    } else {
      auto b = static_cast<unsigned char>(c);
      out += '%';
      out += kHex[b >> 4];
      out += kHex[b & 15];
    }
  }
  return out;
}

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Decodes %XX; a malformed escape is kept as it is (the id is then the text as written).
std::string percentDecode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && hexValue(s[i + 1]) >= 0 && hexValue(s[i + 2]) >= 0) {
      out += static_cast<char>(hexValue(s[i + 1]) * 16 + hexValue(s[i + 2]));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

bool isAbsolute(std::string_view id) {
  return id.starts_with("http://") || id.starts_with("https://") || id.starts_with("urn:");
}

std::string hashed(std::string_view a, std::string_view b = {}) {
  crypto::Sha256 sha;
  sha.update(asBytes(a));
  sha.update(asBytes(std::string_view("\n", 1)));
  sha.update(asBytes(b));
  Hash32 h = sha.finish();
  return toHex(ByteView(h.data(), kDerivedHashBytes));
}

std::string uriOf(std::string_view prefix, std::string_view id) {
  if (isAbsolute(id)) return std::string(id);
  return std::string(prefix) + percentEncode(id);
}

std::string idOf(std::string_view prefix, std::string_view uri) {
  std::string id =
      uri.starts_with(prefix) ? percentDecode(uri.substr(prefix.size())) : std::string(uri);
  if (id.size() > feed::kMaxIdBytes) return "elm:" + hashed(uri);
  return id;
}

}  // namespace

std::string opportunityUri(std::string_view resource_id) {
  return uriOf(kResourcePrefix, resource_id);
}
std::string resourceIdFromUri(std::string_view uri) { return idOf(kResourcePrefix, uri); }
std::string organisationUri(std::string_view provider_id) {
  return uriOf(kProviderPrefix, provider_id);
}
std::string providerIdFromUri(std::string_view uri) { return idOf(kProviderPrefix, uri); }

std::string authorOrganisationUri(const PublicKey& author) {
  return std::string(kAuthorPrefix) + toHex(author);
}

std::string achievementUri(std::string_view opportunity_uri) {
  return "urn:eichub:achievement:" + hashed(opportunity_uri);
}
std::string outcomeUri(std::string_view opportunity_uri, std::string_view skill_uri) {
  return "urn:eichub:outcome:" + hashed(opportunity_uri, skill_uri);
}
std::string locationUri(std::string_view region) {
  return "urn:eichub:location:" + percentEncode(region);
}

}  // namespace eichub::elm
