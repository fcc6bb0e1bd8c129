#include "node/http/oai/oai_xml.h"

#include <ctime>

#include <fmt/core.h>

#include "node/catalog/change.h"
#include "node/elm/elm_record.h"

namespace eichub::http::oai {
namespace {

std::string dcSource(capnp::Text::Reader t) { return std::string(t.cStr(), t.size()); }

void dcTexts(std::string& out, std::string_view name, capnp::List<schema::LangText>::Reader texts) {
  for (auto t : texts) {
    out += fmt::format("<dc:{} xml:lang=\"{}\">{}</dc:{}>", name, escape(dcSource(t.getLang())),
                       escape(dcSource(t.getText())), name);
  }
}

void dcText(std::string& out, std::string_view name, std::string_view text) {
  if (!text.empty()) out += fmt::format("<dc:{}>{}</dc:{}>", name, escape(text), name);
}

std::string dublinCore(schema::Record::Reader record) {
  std::string out =
      "<oai_dc:dc xmlns:oai_dc=\"http://www.openarchives.org/OAI/2.0/oai_dc/\" "
      "xmlns:dc=\"http://purl.org/dc/elements/1.1/\" "
      "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" "
      "xsi:schemaLocation=\"http://www.openarchives.org/OAI/2.0/oai_dc/ "
      "http://www.openarchives.org/OAI/2.0/oai_dc.xsd\">";
  if (record.isLearningResource()) {
    auto lr = record.getLearningResource();
    dcTexts(out, "title", lr.getTitle());
    dcTexts(out, "description", lr.getDescription());
    // oai_dc cannot mark a skill as suggested (SkillRef.suggested): only asserted ones go in.
    for (auto t : lr.getTeaches()) {
      if (!t.getSuggested()) dcText(out, "subject", dcSource(t.getSkill()));
    }
    for (auto k : lr.getKeywords()) {
      out += fmt::format("<dc:subject xml:lang=\"{}\">{}</dc:subject>",
                         escape(dcSource(k.getLang())), escape(dcSource(k.getText())));
    }
    dcText(out, "publisher", dcSource(lr.getProvider()));
    dcText(out, "type", "LearningResource");
    dcText(out, "identifier", dcSource(lr.getUrl()));
    for (auto l : lr.getLanguages()) dcText(out, "language", dcSource(l));
    dcText(out, "coverage", dcSource(lr.getRegion()));
    dcText(out, "rights", dcSource(lr.getLicence()));
  } else {
    auto p = record.getProvider();
    dcTexts(out, "title", p.getName());
    dcText(out, "type", "Provider");
    dcText(out, "identifier", dcSource(p.getUrl()));
    dcText(out, "coverage", dcSource(p.getRegion()));
  }
  return out + "</oai_dc:dc>";
}

}  // namespace

std::string escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string utcDatestamp(int64_t seconds) {
  std::time_t t = static_cast<std::time_t>(seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buffer;
}

std::string openEnvelope(int64_t now, const std::string& request_element) {
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
         "<OAI-PMH xmlns=\"http://www.openarchives.org/OAI/2.0/\" "
         "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" "
         "xsi:schemaLocation=\"http://www.openarchives.org/OAI/2.0/ "
         "http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd\">"
         "<responseDate>" +
         utcDatestamp(now) + "</responseDate>" + request_element;
}

std::string closeEnvelope() { return "</OAI-PMH>\n"; }

std::string itemHeader(const std::string& repository, const Item& item) {
  std::string out = item.deleted() ? "<header status=\"deleted\">" : "<header>";
  out += "<identifier>" + escape(identifier(repository, item.state.key)) + "</identifier>";
  out += "<datestamp>" + utcDatestamp(datestampSeconds(item.state)) + "</datestamp>";
  for (const std::string& set : setsOf(item)) out += "<setSpec>" + escape(set) + "</setSpec>";
  return out + "</header>";
}

Result<std::string> itemMetadata(const Item& item, std::string_view prefix) {
  if (item.deleted()) return std::string();
  EICHUB_ASSIGN_OR_RETURN(auto reader, catalog::RecordReader::open(item.state.body));
  schema::Record::Reader record = reader->root();
  if (prefix == kDcPrefix) return "<metadata>" + dublinCore(record) + "</metadata>";
  EICHUB_ASSIGN_OR_RETURN(std::string elm, elm::recordElm(record, item.state.key.author));
  return "<metadata>" + elm + "</metadata>";
}

}  // namespace eichub::http::oai
