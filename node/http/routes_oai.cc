// GET and POST /oai: the OAI-PMH 2.0 data provider (docs/oai.md). Items are the learning
// resources and providers held; every protocol error is an OAI error answer with status 200.
#include <chrono>
#include <ctime>
#include <memory>
#include <set>

#include <fmt/core.h>

#include "federation/common/utf8.h"
#include "node/http/oai/oai_cache.h"
#include "node/http/oai/oai_items.h"
#include "node/http/oai/oai_tokens.h"
#include "node/http/oai/oai_xml.h"
#include "node/http/routes.h"
#include "node/log.h"

namespace eichub::http {
namespace {

constexpr size_t kPageItems = 100;          // items per ListRecords/ListIdentifiers page
constexpr size_t kMaxArgumentBytes = 1024;  // longest argument name or value accepted
constexpr int kRetryAfterSeconds = 5;       // when the store cannot be read
constexpr size_t kMaxArguments = 16;        // more is no OAI-PMH request
constexpr std::string_view kDefaultRepository = "eichub";

struct OaiArgs {
  std::map<std::string, std::string> values;
  bool has(const std::string& name) const { return values.count(name) > 0; }
  std::string get(const std::string& name) const {
    auto it = values.find(name);
    return it == values.end() ? std::string() : it->second;
  }
};

struct OaiAnswer {
  std::string request;       // the <request> element
  std::string body;          // the verb's element, or the error(s)
  bool unavailable = false;  // the store failed: not a protocol error, so 503 and Retry-After
};

std::string errorXml(std::string_view code, std::string_view message) {
  return fmt::format("<error code=\"{}\">{}</error>", code, oai::escape(message));
}

// The repository identifier of item identifiers: the node's name, lower case, with what a
// domain-like name may not hold replaced by '-'.
std::string repositoryId(const std::string& name) {
  std::string out;
  for (char c : name) {
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-') {
      out += c;
    } else if (c >= 'A' && c <= 'Z') {
      out += static_cast<char>(c - 'A' + 'a');
    } else {
      out += '-';
    }
  }
  return out.empty() ? std::string(kDefaultRepository) : out;
}

// Seconds of a from/until value (YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ); a day's until is its
// last second. Sets *day to whether the value had day granularity.
std::optional<int64_t> parseDatestamp(const std::string& text, bool until, bool* day) {
  std::tm tm{};
  const char* end = nullptr;
  if (text.size() == 10) {
    end = strptime(text.c_str(), "%Y-%m-%d", &tm);
    *day = true;
  } else if (text.size() == 20) {
    end = strptime(text.c_str(), "%Y-%m-%dT%H:%M:%SZ", &tm);
    *day = false;
  }
  if (end == nullptr || *end != '\0') return std::nullopt;
  int64_t seconds = static_cast<int64_t>(timegm(&tm));
  return *day && until ? seconds + 86'399 : seconds;
}

// The arguments as sent, repeats included (httplib's params drop a repeated identical pair):
// the query of a GET, the form body of a POST. nullopt beyond kMaxArguments.
std::optional<std::vector<std::pair<std::string, std::string>>> rawArguments(
    const httplib::Request& req) {
  std::string query;
  if (req.method == "POST") {
    query = req.body;
  } else if (size_t q = req.target.find('?'); q != std::string::npos) {
    query = req.target.substr(q + 1);
  }
  std::vector<std::pair<std::string, std::string>> out;
  size_t start = 0;
  while (start <= query.size()) {
    size_t end = query.find('&', start);
    if (end == std::string::npos) end = query.size();
    std::string_view pair = std::string_view(query).substr(start, end - start);
    start = end + 1;
    if (pair.empty()) continue;
    if (out.size() == kMaxArguments) return std::nullopt;
    size_t eq = pair.find('=');
    std::string name(pair.substr(0, eq));
    std::string value(eq == std::string_view::npos ? "" : pair.substr(eq + 1));
    out.emplace_back(httplib::detail::decode_url(name, true),
                     httplib::detail::decode_url(value, true));
  }
  return out;
}

bool knownPrefix(const std::string& prefix) {
  return prefix == oai::kDcPrefix || prefix == oai::kElmPrefix;
}

std::string formatsXml() {
  return "<metadataFormat><metadataPrefix>oai_dc</metadataPrefix>"
         "<schema>http://www.openarchives.org/OAI/2.0/oai_dc.xsd</schema>"
         "<metadataNamespace>http://www.openarchives.org/OAI/2.0/oai_dc/</metadataNamespace>"
         "</metadataFormat>"
         "<metadataFormat><metadataPrefix>elm_loq</metadataPrefix>"
         "<schema>https://raw.githubusercontent.com/european-commission-empl/"
         "European-Learning-Model/main/Application%20Profiles/LOQ/3.1.0/loq.xsd</schema>"
         "<metadataNamespace>http://data.europa.eu/snb/model/ap/loq-constraints/"
         "</metadataNamespace></metadataFormat>";
}

class OaiProvider {
 public:
  explicit OaiProvider(ApiContext& context)
      : context_(context), repository_(repositoryId(context.node.name)) {}

  OaiAnswer answer(const httplib::Request& req) {
    OaiArgs args;
    std::string base = "http://" + req.get_header_value("Host") + "/oai";
    std::string bare = "<request>" + oai::escape(base) + "</request>";
    auto raw = rawArguments(req);
    if (!raw) return {bare, errorXml("badArgument", "too many arguments")};
    for (const auto& [name, value] : *raw) {
      if (args.has(name)) return {bare, errorXml("badArgument", "repeated argument " + name)};
      if (name.size() > kMaxArgumentBytes || value.size() > kMaxArgumentBytes) {
        return {bare, errorXml("badArgument", "an argument is longer than 1 KiB")};
      }
      if (!isValidUtf8(name) || !isValidUtf8(value)) {
        return {bare, errorXml("badArgument", "an argument is not valid UTF-8")};
      }
      args.values[name] = value;
    }
    std::string verb = args.get("verb");
    static const std::map<std::string, std::pair<std::set<std::string>, std::set<std::string>>>
        kVerbs = {
            // verb -> (required, allowed) arguments besides verb
            {"Identify", {{}, {}}},
            {"ListMetadataFormats", {{}, {"identifier"}}},
            {"ListSets", {{}, {"resumptionToken"}}},
            {"GetRecord", {{"identifier", "metadataPrefix"}, {"identifier", "metadataPrefix"}}},
            {"ListIdentifiers",
             {{}, {"metadataPrefix", "from", "until", "set", "resumptionToken"}}},
            {"ListRecords", {{}, {"metadataPrefix", "from", "until", "set", "resumptionToken"}}},
        };
    auto spec = kVerbs.find(verb);
    if (spec == kVerbs.end()) {
      return {bare, errorXml("badVerb", verb.empty() ? "no verb" : "unknown verb " + verb)};
    }
    for (const auto& [name, value] : args.values) {
      if (name != "verb" && spec->second.second.count(name) == 0) {
        return {bare, errorXml("badArgument", verb + " does not take " + name)};
      }
    }
    for (const std::string& name : spec->second.first) {
      if (!args.has(name)) return {bare, errorXml("badArgument", verb + " needs " + name)};
    }
    std::string request = "<request";
    for (const auto& [name, value] : args.values) {
      request += " " + name + "=\"" + oai::escape(value) + "\"";
    }
    request += ">" + oai::escape(base) + "</request>";
    auto body = run(verb, args, base);
    if (!body.ok()) {
      log::warn("event=oai_failed verb={} err=\"{}\"", verb, body.status().message());
      return {request, "", true};
    }
    return {request, *body};
  }

 private:
  Result<std::string> run(const std::string& verb, const OaiArgs& args, const std::string& base) {
    if (verb == "Identify") return identify(base);
    if (verb == "ListMetadataFormats") {
      if (args.has("identifier")) {
        EICHUB_ASSIGN_OR_RETURN(auto item, find(args.get("identifier")));
        if (!item) return errorXml("idDoesNotExist", "no item " + args.get("identifier"));
      }
      return "<ListMetadataFormats>" + formatsXml() + "</ListMetadataFormats>";
    }
    if (verb == "ListSets") {
      if (args.has("resumptionToken")) {
        return errorXml("badResumptionToken", "ListSets answers in one page");
      }
      return listSets();
    }
    if (verb == "GetRecord") return getRecord(args);
    return list(verb, args);
  }

  // Every feed's head as held now: the bound of a whole-store walk (oai::walkItems).
  Result<oai::Heads> heldHeads() {
    EICHUB_ASSIGN_OR_RETURN(auto feeds, context_.store.queries().feeds());
    oai::Heads heads;
    for (const store::FeedInfo& f : feeds) heads[f.author] = f.head.seq;
    return heads;
  }

  // A steady clock's milliseconds: how long AnswerCache keeps Identify's answer.
  static int64_t steadyMs() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
  }

  // Where the store is now; read before the store itself (AnswerCache).
  Result<oai::StorePosition> storePosition() {
    oai::StorePosition at;
    at.applied = context_.applied.current();
    EICHUB_ASSIGN_OR_RETURN(at.last_change, context_.store.queries().lastChange());
    return at;
  }

  // The oldest datestamp held: a scan of every item, once per store position or per
  // kSummaryKeptMs while the store moves.
  Result<std::string> earliestDatestamp() {
    EICHUB_ASSIGN_OR_RETURN(oai::StorePosition at, storePosition());
    const int64_t now_ms = steadyMs();
    if (auto kept = cache_.identify(at, now_ms)) return *kept;
    int64_t earliest = 0;
    bool any = false;
    for (catalog::Kind kind : {catalog::Kind::LEARNING_RESOURCE, catalog::Kind::PROVIDER}) {
      EICHUB_RETURN_IF_ERROR(
          context_.store.queries().forEachRecord(kind, [&](const store::RecordState& state) {
            int64_t t = oai::datestampSeconds(state);
            if (!any || t < earliest) earliest = t;
            any = true;
          }));
    }
    std::string stamp = oai::utcDatestamp(earliest);
    cache_.keepIdentify(at, now_ms, stamp);
    return stamp;
  }

  Result<std::string> identify(const std::string& base) {
    EICHUB_ASSIGN_OR_RETURN(std::string earliest, earliestDatestamp());
    std::string name = context_.node.name.empty() ? "eichub node" : context_.node.name;
    return "<Identify><repositoryName>" + oai::escape(name) + "</repositoryName><baseURL>" +
           oai::escape(base) +
           "</baseURL><protocolVersion>2.0</protocolVersion>"
           "<adminEmail>" +
           oai::escape(context_.node.contact.find('@') != std::string::npos ? context_.node.contact
                                                                            : "nobody@invalid") +
           "</adminEmail><earliestDatestamp>" + earliest +
           "</earliestDatestamp><deletedRecord>persistent</deletedRecord>"
           "<granularity>YYYY-MM-DDThh:mm:ssZ</granularity></Identify>";
  }

  Result<std::optional<oai::Item>> find(const std::string& id) {
    auto key = oai::parseIdentifier(repository_, id);
    if (!key) return std::optional<oai::Item>();
    auto state = context_.store.queries().record(*key);
    if (!state.ok()) {
      if (state.status().isNotFound()) return std::optional<oai::Item>();
      return state.status();
    }
    oai::Item item;
    item.state = std::move(*state);
    EICHUB_RETURN_IF_ERROR(oai::endedSets(context_.store, item));
    return std::optional<oai::Item>(std::move(item));
  }

  Result<std::string> getRecord(const OaiArgs& args) {
    if (!knownPrefix(args.get("metadataPrefix"))) {
      return errorXml("cannotDisseminateFormat", "unknown metadataPrefix");
    }
    EICHUB_ASSIGN_OR_RETURN(auto item, find(args.get("identifier")));
    if (!item) return errorXml("idDoesNotExist", "no item " + args.get("identifier"));
    EICHUB_ASSIGN_OR_RETURN(std::string metadata,
                            oai::itemMetadata(*item, args.get("metadataPrefix")));
    return "<GetRecord><record>" + oai::itemHeader(repository_, *item) + metadata +
           "</record></GetRecord>";
  }

  // Every set an item is in, deleted items included: a set whose items were all deleted still
  // has their deletions to harvest, so a harvester must be able to name it. The first request
  // walks the change feed; each later one only the changes made since the last walk.
  Result<std::string> listSets() {
    EICHUB_ASSIGN_OR_RETURN(oai::StorePosition at, storePosition());
    oai::SetsSoFar sets =
        cache_.sets().value_or(oai::SetsSoFar{{}, {"kind:LearningResource", "kind:Provider"}});
    if (sets.at.last_change != at.last_change) {
      EICHUB_ASSIGN_OR_RETURN(oai::Heads heads, heldHeads());
      EICHUB_RETURN_IF_ERROR(oai::walkItems(context_.store, heads, oai::Selection{},
                                            sets.at.last_change, [&](const oai::Item& item) {
                                              for (std::string& set : oai::setsOf(item)) {
                                                sets.names.insert(std::move(set));
                                              }
                                              return true;
                                            }));
      sets.at = at;
      cache_.keepSets(sets);
    }
    std::string out = "<ListSets>";
    for (const std::string& set : sets.names) {
      out += "<set><setSpec>" + oai::escape(set) + "</setSpec><setName>" + oai::escape(set) +
             "</setName></set>";
    }
    out += "</ListSets>";
    return out;
  }

  // One page of a harvest: the items after change number `after`, at most kPageItems.
  Result<oai::FirstPage> page(const oai::Harvest& harvest, uint64_t after) {
    const bool records = harvest.verb == "ListRecords";
    oai::FirstPage out;
    out.last = after;
    Status failed = Status::OK();
    EICHUB_RETURN_IF_ERROR(oai::walkItems(
        context_.store, harvest.heads, harvest.selection, after, [&](const oai::Item& item) {
          if (out.count == kPageItems) {
            out.more = true;
            return false;
          }
          std::string header = oai::itemHeader(repository_, item);
          if (records) {
            auto metadata = oai::itemMetadata(item, harvest.selection.metadata_prefix);
            if (!metadata.ok()) {
              failed = metadata.status();
              return false;
            }
            out.items += "<record>" + header + *metadata + "</record>";
          } else {
            out.items += header;
          }
          ++out.count;
          out.last = item.number;
          return true;
        }));
    EICHUB_RETURN_IF_ERROR(failed);
    return out;
  }

  // A new harvest's bound, completeListSize and first page: a walk of the whole change feed,
  // once per store position and selection.
  Result<oai::FirstPage> firstPage(const oai::Harvest& harvest) {
    EICHUB_ASSIGN_OR_RETURN(oai::StorePosition at, storePosition());
    const oai::Selection& s = harvest.selection;
    const std::string key =
        fmt::format("{} {} {} {} {}", harvest.verb, s.metadata_prefix, s.from, s.until, s.set);
    if (auto kept = cache_.firstPage(at, key)) return *kept;
    oai::Harvest bound = harvest;
    EICHUB_ASSIGN_OR_RETURN(bound.heads, heldHeads());
    uint64_t complete = 0;
    EICHUB_RETURN_IF_ERROR(
        oai::walkItems(context_.store, bound.heads, s, 0, [&complete](const oai::Item&) {
          ++complete;
          return true;
        }));
    EICHUB_ASSIGN_OR_RETURN(oai::FirstPage first, page(bound, 0));
    first.heads = std::move(bound.heads);
    first.complete = complete;
    cache_.keepFirstPage(at, key, first);
    return first;
  }

  Result<std::string> list(const std::string& verb, const OaiArgs& args) {
    int64_t now = static_cast<int64_t>(std::time(nullptr));
    oai::Harvest harvest;
    oai::Position position;
    oai::FirstPage answer;
    if (args.has("resumptionToken")) {
      if (args.values.size() != 2) {
        return errorXml("badArgument", "resumptionToken is an exclusive argument");
      }
      auto resumed = book_.resume(args.get("resumptionToken"), now);
      if (!resumed || resumed->first.verb != verb) {
        return errorXml("badResumptionToken", "the resumption token is invalid or expired");
      }
      harvest = std::move(resumed->first);
      position = resumed->second;
      EICHUB_ASSIGN_OR_RETURN(answer, page(harvest, position.after));
    } else {
      if (!args.has("metadataPrefix"))
        return errorXml("badArgument", verb + " needs metadataPrefix");
      harvest.verb = verb;
      harvest.selection.metadata_prefix = args.get("metadataPrefix");
      harvest.selection.set = args.get("set");
      bool from_day = false;
      bool until_day = false;
      if (args.has("from")) {
        auto from = parseDatestamp(args.get("from"), false, &from_day);
        if (!from) return errorXml("badArgument", "from is not a UTC datestamp");
        harvest.selection.from = *from;
      }
      if (args.has("until")) {
        auto until = parseDatestamp(args.get("until"), true, &until_day);
        if (!until) return errorXml("badArgument", "until is not a UTC datestamp");
        harvest.selection.until = *until;
      }
      if (args.has("from") && args.has("until") && from_day != until_day) {
        return errorXml("badArgument", "from and until have different granularities");
      }
      if (harvest.selection.from > harvest.selection.until) {
        return errorXml("badArgument", "from is later than until");
      }
      if (!knownPrefix(harvest.selection.metadata_prefix)) {
        return errorXml("cannotDisseminateFormat", "unknown metadataPrefix");
      }
      EICHUB_ASSIGN_OR_RETURN(answer, firstPage(harvest));
      if (answer.complete == 0) return errorXml("noRecordsMatch", "no items match");
      harvest.heads = answer.heads;
      harvest.complete = answer.complete;
      harvest.expires = now + oai::kTokenLifetimeSeconds;
      position.harvest = book_.begin(harvest);
    }
    std::string out = "<" + verb + ">" + answer.items;
    uint64_t cursor = position.cursor;
    if (answer.more) {
      std::string token = book_.token({position.harvest, answer.last, cursor + answer.count});
      out += fmt::format(
          "<resumptionToken expirationDate=\"{}\" completeListSize=\"{}\" "
          "cursor=\"{}\">{}</resumptionToken>",
          oai::utcDatestamp(harvest.expires), harvest.complete, cursor, oai::escape(token));
    } else if (args.has("resumptionToken")) {
      out += fmt::format("<resumptionToken completeListSize=\"{}\" cursor=\"{}\"/>",
                         harvest.complete, cursor);
    }
    return out + "</" + verb + ">";
  }

  ApiContext& context_;
  std::string repository_;
  oai::HarvestBook book_;
  oai::AnswerCache cache_;
};

}  // namespace

void addOaiRoutes(httplib::Server& server, ApiContext& context) {
  auto provider = std::make_shared<OaiProvider>(context);
  auto handler = [provider](const httplib::Request& req, httplib::Response& res) {
    OaiAnswer a = provider->answer(req);
    if (a.unavailable) {
      // OAI-PMH's flow control: harvesters retry a 503 after Retry-After.
      res.status = 503;
      res.set_header("Retry-After", std::to_string(kRetryAfterSeconds));
      res.set_content("the store could not be read; retry later\n", "text/plain");
      return;
    }
    int64_t now = static_cast<int64_t>(std::time(nullptr));
    res.status = 200;
    res.set_content(oai::openEnvelope(now, a.request) + a.body + oai::closeEnvelope(),
                    "text/xml; charset=utf-8");
  };
  server.Get("/oai", handler);
  server.Post("/oai", handler);
}

}  // namespace eichub::http
