// Match benchmark (not a test): the full ESCO set, the real edX and Udemy courses (aligned to
// ESCO skills by the aligner) and generated learning resources up to --resources, with skill
// needs across regions. Measures index build, match of a 10-skill need, a region's gap report
// and align throughput, beside raw limits measured in the same run: a scan of every resource
// body in LMDB (what a match without the index would cost at least) and the tokenizer alone
// (the floor of align). Figures go into docs/benchmarks.md.
// Usage: match_bench [--resources N] [--queries N] [--data DIR]  (DIR: ../shared/data)
#include <algorithm>
#include <array>
#include <chrono>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include <fmt/core.h>

#include "federation/crypto/ed25519_key.h"
#include "node/catalog/change.h"
#include "node/catalog/record_json.h"
#include "node/import/csv_mapping.h"
#include "node/import/esco_importer.h"
#include "node/match/aligner.h"
#include "node/match/gaps.h"
#include "node/match/matcher.h"
#include "node/publish/publisher.h"
#include "node/search/tokenize.h"
#include "tests/testing/temp_dir.h"

namespace eichub {
namespace {

using Clock = std::chrono::steady_clock;
constexpr char kNetwork[] = "bench";

double msSince(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

// CPU milliseconds of this process (one thread does the work): on a loaded machine wall-clock
// figures include waiting for a core and this does not.
double cpuMs() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}

struct Latency {
  double median_ms = 0;
  double p99_ms = 0;
};
Latency summarise(std::vector<double> ms) {
  std::sort(ms.begin(), ms.end());
  return {ms[ms.size() / 2], ms[std::min(ms.size() - 1, ms.size() * 99 / 100)]};
}

// NUTS regions of the generated resources and needs.
constexpr std::array<const char*, 10> kRegions = {"UKE42", "UKE44", "DE501", "DE300", "NO081",
                                                  "NO011", "FR101", "ES300", "ITC4C", "PL911"};

void fail(const Status& status) {
  fmt::print(stderr, "match_bench: {}\n", status.toString());
  std::exit(1);
}

template <typename T>
T check(Result<T> result) {
  if (!result.ok()) fail(result.status());
  return std::move(result).value();
}

// Generated resources teaching 1-4 random ESCO skills, with every filter field varied.
std::vector<catalog::Change> generateResources(size_t count, const std::vector<std::string>& skills,
                                               std::mt19937& rng) {
  static const char* kLangs[] = {"en", "en", "en", "de", "fr", "es", "nb", "it"};
  static const char* kModes[] = {"online", "onsite", "blended"};
  static const char* kCurrencies[] = {"EUR", "EUR", "GBP", "NOK"};
  std::vector<catalog::Change> out;
  out.reserve(count);
  for (size_t i = 0; i < count; ++i) {
    nlohmann::json teaches = nlohmann::json::array();
    size_t n = 1 + rng() % 4;
    for (size_t k = 0; k < n; ++k) {
      teaches.push_back({{"skill", skills[rng() % skills.size()]},
                         {"relation", k == 0 ? "essential" : "optional"}});
    }
    nlohmann::json obj = {{"kind", "LearningResource"},
                          {"id", fmt::format("gen/{}", i)},
                          {"title", {{"en", fmt::format("Generated course {}", i)}}},
                          {"languages", {kLangs[rng() % 8]}},
                          {"mode", kModes[rng() % 3]},
                          {"region", kRegions[rng() % kRegions.size()]},
                          {"teaches", teaches}};
    if (rng() % 4 != 0) obj["eqfLevel"] = 1 + rng() % 8;
    if (rng() % 3 != 0) {
      obj["price"] = {{"amount", (rng() % 5 == 0) ? 0 : 10 + rng() % 2000},
                      {"currency", kCurrencies[rng() % 4]}};
    }
    if (rng() % 5 == 0) {
      obj["validFrom"] = "2026-01-01";
      obj["validUntil"] = "2027-06-30";
    }
    out.push_back(check(catalog::changeFromJson(obj)));
  }
  return out;
}

// The real course CSVs through the shipped mappings, with the aligner's suggestions added to
// teaches (what a publisher would publish after review). Returns the aligned changes and the
// align inputs, for the throughput measurement.
std::vector<catalog::Change> realCourses(const std::string& data, const match::Aligner& aligner,
                                         std::vector<match::AlignInput>& inputs) {
  std::vector<catalog::Change> out;
  catalog::LoadOptions skip_bad;
  skip_bad.mode = catalog::ErrorMode::kSkipBad;
  for (const char* name : {"edx", "udemy"}) {
    auto mapping = check(
        import::loadCsvMapping(fmt::format("{}/ops/mappings/{}.toml", EICHUB_SOURCE_DIR, name)));
    auto loaded = check(import::importCsv(fmt::format("{}/courses/{}_courses.csv.gz", data, name),
                                          mapping, skip_bad));
    for (const catalog::Change& change : loaded.changes) {
      if (change.kind != catalog::Kind::LEARNING_RESOURCE) {
        out.push_back(change);
        continue;
      }
      auto reader = check(catalog::RecordReader::open(change.body));
      match::AlignInput input = check(match::alignInputFromRecord(reader->root()));
      auto answer = check(aligner.align(input, {}));
      nlohmann::json doc = catalog::recordToJson(reader->root());
      for (const match::SkillSuggestion& s : answer.suggestions) {
        doc["teaches"].push_back({{"skill", s.skill}, {"relation", "optional"}});
      }
      out.push_back(check(catalog::changeFromJson(doc)));
      inputs.push_back(std::move(input));
    }
  }
  return out;
}

int run(size_t resource_count, size_t queries, const std::string& data) {
  if (!std::filesystem::is_directory(data + "/esco")) {
    fmt::print(stderr, "no shared data at {}; pass --data DIR\n", data);
    return 1;
  }
  testing::TempDir dir;
  auto store = check(store::CatalogStore::open(dir.path(), store::StoreOptions{}));
  auto esco_key = check(crypto::SigningKey::generate());
  auto start = Clock::now();
  auto esco = check(import::importEsco(data + "/esco"));
  check(publish::publishChanges(*store, esco_key, kNetwork, esco.changes));
  fmt::print("ESCO imported: {} records in {:.0f} ms\n", esco.changes.size(), msSince(start));

  start = Clock::now();
  auto aligner = check(match::Aligner::build(*store));
  double aligner_build_ms = msSince(start);
  std::vector<match::AlignInput> inputs;
  auto courses = realCourses(data, *aligner, inputs);
  auto course_key = check(crypto::SigningKey::generate());
  check(publish::publishChanges(*store, course_key, kNetwork, courses));

  std::vector<std::string> skills;
  std::vector<std::pair<std::string, std::vector<std::string>>> occupations;
  for (const catalog::Change& change : esco.changes) {
    if (change.kind == catalog::Kind::SKILL) skills.push_back(change.id);
    if (change.kind != catalog::Kind::OCCUPATION) continue;
    auto reader = check(catalog::RecordReader::open(change.body));
    std::vector<std::string> essential;
    for (auto ref : reader->root().getOccupation().getSkills()) {
      if (ref.getRelation() == schema::Relation::ESSENTIAL) essential.emplace_back(ref.getSkill());
    }
    if (essential.size() >= 10) occupations.push_back({change.id, essential});
  }
  std::mt19937 rng(20261127);
  size_t generated = resource_count > inputs.size() ? resource_count - inputs.size() : 0;
  start = Clock::now();
  auto gen_changes = generateResources(generated, skills, rng);
  // Four regional authors, as in a federation.
  for (size_t a = 0; a < 4; ++a) {
    auto key = check(crypto::SigningKey::generate());
    std::vector<catalog::Change> part;
    for (size_t i = a; i < gen_changes.size(); i += 4) part.push_back(gen_changes[i]);
    check(publish::publishChanges(*store, key, kNetwork, part));
  }
  // Needs: 50 per region, each 1-10 skills of an occupation or the occupation itself.
  std::vector<catalog::Change> needs;
  for (size_t r = 0; r < kRegions.size(); ++r) {
    for (int i = 0; i < 50; ++i) {
      const auto& occ = occupations[rng() % occupations.size()];
      nlohmann::json need = {{"kind", "SkillNeed"},
                             {"id", fmt::format("need/{}/{}", kRegions[r], i)},
                             {"region", kRegions[r]},
                             {"sector", i % 2 ? "healthcare" : "construction"},
                             {"headcount", 1 + rng() % 40}};
      if (i % 5 == 0) {
        need["occupation"] = occ.first;
      } else {
        need["skills"] =
            std::vector<std::string>(occ.second.begin(), occ.second.begin() + 1 + rng() % 10);
      }
      needs.push_back(check(catalog::changeFromJson(need)));
    }
  }
  check(publish::publishChanges(*store, course_key, kNetwork, needs));
  fmt::print("published {} real courses (aligned), {} generated resources, {} needs in {:.0f} ms\n",
             inputs.size(), generated, needs.size(), msSince(start));

  // Raw limits, same run: one scan of the bodies the index reads (every kind it holds), and of
  // the learning resources alone (the least a match without the index would read).
  auto scan = [&store](std::vector<catalog::Kind> kinds) {
    std::vector<double> ms;
    for (int round = 0; round < 3; ++round) {
      auto begin = Clock::now();
      uint64_t fields = 0;
      check(store->queries().scanRecords(kinds, [&fields](const store::RecordKey&, ByteView body) {
        auto reader = catalog::RecordReader::open(body);
        if (!reader.ok()) return reader.status();
        fields += static_cast<uint64_t>((*reader)->root().which());
        return Status::OK();
      }));
      ms.push_back(msSince(begin));
      if (fields == 0) std::abort();
    }
    std::sort(ms.begin(), ms.end());
    return ms[1];
  };
  double scan_resources_ms = scan({catalog::Kind::LEARNING_RESOURCE});
  double scan_all_ms =
      scan({catalog::Kind::SKILL, catalog::Kind::SKILL_GROUP, catalog::Kind::OCCUPATION,
            catalog::Kind::LEARNING_RESOURCE, catalog::Kind::SKILL_NEED});
  std::vector<double> tokenize_rates;
  for (int round = 0; round < 3; ++round) {
    start = Clock::now();
    size_t tokens = 0;
    for (const match::AlignInput& input : inputs) {
      for (const auto& [lang, text] : input.title) tokens += search::tokenize(text).size();
      for (const auto& [lang, text] : input.description) tokens += search::tokenize(text).size();
    }
    tokenize_rates.push_back(inputs.size() / (msSince(start) / 1000));
    if (tokens == 0) std::abort();
  }
  std::sort(tokenize_rates.begin(), tokenize_rates.end());

  std::vector<double> build_ms, build_cpu_ms;
  std::unique_ptr<match::MatchIndex> index;
  for (int round = 0; round < 3; ++round) {
    index.reset();
    start = Clock::now();
    double cpu_start = cpuMs();
    index = check(match::MatchIndex::build(*store));
    build_cpu_ms.push_back(cpuMs() - cpu_start);
    build_ms.push_back(msSince(start));
  }
  std::sort(build_ms.begin(), build_ms.end());
  std::sort(build_cpu_ms.begin(), build_cpu_ms.end());
  fmt::print("index: {} skills/groups, {} occupations, {} resources, {} needs\n",
             index->stats().skills, index->stats().occupations, index->stats().resources,
             index->stats().needs);

  // Match: 10 essential skills of a random occupation; then the same with filters.
  std::vector<double> match_ms, filtered_ms;
  size_t offers = 0;
  for (size_t q = 0; q < queries; ++q) {
    const auto& occ = occupations[rng() % occupations.size()];
    match::MatchQuery query;
    query.skills.assign(occ.second.begin(), occ.second.begin() + 10);
    start = Clock::now();
    auto answer = check(match::match(*index, query));
    match_ms.push_back(msSince(start));
    offers += answer.candidates;
    query.filters.lang = "en";
    query.filters.mode = match::Mode::kOnline;
    query.filters.max_eqf = 5;
    start = Clock::now();
    check(match::match(*index, query));
    filtered_ms.push_back(msSince(start));
  }
  std::vector<double> gap_ms;
  for (int round = 0; round < 3; ++round) {
    for (const char* region : kRegions) {
      match::GapQuery query;
      query.region = region;
      start = Clock::now();
      check(match::gaps(*index, query));
      gap_ms.push_back(msSince(start));
    }
  }
  match::GapQuery all;
  start = Clock::now();
  auto all_gaps = check(match::gaps(*index, all));
  double all_gaps_ms = msSince(start);

  std::vector<double> align_rates;
  for (int round = 0; round < 3; ++round) {
    start = Clock::now();
    size_t suggested = 0;
    for (const match::AlignInput& input : inputs) {
      suggested += check(aligner->align(input, {})).suggestions.size();
    }
    align_rates.push_back(inputs.size() / (msSince(start) / 1000));
    if (round == 0) {
      fmt::print("align: {} suggestions for {} real courses\n", suggested, inputs.size());
    }
  }
  std::sort(align_rates.begin(), align_rates.end());

  Latency m = summarise(match_ms), f = summarise(filtered_ms), g = summarise(gap_ms);
  fmt::print("\n| figure | value | against |\n|---|---|---|\n");
  fmt::print("| raw: read and open every resource body in LMDB ({} resources) | {:.0f} ms | |\n",
             index->stats().resources, scan_resources_ms);
  fmt::print("| raw: the same for every body the index reads | {:.0f} ms | |\n", scan_all_ms);
  fmt::print("| raw: tokenizer alone over the real courses | {:.0f} resources/s | |\n",
             tokenize_rates[1]);
  fmt::print(
      "| match index build | {:.0f} ms ({:.0f} ms CPU) | {:.1f} x the raw read of its bodies |\n",
      build_ms[1], build_cpu_ms[1], build_ms[1] / scan_all_ms);
  fmt::print(
      "| match, 10-skill need ({} queries, {:.0f} candidates on average) | median {:.3f} ms, "
      "p99 {:.3f} ms | target 5 ms; {:.0f} x faster than reading the resources |\n",
      queries, static_cast<double>(offers) / queries, m.median_ms, m.p99_ms,
      scan_resources_ms / m.median_ms);
  fmt::print("| match, same needs, filters lang+mode+EQF | median {:.3f} ms, p99 {:.3f} ms | |\n",
             f.median_ms, f.p99_ms);
  fmt::print(
      "| gap report, one region ({} needs in all) | median {:.2f} ms, p99 {:.2f} ms | "
      "target 200 ms |\n",
      index->stats().needs, g.median_ms, g.p99_ms);
  fmt::print("| gap report, every region ({} rows) | {:.2f} ms | |\n", all_gaps.skills_needed,
             all_gaps_ms);
  fmt::print("| aligner build (ESCO labels) | {:.0f} ms | |\n", aligner_build_ms);
  fmt::print(
      "| align, real courses (title + description) | {:.0f} resources/s | target 1,000/s; "
      "{:.2f} x the tokenizer alone |\n",
      align_rates[1], align_rates[1] / tokenize_rates[1]);
  return 0;
}

}  // namespace
}  // namespace eichub

int main(int argc, char** argv) {
  size_t resources = 100000;
  size_t queries = 300;
  std::string data = std::string(EICHUB_SOURCE_DIR) + "/../shared/data";
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--resources") == 0) {
      resources = std::stoul(argv[i + 1]);
    } else if (std::strcmp(argv[i], "--queries") == 0) {
      queries = std::max<size_t>(1, std::stoul(argv[i + 1]));
    } else if (std::strcmp(argv[i], "--data") == 0) {
      data = argv[i + 1];
    } else {
      fmt::print(stderr, "usage: match_bench [--resources N] [--queries N] [--data DIR]\n");
      return 2;
    }
  }
  return eichub::run(resources, queries, data);
}
