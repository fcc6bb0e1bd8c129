// Writes the seed corpora of the fuzz targets from real files and from what the code itself
// produces (signed updates, feed files, rendered configs), so seeds start deep in each decoder.
// Run by hand after a format change: build/tests/fuzz/fuzz_make_seeds tests/fuzz/corpus
// (wire_message seeds come from tests/unit/wire/corpus_test.cc).
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <zlib.h>

#include "federation/common/check.h"
#include "federation/crypto/ed25519_key.h"
#include "federation/feed/appender.h"
#include "federation/feed/feed_file.h"
#include "federation/trust/trust_record.h"
#include "node/catalog/change.h"
#include "node/catalog/record_json.h"
#include "node/config/options.h"
#include "node/home/home.h"
#include "node/home/peers.h"
#include "tests/fuzz/fuzz_input.h"
#include "tests/testing/temp_dir.h"

namespace eichub::fuzz {
namespace {

namespace fs = std::filesystem;

constexpr char kNet[] = "fuzz-net";  // the network the signed_update target verifies against

std::string readFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void writeSeed(const fs::path& dir, const std::string& name, std::string_view bytes) {
  fs::create_directories(dir);
  std::ofstream out(dir / name, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  EICHUB_CHECK(out.good()) << "cannot write " << (dir / name);
}

std::string_view chars(const Bytes& bytes) { return asChars(bytes); }

// One JSON record line of every kind: the examples of docs/catalogue-jsonl.md.
std::vector<std::string> exampleRecords() {
  std::vector<std::string> lines;
  std::ifstream in(fs::path(EICHUB_SOURCE_DIR) / "docs/catalogue-jsonl.md");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("{\"kind\"", 0) == 0) lines.push_back(line);
  }
  EICHUB_CHECK(lines.size() >= 8) << "docs/catalogue-jsonl.md lost its examples";
  return lines;
}

std::vector<catalog::Change> exampleChanges() {
  std::vector<catalog::Change> out;
  for (const std::string& line : exampleRecords()) {
    auto change = catalog::changeFromJson(nlohmann::json::parse(line));
    EICHUB_CHECK(change.ok()) << change.status().toString() << ": " << line;
    out.push_back(std::move(change).value());
  }
  return out;
}

// A feed of the example records: upserts, then a delete and an erase.
std::vector<feed::SignedUpdate> exampleFeed(const crypto::SigningKey& key) {
  feed::FeedAppender appender(key, kNet, feed::Head{});
  std::vector<feed::SignedUpdate> out;
  int64_t time_ms = 1'790'000'000'000;
  for (const catalog::Change& c : exampleChanges()) {
    out.push_back(appender.append(c.op, catalog::kindCode(c.kind), c.id, c.tags, c.body, ++time_ms)
                      .signed_update);
  }
  const catalog::Change first = exampleChanges().front();  // seq 1, which the erase names
  out.push_back(
      appender.append(feed::Op::DELETE, catalog::kindCode(first.kind), first.id, {}, {}, ++time_ms)
          .signed_update);
  out.push_back(
      appender
          .append(feed::Op::ERASE, catalog::kindCode(first.kind), first.id, {}, {}, ++time_ms, {1})
          .signed_update);
  return out;
}

void signedUpdateSeeds(const fs::path& dir, const std::vector<feed::SignedUpdate>& feed) {
  for (size_t i = 0; i < feed.size(); ++i) {
    const auto& u = feed[i];
    writeSeed(dir, "valid_" + std::to_string(i + 1),
              joinParts({chars(u.header), chars(u.signature), chars(u.body)}));
  }
  const auto& u = feed.front();
  Bytes bad_signature = u.signature;
  bad_signature[10] ^= 1;
  writeSeed(dir, "invalid_signature",
            joinParts({chars(u.header), chars(bad_signature), chars(u.body)}));
  writeSeed(dir, "invalid_body_swap",
            joinParts({chars(u.header), chars(u.signature), chars(feed[1].body)}));
  writeSeed(dir, "valid_body_not_fetched", joinParts({chars(u.header), chars(u.signature), ""}));
}

// Header/body pairs; the signed_header target re-signs them with its own key and links them.
void signedHeaderSeeds(const fs::path& dir, const std::vector<feed::SignedUpdate>& feed) {
  std::vector<std::string_view> pairs;
  for (const auto& u : feed) {
    pairs.push_back(chars(u.header));
    pairs.push_back(chars(u.body));
  }
  writeSeed(dir, "valid_feed", joinParts(pairs));
  // seq 1, 2, then another seq 2 (a fork), then 3 and the first again (a duplicate).
  writeSeed(dir, "fork_and_duplicate",
            joinParts({chars(feed[0].header), chars(feed[0].body), chars(feed[1].header),
                       chars(feed[1].body), chars(feed[1].header), chars(feed[2].body),
                       chars(feed[2].header), chars(feed[2].body), chars(feed[0].header),
                       chars(feed[0].body)}));
}

void feedFileSeeds(const fs::path& dir, const crypto::SigningKey& key,
                   const std::vector<feed::SignedUpdate>& feed) {
  testing::TempDir tmp;
  auto write = [&](const std::string& name, const std::vector<feed::SignedUpdate>& updates) {
    const std::string path = tmp.file(name);
    EICHUB_CHECK(feed::writeFeedFile(path, key.publicKey(), kNet, updates).ok());
    writeSeed(dir, name, readFile(path));
  };
  write("valid_whole_feed", feed);
  write("valid_empty", {});
  write("valid_mid_feed", {feed.begin() + 3, feed.begin() + 5});
  write("invalid_gap", {feed[0], feed[2]});
  std::string truncated = readFile(tmp.file("valid_whole_feed"));
  writeSeed(dir, "invalid_truncated", truncated.substr(0, truncated.size() / 2));
}

void jsonlSeeds(const fs::path& dir) {
  std::string all;
  for (const std::string& line : exampleRecords()) all += line + "\n";
  writeSeed(dir, "valid_every_kind", all);
  const fs::path samples = fs::path(EICHUB_SOURCE_DIR) / "tests/testdata/sample";
  for (const char* name : {"leeds.jsonl", "bremen.jsonl", "oslo.jsonl"}) {
    writeSeed(dir, std::string("valid_") + name, readFile(samples / name));
  }
  writeSeed(dir, "invalid_mixed",
            exampleRecords()[0] +
                "\r\n\n{\"kind\":\"Skill\"}\n{\"kind\":\"Skill\",\"id\":\"x\","
                "\"id\":\"y\"}\n[1,[2,[3]]]\n\xff\n" +
                exampleRecords()[0] + "\n");
}

std::string gzip(std::string_view text) {
  uLongf size = compressBound(text.size()) + 32;
  std::string out(size, '\0');
  z_stream z{};
  EICHUB_CHECK(deflateInit2(&z, 9, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) == Z_OK);
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
  z.avail_in = static_cast<uInt>(text.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  EICHUB_CHECK(deflate(&z, Z_FINISH) == Z_STREAM_END);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

void csvMappingSeeds(const fs::path& dir) {
  const fs::path root(EICHUB_SOURCE_DIR);
  const std::string edx = readFile(root / "ops/mappings/edx.toml");
  const std::string csv = readFile(root / "tests/testdata/sample/courses_sample.csv");
  writeSeed(dir, "valid_edx", joinParts({edx, csv}));
  writeSeed(dir, "valid_edx_gzip", joinParts({edx, gzip(csv)}));
  const std::string udemy_csv =
      "source_row,course_id,course_title,url,is_paid,price,num_subscribers,num_reviews,"
      "num_lectures,level,content_duration,published_timestamp,subject\r\n"
      "1,1070968,Ultimate Investment Banking Course,https://www.udemy.com/ultimate-investment-"
      "banking-course/,True,200,2147,23,51,All Levels,1.5 hours,2017-01-18T20:58:58Z,"
      "Business Finance\r\n"
      "2,1113822,\"Complete GST Course, \"\"Certification\"\"\",https://www.udemy.com/"
      "goods-and-services-tax/,False,Free,2792,923,274,Intermediate Level,39 hours,"
      "2017-03-09T16:34:20Z,Business Finance\r\n";
  writeSeed(dir, "valid_udemy", joinParts({readFile(root / "ops/mappings/udemy.toml"), udemy_csv}));
  writeSeed(dir, "invalid_csv_quote", joinParts({edx, "source_row,title\n1,\"open\n"}));
}

void configSeeds(const fs::path& dir) {
  config::Options options;
  options.name = "Leeds Health Cluster";
  options.region = "UKE42";
  options.sectors = {"healthcare", "social care"};
  options.contact = "skills@leeds-health.example.org";
  const std::string config_text = config::renderOptions(options);

  home::PeerCard card;
  card.node_id.fill(0x5a);
  card.transport_public_z85 = "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7";
  card.endpoint = "tcp://127.0.0.1:7402";
  home::PeerList list;
  list.peers = {card};
  list.trusted = {PublicKey{}};
  list.trusted.front().fill(0xa5);
  testing::TempDir tmp;
  EICHUB_CHECK(home::savePeers(tmp.path(), list).ok());
  const std::string peers_text = readFile(fs::path(tmp.path()) / "peers.toml");
  const std::string cards = home::formatPeerCard(card) + "\n" +
                            "eichub-peer:v1:" + std::string(64, 'f') + ":" + std::string(64, '0') +
                            ":ipc:///run/eichub/node.sock\n";
  writeSeed(dir, "valid_all", joinParts({config_text, peers_text, cards}));
  writeSeed(dir, "valid_minimal", joinParts({"[node]\nname = \"n\"\n", "", ""}));
  writeSeed(dir, "invalid_types",
            joinParts({"[node]\nname = 1\n[store]\ninitial_map_mb = -1\n",
                       "[[peer]]\ncard = 3\n[trust]\nauthors = [\"zz\"]\n", "eichub-peer:v1:"}));
}

// One record of each trust kind, as an authority, a member and a vendor write them.
void trustRecordSeeds(const fs::path& dir) {
  auto node = crypto::SigningKey::generate();
  auto vendor = crypto::SigningKey::generate();
  auto next = crypto::SigningKey::generate();
  EICHUB_CHECK(node.ok() && vendor.ok() && next.ok());
  const auto write = [&](const std::string& name, const trust::TrustRecord& record) {
    writeSeed(dir, name, chars(trust::encodeRecord(record)));
  };
  write("valid_membership", trust::Membership{node->publicKey(), "Leeds Health Cluster", "UKE42"});
  write("valid_removal", trust::Removal{node->publicKey(), 1200, true, "left the network"});
  write("valid_delegation", trust::Delegation{vendor->publicKey(),
                                              "Acme Learning",
                                              {catalog::kindCode(catalog::Kind::LEARNING_RESOURCE),
                                               catalog::kindCode(catalog::Kind::PROVIDER)},
                                              "acme/",
                                              1830297600000});
  write("valid_revocation", trust::Revocation{vendor->publicKey(), 1200, false, "key leaked"});
  write("valid_rotation",
        trust::Rotation{next->publicKey(), next->sign(trust::rotationMessage(
                                               kNet, node->publicKey(), next->publicKey()))});
}

}  // namespace
}  // namespace eichub::fuzz

int main(int argc, char** argv) {
  using namespace eichub;
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s <corpus dir, e.g. tests/fuzz/corpus> [target...]\n", argv[0]);
    return 2;
  }
  const std::filesystem::path root(argv[1]);
  // Named targets only, or all of them: a new target's seeds need not rewrite the others.
  const std::vector<std::string> only(argv + 2, argv + argc);
  const auto wanted = [&](const std::string& target) {
    return only.empty() || std::find(only.begin(), only.end(), target) != only.end();
  };
  auto key = crypto::SigningKey::generate();
  EICHUB_CHECK(key.ok());
  const auto feed = fuzz::exampleFeed(*key);
  if (wanted("signed_update")) fuzz::signedUpdateSeeds(root / "signed_update", feed);
  if (wanted("signed_header")) fuzz::signedHeaderSeeds(root / "signed_header", feed);
  if (wanted("feed_file")) fuzz::feedFileSeeds(root / "feed_file", *key, feed);
  if (wanted("jsonl")) fuzz::jsonlSeeds(root / "jsonl");
  if (wanted("csv_mapping")) fuzz::csvMappingSeeds(root / "csv_mapping");
  if (wanted("config")) fuzz::configSeeds(root / "config");
  if (wanted("trust_record")) fuzz::trustRecordSeeds(root / "trust_record");
  return 0;
}
