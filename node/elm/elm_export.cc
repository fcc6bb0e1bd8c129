// exportElm: six passes over one read snapshot. The first three gather what the resources
// reference (skills, providers); the last three write the opportunities, their achievement
// specifications and their outcomes, the sections loq.xsd wants in that order. Organisations
// and locations follow from what was gathered.
#include "node/elm/elm_export.h"

#include <set>

#include "node/catalog/change.h"
#include "node/elm/elm_ids.h"
#include "node/elm/internal/elm_elements.h"
#include "node/elm/internal/scan_passes.h"
#include "node/elm/vocabulary.h"

namespace eichub::elm {

namespace {

using internal::ExportContext;

enum Pass : size_t {
  kGatherReferences,
  kGatherSkills,
  kGatherProviders,
  kWriteOpportunities,
  kWriteAchievements,
  kWriteOutcomes,
};

const std::vector<catalog::Kind> kPassKinds = {
    catalog::Kind::LEARNING_RESOURCE, catalog::Kind::SKILL,
    catalog::Kind::PROVIDER,          catalog::Kind::LEARNING_RESOURCE,
    catalog::Kind::LEARNING_RESOURCE, catalog::Kind::LEARNING_RESOURCE,
};

std::string str(capnp::Text::Reader t) { return std::string(t.cStr(), t.size()); }

const char* const kNamespaces[][2] = {
    {"xmlns", "http://data.europa.eu/snb/model/ap/loq-constraints/"},
    {"xmlns:skos", "http://www.w3.org/2004/02/skos/core#"},
    {"xmlns:dc", "http://purl.org/dc/terms/"},
};

class Exporter {
 public:
  Exporter(const ExportOptions& options, XmlWriter& writer) : options_(options), w_(writer) {
    context_.langs = options.langs;
  }

  Status begin(size_t pass) {
    if (pass > kWriteOpportunities) w_.endElement();
    if (pass == kWriteOpportunities) w_.startElement("learningOpportunityReferences");
    if (pass == kWriteAchievements) w_.startElement("learningAchievementSpecificationReferences");
    if (pass == kWriteOutcomes) w_.startElement("learningOutcomeReferences");
    return Status::OK();
  }

  Status visit(size_t pass, const store::RecordKey& key, ByteView body) {
    auto reader = catalog::RecordReader::open(body);
    if (!reader.ok()) return reader.status();
    schema::Record::Reader record = (*reader)->root();
    switch (pass) {
      case kGatherReferences:
        if (isSelected(key, record.getLearningResource()))
          gather(key, record.getLearningResource());
        break;
      case kGatherSkills:
        gatherSkill(record.getSkill());
        break;
      case kGatherProviders:
        gatherProvider(record.getProvider());
        break;
      case kWriteOpportunities:
        if (isSelected(key, record.getLearningResource())) {
          internal::writeOpportunity(w_, context_, record.getLearningResource(), key.author);
          ++summary_.opportunities;
        }
        break;
      case kWriteAchievements:
        if (isSelected(key, record.getLearningResource())) {
          internal::writeAchievement(w_, context_, record.getLearningResource());
        }
        break;
      case kWriteOutcomes:
        if (isSelected(key, record.getLearningResource())) {
          summary_.outcomes += internal::writeOutcomes(w_, context_, record.getLearningResource());
        }
        break;
      default:
        break;
    }
    return Status::OK();
  }

  // After the scan: the outcomes section ends; organisations and locations follow.
  void finish() {
    w_.endElement();
    std::set<std::string> regions;
    w_.startElement("agentReferences");
    for (const auto& [id, info] : context_.providers) {
      std::string region =
          internal::regionLocation(info.region).empty() ? std::string(kUnknownRegion) : info.region;
      regions.insert(region);
      internal::writeOrganisation(w_, organisationUri(id), info, id, region);
      ++summary_.organisations;
    }
    for (const PublicKey& author : authors_) {
      internal::ProviderInfo none;
      regions.insert(std::string(kUnknownRegion));
      internal::writeOrganisation(w_, authorOrganisationUri(author), none,
                                  "eichub author " + toHex(author), kUnknownRegion);
      ++summary_.organisations;
    }
    w_.endElement();
    regions.insert(resource_regions_.begin(), resource_regions_.end());
    w_.startElement("locationReferences");
    for (const std::string& region : regions) {
      internal::writeLocation(w_, region);
      ++summary_.locations;
    }
    w_.endElement();
  }

  const ExportSummary& summary() const { return summary_; }

 private:
  bool isSelected(const store::RecordKey& key, schema::LearningResource::Reader lr) const {
    if (options_.author && key.author != *options_.author) return false;
    return std::string_view(lr.getRegion().cStr(), lr.getRegion().size())
        .starts_with(options_.region);
  }

  void gather(const store::RecordKey& key, schema::LearningResource::Reader lr) {
    for (auto t : lr.getTeaches()) context_.skills.try_emplace(str(t.getSkill()));
    if (lr.getProvider().size() == 0) {
      authors_.insert(key.author);
    } else {
      context_.providers.try_emplace(str(lr.getProvider()));
    }
    if (!internal::regionLocation(str(lr.getRegion())).empty()) {
      resource_regions_.insert(str(lr.getRegion()));
    }
  }

  void gatherSkill(schema::Skill::Reader skill) {
    auto it = context_.skills.find(str(skill.getUri()));
    if (it == context_.skills.end() || !it->second.labels.empty()) return;
    for (auto l : skill.getPrefLabel()) {
      it->second.labels.emplace_back(str(l.getLang()), str(l.getText()));
    }
    it->second.skill_type = str(skill.getSkillType());
    it->second.reuse_level = str(skill.getReuseLevel());
  }

  // The first Provider record with the id (in key order, so by author) describes it.
  void gatherProvider(schema::Provider::Reader provider) {
    auto it = context_.providers.find(str(provider.getId()));
    if (it == context_.providers.end() || it->second.held) return;
    it->second.held = true;
    it->second.names = internal::pick(context_, provider.getName(), true);
    it->second.kind = str(provider.getProviderKind());
    it->second.region = str(provider.getRegion());
    it->second.url = str(provider.getUrl());
  }

  const ExportOptions& options_;
  XmlWriter& w_;
  ExportContext context_;
  std::set<PublicKey> authors_;  // authors of resources that name no provider
  std::set<std::string> resource_regions_;
  ExportSummary summary_;
};

}  // namespace

Result<ExportSummary> exportElm(const store::CatalogStore& store, const ExportOptions& options,
                                const XmlSink& sink) {
  EICHUB_ASSIGN_OR_RETURN(std::unique_ptr<XmlWriter> writer, XmlWriter::open(sink));
  writer->startElement("Courses");
  for (const auto& ns : kNamespaces) writer->attribute(ns[0], ns[1]);
  writer->attribute("xsdVersion", "3.1.0");
  Exporter exporter(options, *writer);
  EICHUB_RETURN_IF_ERROR(internal::scanPasses(
      store, kPassKinds, [&](size_t pass) { return exporter.begin(pass); },
      [&](size_t pass, const store::RecordKey& key, ByteView body) {
        return exporter.visit(pass, key, body);
      }));
  exporter.finish();
  EICHUB_RETURN_IF_ERROR(writer->finish());
  return exporter.summary();
}

}  // namespace eichub::elm
