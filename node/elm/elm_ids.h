// The URIs an ELM document gives each entity, derived stably from catalogue ids, and the
// catalogue ids derived stably from the URIs of a document someone else wrote.
#pragma once

#include <string>
#include <string_view>

#include "federation/common/bytes.h"

namespace eichub::elm {

// A learning resource's learning opportunity URI: its id when the id is already an absolute
// http(s) or urn URI, else urn:eichub:resource:<id, percent-encoded>.
std::string opportunityUri(std::string_view resource_id);
// The inverse for our own URIs; any other URI is the id itself, or "elm:" and a SHA-256 prefix
// of the URI when the URI is longer than an id may be.
std::string resourceIdFromUri(std::string_view uri);

// The same for providers (organisations): urn:eichub:provider:<id>.
std::string organisationUri(std::string_view provider_id);
std::string providerIdFromUri(std::string_view uri);
// The organisation that stands for an author whose resource names no provider. An import
// keeps it as the provider id (a URI), so that a round trip names the same organisation.
std::string authorOrganisationUri(const PublicKey& author);

// Parts of one learning opportunity: its achievement specification, its learning outcomes
// (one per skill taught, or one for the whole resource) and locations (one per NUTS region,
// or kUnknownRegion for an organisation with none).
std::string achievementUri(std::string_view opportunity_uri);
std::string outcomeUri(std::string_view opportunity_uri, std::string_view skill_uri);
std::string locationUri(std::string_view region);
inline constexpr std::string_view kUnknownRegion = "EU";

}  // namespace eichub::elm
