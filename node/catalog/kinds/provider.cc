// Provider: a school, university, vendor or employer that offers learning resources
// (docs/catalogue-jsonl.md "Provider").
#include <array>

#include "node/catalog/internal/kind_entries.h"
#include "node/catalog/internal/kind_index.h"
#include "node/catalog/internal/kind_read.h"
#include "node/catalog/internal/kind_write.h"

namespace eichub::catalog::internal {
namespace {

using namespace std::string_view_literals;

void readProvider(ObjectReader& r, schema::Record::Builder record) {
  auto b = record.initProvider();
  b.setId(text(r.string("id", kIdRule, true)));
  setLangTexts(r.langTexts("name", kLabelRule, true), [&](unsigned n) { return b.initName(n); });
  if (auto s = r.oneOf("providerKind", {"vet-school", "university", "vendor", "employer", "other"});
      !s.empty()) {
    b.setProviderKind(text(s));
  }
  if (auto s = r.string("region", kRegionRule); !s.empty()) b.setRegion(text(s));
  if (auto s = r.string("url", kUrlRule); !s.empty()) b.setUrl(text(s));
}

void writeProvider(schema::Record::Reader record, nlohmann::json& o) {
  auto r = record.getProvider();
  putText(o, "id", r.getId());
  putLangTexts(o, "name", r.getName());
  putText(o, "providerKind", r.getProviderKind());
  putText(o, "region", r.getRegion());
  putText(o, "url", r.getUrl());
}

void identifyProvider(schema::Record::Reader record, std::string& id,
                      std::vector<std::string>& tags) {
  setId(id, record.getProvider().getId());
  addTag(tags, "region:", record.getProvider().getRegion());
}

void searchProvider(schema::Record::Reader record, SearchFields& out) {
  out.names = record.getProvider().getName();
}

constexpr std::array kProviderAliases = {"provider"sv};

}  // namespace

const KindInfo& providerKind() {
  static constexpr KindInfo kInfo{.kind = Kind::PROVIDER,
                                  .name = "Provider",
                                  .aliases = kProviderAliases,
                                  .member = schema::Record::PROVIDER,
                                  .read_json = readProvider,
                                  .write_json = writeProvider,
                                  .identify = identifyProvider,
                                  .search_fields = searchProvider,
                                  .label_field = "name"};
  return kInfo;
}

}  // namespace eichub::catalog::internal
