// Server: the engine's serving part, on server links (a peer's DEALER at our ROUTER). Answers a
// client's hello with ours (and the proofs of feeds it still holds that we froze), serves its
// wants within the credit the CreditLedger admits, each run ending at a signature that verifies,
// serves its body requests, and announces each new local head with have.
// Not thread-safe: the engine's thread owns it.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "federation/sync/credit_ledger.h"
#include "federation/sync/fork_guard.h"
#include "federation/sync/sync_context.h"
#include "federation/wire/messages.h"

namespace eichub::sync {

// The most a want may ask for: bounds what one want makes a server read and send.
inline constexpr uint32_t kMaxWantCredit = 65'536;
// The least time between two hellos answered on one session: an answer holds every head we
// hold (up to 7.9 MB), and a client needs one per session and one when its trust changes.
inline constexpr int64_t kHelloAnswerGapMs = 1'000;

class Server {
 public:
  // context and forks must outlive the server.
  Server(SyncContext& context, ForkGuard& forks);

  // A hello the engine accepted (version, network, identity) on server link: the link is
  // subscribed and answered with our hello, unless one was answered on this session less than
  // kHelloAnswerGapMs ago (dropped without blame, counted in refusedWants() as "hello too soon").
  void onHello(LinkId link, LinkState& state, const wire::Hello& hello);
  // Rejects a want before hello ("want before hello") or out of bounds ("bad want"; credit 0 or
  // over kMaxWantCredit, seq 0) or past the ledger's window ("credit exceeded"); drops a re-ask
  // too soon unanswered (counted in refusedWants()). A frozen feed is served only as single
  // headers at or below its accepted seq (fork probes).
  void onWant(LinkId link, const wire::Want& want);
  // Answers each ref with the body held, or an empty one, in messages of at most
  // wire::kMaxBodiesBytes. Rejects a request before hello.
  void onWantBodies(LinkId link, const wire::WantBodies& want);
  // Sends have to every subscribed up link for each local head past the one last announced.
  void announceHeads();
  // The link went down, or its peer reconnected (a new transport session): what was sent on
  // the old session is gone, so its re-asks are not early.
  void forgetSession(LinkId link) {
    credit_.linkDown(link);
    hello_answered_ms_.erase(link);
  }
  // Wants left unanswered without blame, by reason (re-asks sooner than a timeout, case 28).
  const std::map<std::string, uint64_t>& refusedWants() const { return refused_wants_; }
  const CreditLedger& credit() const { return credit_; }

 private:
  // Serves a want that the credit ledger admitted; returns the updates sent.
  uint64_t serveWant(LinkId link, const wire::Want& want);

  SyncContext& context_;
  ForkGuard& forks_;
  CreditLedger credit_;
  std::map<std::string, uint64_t> refused_wants_;
  std::map<PublicKey, uint64_t> announced_;      // last head seq announced per feed
  std::map<LinkId, int64_t> hello_answered_ms_;  // per link: when its session's hello was answered
};

}  // namespace eichub::sync
