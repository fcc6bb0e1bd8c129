// The registry of record kinds: one entry per kind holds everything the node does differently
// per kind: its number in a feed header, its name in JSON, counts and views, the short names
// the CLI accepts, and, for the catalogue's kinds, its JSON reader and writer (with the kind's
// own validation), its id and tags, and what search finds it by. Each entry lives in its own
// file, node/catalog/kinds/<kind>.cc (docs/architecture.md "Adding a record kind"). The
// federation carries a kind as an opaque number (feed::KindCode) and knows only trust's;
// everything else asks here.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "federation/feed/update.h"
#include "schemas/catalog.capnp.h"

namespace eichub::catalog {

using Kind = schema::Kind;

namespace internal {
class ObjectReader;  // internal/json_fields.h: only the kinds' own files read JSON members
}

// What a record is found by (node/search tokenizes and weighs it): views into the record's
// message, valid while it is. A kind leaves out what it does not have.
struct SearchFields {
  capnp::List<schema::LangText>::Reader names;        // prefLabel, title, name
  capnp::List<schema::LangText>::Reader other_names;  // altLabels, keywords
  std::vector<std::string_view> skills;  // skill uris referred to, in record order, none empty
};

struct KindInfo {
  Kind kind;
  std::string_view name;                      // "LearningResource"
  std::span<const std::string_view> aliases;  // lower-case CLI names: "resource", ...

  // The rest is for catalogue kinds only: trust records are not Records (no JSON form, no
  // search), so trust's entry leaves it unset.
  std::optional<schema::Record::Which> member = std::nullopt;  // its member of the Record union
  // JSON -> record: reads the kind's members (every one but "kind" and "op") into its member
  // of record, checking each field's rules and the kind's own (the first error sticks in r).
  void (*read_json)(internal::ObjectReader& r, schema::Record::Builder record) = nullptr;
  // Record -> JSON: puts the member's non-empty fields into out, as read_json reads them.
  void (*write_json)(schema::Record::Reader record, nlohmann::json& out) = nullptr;
  // The record's id, and its selective-sync tags (sector:, region:, skill:) in any order.
  void (*identify)(schema::Record::Reader record, std::string& id,
                   std::vector<std::string>& tags) = nullptr;
  // What search and the skill index find the record by.
  void (*search_fields)(schema::Record::Reader record, SearchFields& out) = nullptr;
  // The JSON language map that names a record ("prefLabel", "title", ...); empty for none.
  std::string_view label_field = {};

  bool catalogue() const { return member.has_value(); }
};

// Every kind this node knows, in number order: the catalogue's, then trust.
std::span<const KindInfo> allKinds();
// The entry of kind; nullptr for a number this node does not know.
const KindInfo* kindInfo(Kind kind);
// The entry whose member record holds; nullptr for a member this build does not know (a newer
// schema). Reads only the union's tag.
const KindInfo* kindInfo(schema::Record::Reader record);

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
// The catalogue kinds' shortest aliases, comma-separated ("skill, skillgroup, ..."), for help
// texts and error messages.
std::string_view catalogueKindAliases();

}  // namespace eichub::catalog
