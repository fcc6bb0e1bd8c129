#include "node/elm/elm_record.h"

#include "node/elm/elm_ids.h"
#include "node/elm/internal/elm_elements.h"
#include "node/elm/xml_writer.h"

namespace eichub::elm {

Result<std::string> recordElm(schema::Record::Reader record, const PublicKey& author) {
  const bool resource = record.isLearningResource();
  if (!resource && !record.isProvider()) {
    return Status::InvalidArgument("only learning resources and providers have an ELM form");
  }
  std::string out;
  EICHUB_ASSIGN_OR_RETURN(std::unique_ptr<XmlWriter> w, XmlWriter::open([&out](std::string_view b) {
                            out.append(b);
                            return true;
                          }));
  w->startElement("Courses");
  w->attribute("xmlns", "http://data.europa.eu/snb/model/ap/loq-constraints/");
  w->attribute("xmlns:skos", "http://www.w3.org/2004/02/skos/core#");
  w->attribute("xmlns:dc", "http://purl.org/dc/terms/");
  w->attribute("xsdVersion", "3.1.0");
  internal::ExportContext context;
  if (resource) {
    w->startElement("learningOpportunityReferences");
    internal::writeOpportunity(*w, context, record.getLearningResource(), author);
  } else {
    auto p = record.getProvider();
    internal::ProviderInfo info;
    info.held = true;
    info.names = internal::pick(context, p.getName(), true);
    info.kind = p.getProviderKind().cStr();
    info.region = p.getRegion().cStr();
    info.url = p.getUrl().cStr();
    std::string region =
        internal::regionLocation(info.region).empty() ? std::string(kUnknownRegion) : info.region;
    w->startElement("agentReferences");
    internal::writeOrganisation(*w, organisationUri(p.getId().cStr()), info, p.getId().cStr(),
                                region);
  }
  w->endElement();
  EICHUB_RETURN_IF_ERROR(w->finish());
  // The OAI envelope has its own declaration.
  if (out.starts_with("<?xml")) out.erase(0, out.find("?>") + 2);
  while (!out.empty() && (out.front() == '\n' || out.front() == '\r')) out.erase(0, 1);
  return out;
}

}  // namespace eichub::elm
