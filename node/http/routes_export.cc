// GET /export/elm.xml: the learning resources held as Europass ELM (LOQ 3.1.0), the URL a
// publisher gives the Qualification Dataset Register. Streamed as the store is read (chunked),
// with an ETag and Last-Modified from the store's change position, so that the register's
// re-reads cost a 304 while nothing changed. ?author=, ?region= and ?lang= filter as the CLI's
// export elm does.
#include <algorithm>
#include <atomic>
#include <ctime>
#include <memory>
#include <sstream>

#include <fmt/core.h>

#include "federation/common/mutex.h"
#include "federation/crypto/sha256.h"
#include "node/elm/elm_export.h"
#include "node/http/json_reply.h"
#include "node/http/query_params.h"
#include "node/http/routes.h"
#include "node/log.h"

namespace eichub::http {
namespace {

constexpr int kExportRetryAfterSeconds = 5;

// When this process first saw each change position: the Last-Modified of the export at that
// position. A restart forgets it, so the first answer after one is a full 200: conservative.
struct ExportState {
  Mutex mutex;
  uint64_t number EICHUB_GUARDED_BY(mutex) = 0;
  int64_t seen EICHUB_GUARDED_BY(mutex) = 0;  // seconds since the epoch, 0 before the first
  std::atomic<int> running{0};
};

std::string httpDate(int64_t seconds) {
  std::time_t t = static_cast<std::time_t>(seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buffer[64];
  std::strftime(buffer, sizeof buffer, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return buffer;
}

// Seconds since the epoch of an HTTP date (IMF-fixdate), or -1 when it is not one.
int64_t parseHttpDate(const std::string& text) {
  std::tm tm{};
  const char* end = strptime(text.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  if (end == nullptr || *end != '\0') return -1;
  return static_cast<int64_t>(timegm(&tm));
}

// The Last-Modified of change position number: never earlier than a position seen before, and
// later by a second at least, so that If-Modified-Since never hides a change.
int64_t lastModified(ExportState& state, uint64_t number) {
  MutexLock lock(state.mutex);
  if (state.seen == 0 || state.number != number) {
    int64_t now = static_cast<int64_t>(std::time(nullptr));
    state.seen = state.seen == 0 ? now : std::max(now, state.seen + 1);
    state.number = number;
  }
  return state.seen;
}

// Counts an export as running until the answer (which holds its provider) is destroyed.
struct RunningSlot {
  explicit RunningSlot(std::atomic<int>& running) : count(running) {}
  ~RunningSlot() { --count; }
  RunningSlot(const RunningSlot&) = delete;
  RunningSlot& operator=(const RunningSlot&) = delete;
  std::atomic<int>& count;
};

}  // namespace

void addExportRoutes(httplib::Server& server, ApiContext& context) {
  // Shared by the route's handler and the content providers of the answers in flight: each
  // holds it until its answer is written.
  auto state = std::make_shared<ExportState>();
  server.Get("/export/elm.xml", [&context, state](const httplib::Request& req,
                                                  httplib::Response& res) {
    auto author = textParam(req, "author", 64);
    auto region = textParam(req, "region", 16);
    auto langs = textParam(req, "lang", 256);
    for (const Status& s : {author.status(), region.status(), langs.status()}) {
      if (!s.ok()) return replyError(res, 400, "bad_request", s.message());
    }
    elm::ExportOptions options;
    if (!author->empty()) {
      auto key = fixedFromHex<kPublicKeyBytes>(*author);
      if (!key) return replyError(res, 400, "bad_request", "author must be 64 hex digits");
      options.author = *key;
    }
    options.region = *region;
    std::stringstream in(*langs);
    for (std::string part; std::getline(in, part, ',');) {
      if (!part.empty()) options.langs.push_back(part);
    }
    auto number = context.store.queries().lastChange();
    if (!number.ok()) return replyError(res, 503, "unavailable", number.status().message());
    Hash32 filter = crypto::sha256(asBytes(*author + "\n" + *region + "\n" + *langs));
    std::string etag = fmt::format("\"elm-{}-{}\"", *number, toHex(ByteView(filter.data(), 8)));
    std::string modified = httpDate(lastModified(*state, *number));
    res.set_header("ETag", etag);
    res.set_header("Last-Modified", modified);
    res.set_header("Cache-Control", "no-cache");
    if (req.has_header("If-None-Match")) {
      std::string match = req.get_header_value("If-None-Match");
      if (match == etag || match == "*" || match.find(etag) != std::string::npos) {
        res.status = 304;
        return;
      }
    } else if (req.has_header("If-Modified-Since")) {
      int64_t since = parseHttpDate(req.get_header_value("If-Modified-Since"));
      if (since >= 0 && parseHttpDate(modified) <= since) {
        res.status = 304;
        return;
      }
    }
    if (static_cast<size_t>(++state->running) > context.max_concurrent_exports) {
      --state->running;
      res.set_header("Retry-After", std::to_string(kExportRetryAfterSeconds));
      return replyError(res, 503, "unavailable", "too many exports running; retry shortly");
    }
    // Co-owned by the copies of the content provider httplib keeps until the answer is sent.
    auto slot = std::make_shared<RunningSlot>(state->running);
    res.set_chunked_content_provider(
        "application/xml; charset=utf-8",
        [&context, options, slot](size_t, httplib::DataSink& sink) {
          auto summary = elm::exportElm(context.store, options, [&sink](std::string_view bytes) {
            return sink.write(bytes.data(), bytes.size());
          });
          // A failed export ends the chunked answer without its last
          // chunk: the client sees a truncated transfer, never a
          // document that looks complete.
          if (!summary.ok()) {
            log::warn("event=elm_export_failed err=\"{}\"", summary.status().message());
            return false;
          }
          sink.done();
          return true;
        });
  });
}

}  // namespace eichub::http
