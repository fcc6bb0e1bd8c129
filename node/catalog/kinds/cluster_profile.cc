// ClusterProfile: a node's public card: its cluster's name, region, sectors and how peers
// reach it (docs/catalogue-jsonl.md "ClusterProfile").
#include <array>

#include "node/catalog/internal/kind_entries.h"
#include "node/catalog/internal/kind_index.h"
#include "node/catalog/internal/kind_read.h"
#include "node/catalog/internal/kind_write.h"

namespace eichub::catalog::internal {
namespace {

using namespace std::string_view_literals;

// A CURVE public key in Z85: 32 bytes as 40 characters.
bool isZ85Key(std::string_view s) {
  static constexpr std::string_view kZ85 =
      "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#";
  if (s.size() != 40) return false;
  for (char c : s) {
    if (kZ85.find(c) == std::string_view::npos) return false;
  }
  return true;
}

constexpr StringRule kEndpointRule{kMaxUriBytes, Chars::kToken, isAbsoluteUri,
                                   "an endpoint such as \"tcp://host:7100\""};
constexpr StringRule kZ85KeyRule{kMaxTokenBytes, Chars::kToken, isZ85Key,
                                 "a 40-character Z85 CURVE public key"};

void readClusterProfile(ObjectReader& r, schema::Record::Builder record) {
  auto b = record.initClusterProfile();
  b.setId(text(r.string("id", kIdRule, true)));
  setLangTexts(r.langTexts("name", kLabelRule, true), [&](unsigned n) { return b.initName(n); });
  if (auto s = r.string("region", kRegionRule); !s.empty()) b.setRegion(text(s));
  setStrings(r.strings("sectors", kTokenRule), [&](unsigned n) { return b.initSectors(n); });
  if (auto s = r.string("contact", kLabelRule); !s.empty()) b.setContact(text(s));
  if (auto s = r.string("peerEndpoint", kEndpointRule); !s.empty()) b.setPeerEndpoint(text(s));
  if (auto s = r.string("transportKey", kZ85KeyRule); !s.empty()) b.setTransportKey(text(s));
}

void writeClusterProfile(schema::Record::Reader record, nlohmann::json& o) {
  auto r = record.getClusterProfile();
  putText(o, "id", r.getId());
  putLangTexts(o, "name", r.getName());
  putText(o, "region", r.getRegion());
  putStrings(o, "sectors", r.getSectors());
  putText(o, "contact", r.getContact());
  putText(o, "peerEndpoint", r.getPeerEndpoint());
  putText(o, "transportKey", r.getTransportKey());
}

void identifyClusterProfile(schema::Record::Reader record, std::string& id,
                            std::vector<std::string>& tags) {
  auto p = record.getClusterProfile();
  setId(id, p.getId());
  for (auto sector : p.getSectors()) addTag(tags, "sector:", sector);
  addTag(tags, "region:", p.getRegion());
}

void searchClusterProfile(schema::Record::Reader record, SearchFields& out) {
  out.names = record.getClusterProfile().getName();
}

constexpr std::array kClusterProfileAliases = {"clusterprofile"sv, "profile"sv};

}  // namespace

const KindInfo& clusterProfileKind() {
  static constexpr KindInfo kInfo{.kind = Kind::CLUSTER_PROFILE,
                                  .name = "ClusterProfile",
                                  .aliases = kClusterProfileAliases,
                                  .member = schema::Record::CLUSTER_PROFILE,
                                  .read_json = readClusterProfile,
                                  .write_json = writeClusterProfile,
                                  .identify = identifyClusterProfile,
                                  .search_fields = searchClusterProfile,
                                  .label_field = "name"};
  return kInfo;
}

}  // namespace eichub::catalog::internal
