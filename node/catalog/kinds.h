// The catalogue's record kinds, in one table: each kind's number in a feed header, its name in
// JSON, counts and views, and the short names the CLI accepts. The federation carries a kind as
// an opaque number (feed::KindCode) and knows only trust's; everything else asks here.
#pragma once

#include <optional>
#include <span>
#include <string_view>

#include "federation/feed/update.h"
#include "schemas/catalog.capnp.h"

namespace eichub::catalog {

using Kind = schema::Kind;

struct KindInfo {
  Kind kind;
  std::string_view name;                      // "LearningResource"
  std::span<const std::string_view> aliases;  // lower-case CLI names: "resource", ...
  bool catalogue = true;                      // false for trust: no JSON form, no Record member
};

// Every kind this node knows, in number order: the catalogue's, then trust.
std::span<const KindInfo> allKinds();

// The number a header carries for kind, and back; nullopt for a number this node does not know
// (a kind added after it was built).
feed::KindCode kindCode(Kind kind);
std::optional<Kind> kindFromCode(feed::KindCode code);

// The name of trust records in counts, change feeds and views. Not a JSON record kind.
inline constexpr std::string_view kTrustKindName = "Trust";
// The JSON "kind" names, e.g. "LearningResource"; nullopt for an unknown name (and for
// kTrustKindName: trust records are never read from JSON).
std::optional<Kind> kindFromName(std::string_view name);
// The name of kind ("Skill", ..., "Trust").
std::string_view kindName(Kind kind);
// The name of a header's kind; "Kind<n>" for a number this node does not know.
std::string kindName(feed::KindCode code);
// The kind of a header this node holds. Only for headers that passed checkUpdateBody, which
// refuses kinds this node does not know; any other number comes back cast, unnamed.
inline Kind heldKind(const feed::HeaderFields& header) { return static_cast<Kind>(header.kind); }
// A kind as a person types it: its name or one of its aliases, in any case.
std::optional<Kind> parseKind(std::string_view name);
// The catalogue kinds' names, comma-separated, for error messages.
std::string_view catalogueKindNames();

}  // namespace eichub::catalog
