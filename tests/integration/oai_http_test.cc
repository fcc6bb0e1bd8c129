// The OAI-PMH provider at /oai on a real daemon over real HTTP: every verb, harvests through
// resumption tokens while records change, selective harvests, every error code; the answers'
// structure read with libxml2; and a harvest by Debian's HTTP::OAI::Harvester when installed.
#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <thread>

#include <gtest/gtest.h>
#include <httplib.h>
#include <libxml/parser.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>

#include "tests/multinode/node_process.h"
#include "tests/testing/process.h"
#include "tests/testing/temp_dir.h"

namespace eichub {
namespace {

using testing::NodeProcess;

constexpr char kToken[] = "test-token-0123456789abcdef";
constexpr char kHarvester[] = "/usr/share/perl5/HTTP/OAI/Harvester.pm";

// One OAI-PMH answer parsed by libxml2, queried by XPath with the prefixes o (OAI-PMH),
// dc, oai_dc and loq registered.
class Answer {
 public:
  explicit Answer(const std::string& body)
      : doc_(xmlReadMemory(body.data(), static_cast<int>(body.size()), "oai.xml", nullptr,
                           XML_PARSE_NONET)) {
    if (doc_ == nullptr) return;
    context_ = xmlXPathNewContext(doc_);
    const char* const ns[][2] = {{"o", "http://www.openarchives.org/OAI/2.0/"},
                                 {"oai_dc", "http://www.openarchives.org/OAI/2.0/oai_dc/"},
                                 {"dc", "http://purl.org/dc/elements/1.1/"},
                                 {"loq", "http://data.europa.eu/snb/model/ap/loq-constraints/"}};
    for (const auto& n : ns) {
      xmlXPathRegisterNs(context_, reinterpret_cast<const xmlChar*>(n[0]),
                         reinterpret_cast<const xmlChar*>(n[1]));
    }
  }
  ~Answer() {
    if (context_ != nullptr) xmlXPathFreeContext(context_);
    if (doc_ != nullptr) xmlFreeDoc(doc_);
  }
  Answer(const Answer&) = delete;
  Answer& operator=(const Answer&) = delete;

  bool parsed() const { return doc_ != nullptr; }
  std::vector<std::string> texts(const std::string& path) const {
    std::vector<std::string> out;
    if (context_ == nullptr) return out;
    xmlXPathObjectPtr result =
        xmlXPathEvalExpression(reinterpret_cast<const xmlChar*>(path.c_str()), context_);
    if (result == nullptr) return out;
    if (result->nodesetval != nullptr) {
      for (int i = 0; i < result->nodesetval->nodeNr; ++i) {
        xmlChar* content = xmlNodeGetContent(result->nodesetval->nodeTab[i]);
        out.emplace_back(content == nullptr ? "" : reinterpret_cast<const char*>(content));
        xmlFree(content);
      }
    }
    xmlXPathFreeObject(result);
    return out;
  }
  size_t count(const std::string& path) const { return texts(path).size(); }
  std::string text(const std::string& path) const {
    auto all = texts(path);
    return all.empty() ? "" : all.front();
  }
  std::string error() const { return text("/o:OAI-PMH/o:error/@code"); }

 private:
  xmlDocPtr doc_ = nullptr;
  xmlXPathContextPtr context_ = nullptr;
};

std::string resource(const std::string& id, const std::string& title,
                     const std::string& region = "UKE42") {
  return R"({"kind":"LearningResource","id":")" + id + R"(","title":{"en":")" + title +
         R"("},"sectors":["healthcare"],"region":")" + region + "\"}\n";
}

std::string deletion(const std::string& id) {
  return R"({"kind":"LearningResource","id":")" + id +
         R"(","op":"delete"})"
         "\n";
}

class OaiHttpTest : public ::testing::Test {
 protected:
  void SetUp() override {
    node_ = std::make_unique<NodeProcess>(dir_.file("a"), "Leeds", "UKE42");
    node_->setApiToken(kToken);
    node_->start();
    address_ = node_->httpAddress();
    ASSERT_FALSE(address_.empty()) << "daemon.json has no http address";
    size_t colon = address_.rfind(':');
    client_ = std::make_unique<httplib::Client>(address_.substr(0, colon),
                                                std::stoi(address_.substr(colon + 1)));
    client_->set_read_timeout(60, 0);
  }
  void publish(const std::string& body) {
    httplib::Headers headers{{"Authorization", std::string("Bearer ") + kToken}};
    auto res = client_->Post("/api/v1/publish", headers, body, "application/x-ndjson");
    ASSERT_TRUE(res) << httplib::to_string(res.error());
    ASSERT_EQ(res->status, 200) << res->body;
  }
  void publishMany(const std::string& prefix, int n) {
    std::string body;
    for (int i = 0; i < n; ++i) body += resource(prefix + std::to_string(i), "Course " + prefix);
    publish(body);
  }
  // The answer body of GET /oai?query, which must be a 200 text/xml answer.
  std::string oai(const std::string& query) {
    auto res = client_->Get("/oai?" + query);
    EXPECT_TRUE(res) << httplib::to_string(res.error());
    if (!res) return "";
    EXPECT_EQ(res->status, 200) << query;
    EXPECT_EQ(res->get_header_value("Content-Type"), "text/xml; charset=utf-8");
    return res->body;
  }
  std::string identifier(const std::string& id) {
    return "oai:leeds:LearningResource/" + node_->nodeId() + "/" + id;
  }

  // Every identifier a ListIdentifiers harvest returns (first query, then resumption tokens);
  // pages runs before each page after the first.
  struct Harvested {
    std::vector<std::string> ids;
    std::set<std::string> deleted;
    std::vector<std::string> cursors;
    std::string complete;
    size_t pages = 0;
  };
  Harvested harvest(const std::string& query, const std::function<void(size_t)>& between = {}) {
    Harvested out;
    std::string next = query;
    for (;;) {
      Answer a(oai(next));
      EXPECT_TRUE(a.parsed());
      EXPECT_EQ(a.error(), "") << next;
      ++out.pages;
      for (const std::string& id : a.texts("//o:header/o:identifier")) out.ids.push_back(id);
      for (const std::string& id : a.texts("//o:header[@status='deleted']/o:identifier")) {
        out.deleted.insert(id);
      }
      std::string token = a.text("//o:resumptionToken");
      if (a.count("//o:resumptionToken") > 0) {
        out.cursors.push_back(a.text("//o:resumptionToken/@cursor"));
        out.complete = a.text("//o:resumptionToken/@completeListSize");
      }
      if (token.empty() || out.pages > 100) return out;
      if (between) between(out.pages);
      next = "verb=ListIdentifiers&resumptionToken=" + httplib::detail::encode_query_param(token);
    }
  }

  testing::TempDir dir_;
  std::unique_ptr<NodeProcess> node_;
  std::unique_ptr<httplib::Client> client_;
  std::string address_;
};

TEST_F(OaiHttpTest, IdentifyAnswersOverGetAndPost) {
  publishMany("leeds/lr/", 3);
  Answer get(oai("verb=Identify"));
  ASSERT_TRUE(get.parsed());
  EXPECT_EQ(get.text("/o:OAI-PMH/o:Identify/o:repositoryName"), "Leeds");
  EXPECT_EQ(get.text("//o:baseURL"), "http://" + address_ + "/oai");
  EXPECT_EQ(get.text("//o:protocolVersion"), "2.0");
  EXPECT_EQ(get.text("//o:deletedRecord"), "persistent");
  EXPECT_EQ(get.text("//o:granularity"), "YYYY-MM-DDThh:mm:ssZ");
  EXPECT_EQ(get.text("//o:earliestDatestamp").size(), 20u);
  EXPECT_EQ(get.text("/o:OAI-PMH/o:request/@verb"), "Identify");
  auto post = client_->Post("/oai", "verb=Identify", "application/x-www-form-urlencoded");
  ASSERT_TRUE(post);
  EXPECT_EQ(post->status, 200);
  Answer posted(post->body);
  EXPECT_EQ(posted.text("//o:repositoryName"), "Leeds");
}

TEST_F(OaiHttpTest, FormatsSetsAndRecordsInBothFormats) {
  std::ifstream sample(testing::testDataDir() + "/sample/leeds.jsonl");
  publish(std::string((std::istreambuf_iterator<char>(sample)), {}));
  Answer formats(oai("verb=ListMetadataFormats"));
  EXPECT_EQ(formats.texts("//o:metadataPrefix"), (std::vector<std::string>{"oai_dc", "elm_loq"}));
  std::string id = identifier("leeds/lr/wound-care-essentials");
  Answer for_item(oai("verb=ListMetadataFormats&identifier=" + id));
  EXPECT_EQ(for_item.count("//o:metadataFormat"), 2u);

  Answer sets(oai("verb=ListSets"));
  auto specs = sets.texts("//o:set/o:setSpec");
  std::set<std::string> spec_set(specs.begin(), specs.end());
  for (std::string want :
       {"kind:LearningResource", "kind:Provider", "region:UKE42", "sector:healthcare"}) {
    EXPECT_TRUE(spec_set.count(want)) << want;
  }
  EXPECT_TRUE(spec_set.count("author:" + node_->nodeId()));

  Answer dc(oai("verb=GetRecord&metadataPrefix=oai_dc&identifier=" + id));
  EXPECT_EQ(dc.text("//o:record/o:header/o:identifier"), id);
  EXPECT_EQ(dc.text("//o:metadata/oai_dc:dc/dc:title"),
            "Wound Care Essentials for Healthcare Support Workers");
  EXPECT_EQ(dc.text("//o:metadata/oai_dc:dc/dc:coverage"), "UKE42");
  Answer elm(oai("verb=GetRecord&metadataPrefix=elm_loq&identifier=" + id));
  EXPECT_EQ(elm.count("//o:metadata/loq:Courses/loq:learningOpportunityReferences/"
                      "loq:learningOpportunity"),
            1u);
  std::string provider =
      "oai:leeds:Provider/" + node_->nodeId() + "/leeds/aire-valley-health-academy";
  Answer org(oai("verb=GetRecord&metadataPrefix=elm_loq&identifier=" + provider));
  EXPECT_EQ(org.count("//loq:agentReferences/loq:organisation"), 1u) << org.error();

  // A set selects, and ListRecords carries metadata for each header.
  Answer providers(oai("verb=ListRecords&metadataPrefix=oai_dc&set=kind:Provider"));
  size_t provider_lines = 0;
  std::ifstream again(testing::testDataDir() + "/sample/leeds.jsonl");
  for (std::string line; std::getline(again, line);) {
    provider_lines += line.find("\"kind\":\"Provider\"") != std::string::npos;
  }
  EXPECT_EQ(providers.count("//o:record/o:header"), provider_lines);
  EXPECT_EQ(providers.count("//o:record/o:metadata/oai_dc:dc"), provider_lines);
}

TEST_F(OaiHttpTest, AFullHarvestCountsEveryItemOnceThroughResumptionTokens) {
  publishMany("bulk/", 250);
  Harvested h = harvest("verb=ListIdentifiers&metadataPrefix=oai_dc");
  EXPECT_EQ(h.pages, 3u);
  EXPECT_EQ(h.ids.size(), 250u);
  EXPECT_EQ(std::set<std::string>(h.ids.begin(), h.ids.end()).size(), 250u);
  EXPECT_EQ(h.complete, "250");
  EXPECT_EQ(h.cursors, (std::vector<std::string>{"0", "100", "200"}));
  EXPECT_EQ(h.ids.front(), identifier("bulk/0"));
}

TEST_F(OaiHttpTest, ChangesDuringAHarvestNeitherSkipNorRepeat) {
  publishMany("bulk/", 250);
  Harvested h = harvest("verb=ListIdentifiers&metadataPrefix=oai_dc", [&](size_t page) {
    if (page != 1) return;
    // After the first page: items already sent and items still to come change, some are
    // deleted, new ones appear.
    publish(resource("bulk/3", "changed") + resource("bulk/150", "changed") +
            resource("bulk/240", "changed") + deletion("bulk/160") + deletion("bulk/5"));
    publishMany("late/", 5);
  });
  std::set<std::string> unique(h.ids.begin(), h.ids.end());
  EXPECT_EQ(h.ids.size(), 250u);
  EXPECT_EQ(unique.size(), 250u);
  for (int i = 0; i < 250; ++i) {
    EXPECT_TRUE(unique.count(identifier("bulk/" + std::to_string(i)))) << i;
  }
  EXPECT_FALSE(unique.count(identifier("late/0")));
  // The next harvest sees the new state: 255 items, two of them deleted.
  Harvested after = harvest("verb=ListIdentifiers&metadataPrefix=oai_dc");
  EXPECT_EQ(after.ids.size(), 255u);
  EXPECT_EQ(after.deleted, (std::set<std::string>{identifier("bulk/5"), identifier("bulk/160")}));
}

TEST_F(OaiHttpTest, ASelectiveHarvestReturnsExactlyWhatChanged) {
  publishMany("bulk/", 120);
  Harvested first = harvest("verb=ListIdentifiers&metadataPrefix=oai_dc");
  ASSERT_EQ(first.ids.size(), 120u);
  // Datestamps have second granularity: the changes come in a later second than the harvest.
  Answer now(oai("verb=Identify"));
  std::string stamp = now.text("//o:responseDate");
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  publish(resource("bulk/7", "changed") + resource("bulk/110", "changed") +
          resource("new/1", "new") + deletion("bulk/50"));
  Answer later(oai("verb=Identify"));
  ASSERT_GT(later.text("//o:responseDate"), stamp);
  // from is inclusive: the second after the first harvest's answer.
  std::time_t t = 0;
  {
    std::tm tm{};
    strptime(stamp.c_str(), "%Y-%m-%dT%H:%M:%SZ", &tm);
    t = timegm(&tm) + 1;
  }
  char from[32];
  std::tm tm{};
  gmtime_r(&t, &tm);
  std::strftime(from, sizeof from, "%Y-%m-%dT%H:%M:%SZ", &tm);
  Harvested changed =
      harvest(std::string("verb=ListIdentifiers&metadataPrefix=oai_dc&from=") + from);
  EXPECT_EQ(std::set<std::string>(changed.ids.begin(), changed.ids.end()),
            (std::set<std::string>{identifier("bulk/7"), identifier("bulk/110"),
                                   identifier("new/1"), identifier("bulk/50")}));
  EXPECT_EQ(changed.deleted, std::set<std::string>{identifier("bulk/50")});
  // until before the changes: the first harvest's items, less those changed since.
  Harvested before =
      harvest(std::string("verb=ListIdentifiers&metadataPrefix=oai_dc&until=") + stamp);
  EXPECT_EQ(before.ids.size(), 117u);
  // A deleted record is a header with status deleted and no metadata.
  Answer gone(oai("verb=GetRecord&metadataPrefix=oai_dc&identifier=" + identifier("bulk/50")));
  EXPECT_EQ(gone.text("//o:record/o:header/@status"), "deleted");
  EXPECT_EQ(gone.count("//o:record/o:metadata"), 0u);
}

// A first page is kept while the store stays where it was, and ListSets adds the sets of the
// changes since its last walk: a publish shows in both at once. A deleted record stays in the
// region and sector sets it was in, and ListSets keeps naming a set whose items were all
// deleted.
TEST_F(OaiHttpTest, WholeStoreAnswersFollowTheStoreAndDeletesKeepTheirSets) {
  publish(resource("r/1", "one", "UKE42"));
  Answer sets(oai("verb=ListSets"));
  auto specs = sets.texts("//o:set/o:setSpec");
  EXPECT_EQ(std::count(specs.begin(), specs.end(), "region:DE501"), 0);
  Answer first(oai("verb=ListIdentifiers&metadataPrefix=oai_dc"));
  EXPECT_EQ(first.count("//o:header"), 1u);
  EXPECT_EQ(Answer(oai("verb=ListIdentifiers&metadataPrefix=oai_dc")).count("//o:header"), 1u);

  publish(resource("r/2", "two", "DE501"));
  Answer moved(oai("verb=ListSets"));
  specs = moved.texts("//o:set/o:setSpec");
  EXPECT_EQ(std::count(specs.begin(), specs.end(), "region:DE501"), 1);
  EXPECT_EQ(Answer(oai("verb=ListIdentifiers&metadataPrefix=oai_dc")).count("//o:header"), 2u);

  publish(deletion("r/2"));
  // region:DE501's only item is deleted: the set is still listed, for its deletion.
  Answer after_delete(oai("verb=ListSets"));
  specs = after_delete.texts("//o:set/o:setSpec");
  EXPECT_EQ(std::count(specs.begin(), specs.end(), "region:DE501"), 1);
  Answer region(oai("verb=ListIdentifiers&metadataPrefix=oai_dc&set=region:DE"));
  EXPECT_EQ(region.texts("//o:header[@status='deleted']/o:identifier"),
            std::vector<std::string>{identifier("r/2")});
  Answer sector(oai("verb=ListIdentifiers&metadataPrefix=oai_dc&set=sector:healthcare"));
  EXPECT_EQ(sector.count("//o:header"), 2u);
  Answer gone(oai("verb=GetRecord&metadataPrefix=oai_dc&identifier=" + identifier("r/2")));
  auto gone_sets = gone.texts("//o:header/o:setSpec");
  EXPECT_EQ(std::count(gone_sets.begin(), gone_sets.end(), "region:DE501"), 1);
}

TEST_F(OaiHttpTest, EveryProtocolErrorIsAnOaiAnswer) {
  publishMany("bulk/", 120);
  Answer first(oai("verb=ListIdentifiers&metadataPrefix=oai_dc"));
  std::string token = first.text("//o:resumptionToken");
  ASSERT_FALSE(token.empty());
  std::string tampered = token;
  tampered[0] = tampered[0] == '9' ? '8' : '9';
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"", "badVerb"},
      {"verb=Frobnicate", "badVerb"},
      {"verb=Identify&verb=Identify", "badArgument"},
      {"verb=ListSets&verb=Identify", "badArgument"},
      {"verb=Identify&x%01=%FF", "badArgument"},
      {"verb=Identify&extra=1", "badArgument"},
      {"verb=ListRecords", "badArgument"},
      {"verb=GetRecord&metadataPrefix=oai_dc", "badArgument"},
      {"verb=ListRecords&metadataPrefix=oai_dc&from=yesterday", "badArgument"},
      {"verb=ListRecords&metadataPrefix=oai_dc&from=2020-01-01&until=2030-01-01T00:00:00Z",
       "badArgument"},
      {"verb=ListRecords&metadataPrefix=oai_dc&from=2030-01-01&until=2020-01-01", "badArgument"},
      {"verb=ListRecords&metadataPrefix=oai_dc&resumptionToken=" +
           httplib::detail::encode_query_param(token),
       "badArgument"},
      {"verb=ListRecords&resumptionToken=garbage", "badResumptionToken"},
      {"verb=ListIdentifiers&resumptionToken=" + httplib::detail::encode_query_param(tampered),
       "badResumptionToken"},
      // A token of one verb does not resume another.
      {"verb=ListRecords&resumptionToken=" + httplib::detail::encode_query_param(token),
       "badResumptionToken"},
      {"verb=ListSets&resumptionToken=x", "badResumptionToken"},
      {"verb=ListRecords&metadataPrefix=marc21", "cannotDisseminateFormat"},
      {"verb=GetRecord&metadataPrefix=marc21&identifier=" + identifier("bulk/1"),
       "cannotDisseminateFormat"},
      {"verb=GetRecord&metadataPrefix=oai_dc&identifier=" + identifier("nothing"),
       "idDoesNotExist"},
      {"verb=GetRecord&metadataPrefix=oai_dc&identifier=oai:elsewhere:x", "idDoesNotExist"},
      {"verb=ListMetadataFormats&identifier=oai:leeds:Skill/00/x", "idDoesNotExist"},
      {"verb=ListRecords&metadataPrefix=oai_dc&set=region:ZZ9", "noRecordsMatch"},
      {"verb=ListIdentifiers&metadataPrefix=oai_dc&from=2099-01-01", "noRecordsMatch"},
  };
  for (const auto& [query, code] : cases) {
    Answer a(oai(query));
    ASSERT_TRUE(a.parsed()) << query;
    EXPECT_EQ(a.error(), code) << query;
    EXPECT_EQ(a.count("/o:OAI-PMH/o:responseDate"), 1u) << query;
  }
  // The token still resumes its own harvest.
  Answer resumed(
      oai("verb=ListIdentifiers&resumptionToken=" + httplib::detail::encode_query_param(token)));
  EXPECT_EQ(resumed.error(), "");
  EXPECT_EQ(resumed.count("//o:header"), 20u);
}

TEST_F(OaiHttpTest, TheDashboardLinksTheBaseUrl) {
  auto page = client_->Get("/");
  ASSERT_TRUE(page);
  EXPECT_NE(page->body.find("href=\"/oai?verb=Identify\""), std::string::npos);
}

// Debian's HTTP::OAI::Harvester, which no one here wrote, harvests the node.
class OaiHarvesterTest : public OaiHttpTest {
 protected:
  std::vector<std::string> run(const std::vector<std::string>& args) {
    std::vector<std::string> argv = {
        "/usr/bin/perl", std::string(EICHUB_SOURCE_DIR) + "/tests/integration/oai_harvest.pl",
        "http://" + address_ + "/oai"};
    argv.insert(argv.end(), args.begin(), args.end());
    auto result = testing::runProcess(argv);
    EXPECT_EQ(result.exit_code, 0) << result.err.substr(0, 2000);
    std::vector<std::string> lines;
    std::stringstream in(result.out);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
  }
};

TEST_F(OaiHarvesterTest, HarvestsThroughTokensSelectivelyAndMeetsEachError) {
  std::error_code ec;
  if (!std::filesystem::exists(kHarvester, ec)) {
    GTEST_SKIP() << "libhttp-oai-perl is not installed (ops/install-deps installs it)";
  }
  publishMany("bulk/", 230);
  auto identify = run({"Identify"});
  EXPECT_EQ(identify, (std::vector<std::string>{"name Leeds", "deleted persistent",
                                                "granularity YYYY-MM-DDThh:mm:ssZ"}));
  for (std::string prefix : {"oai_dc", "elm_loq"}) {
    auto records = run({"ListRecords", "metadataPrefix=" + prefix});
    EXPECT_EQ(records.size(), 230u) << prefix;
    EXPECT_EQ(std::set<std::string>(records.begin(), records.end()).size(), 230u) << prefix;
  }
  auto ids = run({"ListIdentifiers", "metadataPrefix=oai_dc"});
  EXPECT_EQ(ids.size(), 230u);

  Answer now(oai("verb=Identify"));
  std::string stamp = now.text("//o:responseDate");
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  publish(resource("bulk/1", "changed") + resource("new/1", "new") + deletion("bulk/2"));
  std::tm tm{};
  strptime(stamp.c_str(), "%Y-%m-%dT%H:%M:%SZ", &tm);
  std::time_t t = timegm(&tm) + 1;
  gmtime_r(&t, &tm);
  char from[32];
  std::strftime(from, sizeof from, "%Y-%m-%dT%H:%M:%SZ", &tm);
  auto changed = run({"ListRecords", "metadataPrefix=oai_dc", std::string("from=") + from});
  EXPECT_EQ(std::set<std::string>(changed.begin(), changed.end()),
            (std::set<std::string>{"id " + identifier("bulk/1"), "id " + identifier("new/1"),
                                   "id " + identifier("bulk/2") + " deleted"}));

  const std::vector<std::pair<std::vector<std::string>, std::string>> errors = {
      {{"ListRecords", "metadataPrefix=marc21"}, "error cannotDisseminateFormat"},
      {{"ListRecords", "metadataPrefix=oai_dc", "set=region:ZZ9"}, "error noRecordsMatch"},
      {{"GetRecord", "metadataPrefix=oai_dc", "identifier=oai:leeds:x"}, "error idDoesNotExist"},
      {{"ListRecords", "resumptionToken=forged"}, "error badResumptionToken"},
      {{"ListRecords", "metadataPrefix=oai_dc", "from=soon"}, "error badArgument"},
      {{"ListIdentifiers"}, "error badArgument"},
  };
  for (const auto& [args, want] : errors) {
    auto lines = run(args);
    EXPECT_EQ(lines, std::vector<std::string>{want}) << args[0] << " " << args.back();
  }
}

}  // namespace
}  // namespace eichub
