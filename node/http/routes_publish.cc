// POST /api/v1/publish: JSON Lines in the body, signed into this node's feed like
// `eichub publish` of a file: checked whole, then published a part at a time. Needs "Authorization:
// Bearer <http.api_token>".
#include <openssl/crypto.h>

#include "node/http/json_reply.h"
#include "node/http/routes.h"

namespace eichub::http {
namespace {

// Compares in constant time, so that the answer's timing says nothing about the token.
bool tokenMatches(const std::string& header, const std::string& token) {
  const std::string expected = "Bearer " + token;
  return !token.empty() && header.size() == expected.size() &&
         CRYPTO_memcmp(header.data(), expected.data(), expected.size()) == 0;
}

}  // namespace

void addPublishRoutes(httplib::Server& server, ApiContext& context) {
  server.Post("/api/v1/publish", [&context](const httplib::Request& req, httplib::Response& res) {
    const std::string token = context.api_token.get();
    if (!tokenMatches(req.get_header_value("Authorization"), token)) {
      res.set_header("WWW-Authenticate", "Bearer");
      return replyError(res, 401, "unauthorized",
                        token.empty() ? "writes are disabled: set http.api_token in config.toml"
                                      : "send Authorization: Bearer <http.api_token>");
    }
    catalog::LoadOptions options;
    const std::string skip = req.get_param_value("skip_bad");
    if (skip == "true") {
      options.mode = catalog::ErrorMode::kSkipBad;
    } else if (!skip.empty() && skip != "false") {
      return replyError(res, 400, "bad_request", "skip_bad must be true or false");
    }
    // In parts, as `eichub publish` does: the body is held once (bounded by
    // http.max_body_bytes), its changes a part at a time (publish::publishStream).
    auto published = context.publish(req.body, options);
    if (!published.ok()) {
      // The check pass's refusals (a bad line in strict mode, too many changes) publish
      // nothing: the client's to fix. Anything else is the store's or the daemon's.
      const Status status = published.status();
      if (status.message().starts_with(publish::kNothingPublished)) {
        return replyError(res, 400, "bad_request", status.message());
      }
      return replyError(res, 500, "publish", status.toString());
    }
    const publish::PublishSummary& summary = published->summary;
    replyJson(res, 200,
              {{"added", summary.added},
               {"changed", summary.changed},
               {"unchanged", summary.unchanged},
               {"deleted", summary.deleted},
               {"erased", summary.erased},
               {"skipped", published->report.skipped},
               {"errors", published->report.errors},
               {"batches", summary.batches}});
  });
}

}  // namespace eichub::http
