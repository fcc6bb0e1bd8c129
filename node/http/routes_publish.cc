// POST /api/v1/publish: JSON Lines in the body, signed into this node's feed like
// `eichub publish`. Needs "Authorization: Bearer <http.api_token>".
#include <openssl/crypto.h>

#include "node/catalog/jsonl_reader.h"
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
    auto loaded = catalog::parseJsonLines(req.body, "body", options);
    if (!loaded.ok()) {
      return replyError(res, 400, "bad_request", loaded.status().message() + "; nothing published");
    }
    auto summary = context.publish(loaded->changes);
    if (!summary.ok()) {
      return replyError(res, 500, "publish",
                        summary.status().toString() + "; batches committed before stay");
    }
    replyJson(res, 200,
              {{"added", summary->added},
               {"changed", summary->changed},
               {"unchanged", summary->unchanged},
               {"deleted", summary->deleted},
               {"erased", summary->erased},
               {"skipped", loaded->skipped},
               {"errors", loaded->errors},
               {"batches", summary->batches}});
  });
}

}  // namespace eichub::http
