# Catalogue records: the bodies of feed updates (docs/architecture.md "Layers";
# docs/catalogue-jsonl.md).
# Field names follow ESCO, schema.org LRMI and Europass ELM where they exist.
# Evolution rule: add fields at the end with new ordinals; never renumber or retype.
@0xce812bf419880c44;

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("eichub::schema");

# One text in one language; lang is a BCP 47 tag such as "en" or "de".
struct LangText {
  lang @0 :Text;
  text @1 :Text;
}

enum Relation {
  essential @0;
  optional @1;
}

struct SkillRef {
  skill @0 :Text;        # skill uri
  relation @1 :Relation;
  # Set only in LearningResource.teaches: the aligner proposed this skill at import
  # (`import csv --align`, `publish --align`); the author did not assert it (docs/matching.md).
  suggested @2 :Bool;
  suggestedScore @3 :UInt16;  # the aligner's score in thousandths (0..1000), when suggested
}

# An ESCO skill/competence or knowledge concept, or a local addition.
struct Skill {
  uri @0 :Text;
  skillType @1 :Text;              # "skill/competence" | "knowledge" | ""
  reuseLevel @2 :Text;             # transversal | cross-sector | sector-specific | occupation-specific
  prefLabel @3 :List(LangText);
  altLabels @4 :List(LangText);    # several entries may share a language
  description @5 :List(LangText);
  broader @6 :List(Text);          # broader skill or skill-group uris
  related @7 :List(SkillRef);      # skill-skill relations
  status @8 :Text;
}

# A node of the ESCO skills hierarchy.
struct SkillGroup {
  uri @0 :Text;
  code @1 :Text;
  prefLabel @2 :List(LangText);
  altLabels @3 :List(LangText);
  description @4 :List(LangText);
  broader @5 :List(Text);
}

struct Occupation {
  uri @0 :Text;
  code @1 :Text;                   # ESCO occupation code, e.g. 2654.1.7
  iscoGroup @2 :Text;              # 4-digit ISCO-08 code
  prefLabel @3 :List(LangText);
  altLabels @4 :List(LangText);
  description @5 :List(LangText);
  broader @6 :List(Text);          # ISCO group or occupation uris
  skills @7 :List(SkillRef);       # essential and optional skills
}

# An ISCO-08 group.
struct OccupationGroup {
  uri @0 :Text;
  code @1 :Text;
  prefLabel @2 :List(LangText);
  altLabels @3 :List(LangText);
  description @4 :List(LangText);
  broader @5 :List(Text);
}

enum Mode {
  unspecified @0;
  online @1;
  onsite @2;
  blended @3;
}

struct Price {
  amountCents @0 :UInt64;
  currency @1 :Text;               # ISO 4217
}

# A course, module or resource (schema.org LRMI Course / Europass ELM LearningOpportunity).
struct LearningResource {
  id @0 :Text;
  title @1 :List(LangText);
  description @2 :List(LangText);
  url @3 :Text;
  provider @4 :Text;               # provider id
  languages @5 :List(Text);        # teaching languages
  mode @6 :Mode;
  eqfLevel @7 :UInt8;              # 1..8; 0 = not stated
  durationHours @8 :Float64;       # 0 = not stated
  price @9 :Price;                 # null = not stated; amountCents 0 = free
  licence @10 :Text;
  teaches @11 :List(SkillRef);
  sectors @12 :List(Text);
  region @13 :Text;                # NUTS code
  validFrom @14 :Text;             # YYYY-MM-DD or empty
  validUntil @15 :Text;            # YYYY-MM-DD or empty
  keywords @16 :List(LangText);
}

struct Provider {
  id @0 :Text;
  name @1 :List(LangText);
  providerKind @2 :Text;           # vet-school | university | vendor | employer | other
  region @3 :Text;
  url @4 :Text;
}

# A node's public card.
struct ClusterProfile {
  id @0 :Text;
  name @1 :List(LangText);
  region @2 :Text;
  sectors @3 :List(Text);
  contact @4 :Text;
  peerEndpoint @5 :Text;
  transportKey @6 :Text;           # CURVE public key, Z85
}

# Skills a cluster's employers lack.
struct SkillNeed {
  id @0 :Text;
  skills @1 :List(Text);           # skill uris
  occupation @2 :Text;             # occupation uri, or empty
  region @3 :Text;
  sector @4 :Text;
  headcount @5 :UInt32;
  horizon @6 :Text;                # e.g. "2027-06" or "12 months"
  note @7 :List(LangText);
}

# The number a feed header carries for each kind of record (Header.kind). The federation reads
# only trust's (8, whose bodies are trust.capnp's records); the rest are the catalogue's. A new
# kind takes the next number here and its member in Record's union.
enum Kind {
  skill @0;
  skillGroup @1;
  occupation @2;
  occupationGroup @3;
  learningResource @4;
  provider @5;
  clusterProfile @6;
  skillNeed @7;
  trust @8;
}

struct Record {
  union {
    skill @0 :Skill;
    skillGroup @1 :SkillGroup;
    occupation @2 :Occupation;
    occupationGroup @3 :OccupationGroup;
    learningResource @4 :LearningResource;
    provider @5 :Provider;
    clusterProfile @6 :ClusterProfile;
    skillNeed @7 :SkillNeed;
  }
}
