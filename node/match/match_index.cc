// MatchIndex: built from the store's records in one scan; the adapter from Cap'n Proto bodies to
// plain entries lives here (reads go through catalog::readRecord).
#include "node/match/match_index.h"

#include <algorithm>
#include <utility>

#include "node/catalog/change.h"

namespace eichub::match {
namespace {

using TextList = capnp::List<schema::LangText>::Reader;

// The text in English, else the first language held.
std::string displayText(TextList texts) {
  for (auto t : texts) {
    if (t.getLang() == "en") return t.getText().cStr();
  }
  return texts.size() > 0 ? std::string(texts[0].getText().cStr()) : std::string();
}

Mode modeOf(schema::Mode mode) {
  switch (mode) {
    case schema::Mode::ONLINE:
      return Mode::kOnline;
    case schema::Mode::ONSITE:
      return Mode::kOnsite;
    case schema::Mode::BLENDED:
      return Mode::kBlended;
    default:
      return Mode::kUnspecified;
  }
}

class Builder {
 public:
  Status add(const store::RecordKey& key, schema::Record::Reader record) {
    switch (record.which()) {
      case schema::Record::SKILL:
        addSkill(record.getSkill());
        break;
      case schema::Record::SKILL_GROUP:
        addGroup(record.getSkillGroup());
        break;
      case schema::Record::OCCUPATION:
        addOccupation(record.getOccupation());
        break;
      case schema::Record::LEARNING_RESOURCE:
        addResource(key, record.getLearningResource());
        break;
      case schema::Record::SKILL_NEED:
        addNeed(key, record.getSkillNeed());
        break;
      default:
        break;
    }
    return Status::OK();
  }

  MatchIndex::Parts& parts() { return parts_; }

 private:
  SkillId define(capnp::Text::Reader uri, TextList pref, bool group) {
    SkillId id = parts_.graph.intern(uri.cStr());
    SkillNode& node = parts_.graph.node(id);
    if (!node.defined) node.label = displayText(pref);  // the first author in key order wins
    node.defined = true;
    node.group = node.group || group;
    ++parts_.stats.skills;
    return id;
  }

  void addSkill(schema::Skill::Reader skill) {
    SkillId id = define(skill.getUri(), skill.getPrefLabel(), false);
    for (auto broader : skill.getBroader()) {
      parts_.graph.addBroader(id, parts_.graph.intern(broader.cStr()));
    }
    for (auto related : skill.getRelated()) {
      parts_.graph.addRelated(id, parts_.graph.intern(related.getSkill().cStr()));
    }
  }

  void addGroup(schema::SkillGroup::Reader group) {
    SkillId id = define(group.getUri(), group.getPrefLabel(), true);
    for (auto broader : group.getBroader()) {
      parts_.graph.addBroader(id, parts_.graph.intern(broader.cStr()));
    }
  }

  void addOccupation(schema::Occupation::Reader occupation) {
    ++parts_.stats.occupations;
    OccupationEntry& entry = parts_.occupations[occupation.getUri().cStr()];
    if (entry.uri.empty()) {
      entry.uri = occupation.getUri().cStr();
      entry.label = displayText(occupation.getPrefLabel());
    }
    for (auto ref : occupation.getSkills()) {
      SkillId skill = parts_.graph.intern(ref.getSkill().cStr());
      bool essential = ref.getRelation() == schema::Relation::ESSENTIAL;
      auto it = std::find_if(entry.skills.begin(), entry.skills.end(),
                             [skill](const OccupationSkill& s) { return s.skill == skill; });
      if (it == entry.skills.end()) {
        entry.skills.push_back({skill, essential});
      } else {
        it->essential = it->essential || essential;
      }
    }
  }

  void addResource(const store::RecordKey& key, schema::LearningResource::Reader lr) {
    ResourceEntry entry;
    entry.key = key;
    entry.title = displayText(lr.getTitle());
    for (auto lang : lr.getLanguages()) entry.languages.emplace_back(lang.cStr());
    if (entry.languages.empty()) {
      for (auto t : lr.getTitle()) entry.languages.emplace_back(t.getLang().cStr());
    }
    entry.mode = modeOf(lr.getMode());
    entry.eqf_level = lr.getEqfLevel();
    if (lr.hasPrice()) {
      entry.has_price = true;
      entry.price_cents = lr.getPrice().getAmountCents();
      entry.currency = lr.getPrice().getCurrency().cStr();
    }
    entry.region = lr.getRegion().cStr();
    for (auto sector : lr.getSectors()) entry.sectors.emplace_back(sector.cStr());
    entry.valid_from = lr.getValidFrom().cStr();
    entry.valid_until = lr.getValidUntil().cStr();
    for (auto ref : lr.getTeaches()) {
      SkillId skill = parts_.graph.intern(ref.getSkill().cStr());
      if (std::find(entry.teaches.begin(), entry.teaches.end(), skill) == entry.teaches.end()) {
        entry.teaches.push_back(skill);
      }
    }
    parts_.resources.push_back(std::move(entry));
    ++parts_.stats.resources;
  }

  void addNeed(const store::RecordKey& key, schema::SkillNeed::Reader need) {
    NeedEntry entry;
    entry.key = key;
    for (auto uri : need.getSkills()) entry.skills.push_back(parts_.graph.intern(uri.cStr()));
    entry.occupation = need.getOccupation().cStr();
    entry.region = need.getRegion().cStr();
    entry.sector = need.getSector().cStr();
    entry.headcount = need.getHeadcount();
    parts_.needs.push_back(std::move(entry));
    ++parts_.stats.needs;
  }

  MatchIndex::Parts parts_;
};

}  // namespace

Result<std::unique_ptr<MatchIndex>> MatchIndex::build(const store::CatalogStore& store) {
  Builder builder;
  // Skills and groups first, so that every label is known before anything links to it.
  const std::vector<catalog::Kind> kinds = {
      catalog::Kind::SKILL, catalog::Kind::SKILL_GROUP, catalog::Kind::OCCUPATION,
      catalog::Kind::LEARNING_RESOURCE, catalog::Kind::SKILL_NEED};
  auto heads =
      store.queries().scanRecords(kinds, [&builder](const store::RecordKey& key, ByteView body) {
        Status added = Status::OK();
        Status read = catalog::readRecord(body, [&](schema::Record::Reader record) {
          added = builder.add(key, record);
          return Status::OK();
        });
        // Stored bodies passed checkBody; one that still fails to read is left out.
        if (!read.ok()) ++builder.parts().stats.unreadable;
        return added;
      });
  if (!heads.ok()) return heads.status();
  builder.parts().heads = std::move(heads).value();
  return std::make_unique<MatchIndex>(std::move(builder.parts()));
}

MatchIndex::MatchIndex(Parts parts)
    : graph_(std::move(parts.graph)),
      resources_(std::move(parts.resources)),
      occupations_(std::move(parts.occupations)),
      needs_(std::move(parts.needs)),
      heads_(std::move(parts.heads)),
      stats_(parts.stats) {
  teaching_.resize(graph_.size());
  for (size_t r = 0; r < resources_.size(); ++r) {
    for (SkillId skill : resources_[r].teaches) {
      teaching_[skill].push_back(static_cast<ResourceId>(r));
    }
  }
}

Result<bool> MatchIndex::isCurrent(const store::CatalogStore& store) const {
  EICHUB_ASSIGN_OR_RETURN(std::vector<store::FeedInfo> heads, store.queries().feeds());
  if (heads.size() != heads_.size()) return false;
  for (size_t i = 0; i < heads.size(); ++i) {
    if (heads[i].author != heads_[i].author || heads[i].head.seq != heads_[i].head.seq ||
        heads[i].head.hash != heads_[i].head.hash) {
      return false;
    }
  }
  return true;
}

const std::vector<ResourceId>& MatchIndex::teaching(SkillId skill) const {
  EICHUB_CHECK(skill < teaching_.size()) << "skill id from another index";
  return teaching_[skill];
}

const OccupationEntry* MatchIndex::occupation(const std::string& uri) const {
  auto it = occupations_.find(uri);
  return it == occupations_.end() ? nullptr : &it->second;
}

}  // namespace eichub::match
