// The Europass ELM export: the learning resources a node holds as an LOQ 3.1.0 document
// (docs/elm.md maps every field), streamed to a sink one record at a time.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "federation/common/bytes.h"
#include "federation/common/result.h"
#include "node/elm/xml_writer.h"
#include "node/store/catalog_store.h"

namespace eichub::elm {

struct ExportOptions {
  std::optional<PublicKey> author;  // only resources of this author's feed
  std::string region;               // only resources whose NUTS region starts with this
  std::vector<std::string> langs;   // only texts in these languages (empty: every language)
};

struct ExportSummary {
  uint64_t opportunities = 0;
  uint64_t outcomes = 0;
  uint64_t organisations = 0;
  uint64_t locations = 0;
};

// Writes one learningOpportunity (with its achievement specification and learning outcomes)
// per live learning resource that options select, the organisations that provide them and
// their locations, from one read snapshot of store. Memory holds one record at a time plus the
// skills taught and the providers named (labels and names only). Thread-safe on a shared store.
// Errors: IOError when the sink refuses bytes, the store's errors (Corruption, IOError).
Result<ExportSummary> exportElm(const store::CatalogStore& store, const ExportOptions& options,
                                const XmlSink& sink);

}  // namespace eichub::elm
