// Feed export files: writing and full verification (every signature, every link).
#include "federation/feed/feed_file.h"

#include <cerrno>
#include <cstring>

#include <capnp/serialize.h>
#include <fcntl.h>
#include <kj/io.h>
#include <unistd.h>

#include "federation/common/capnp_read.h"
#include "federation/feed/verify.h"

namespace eichub::feed {

namespace {

constexpr char kMagic[8] = {'E', 'I', 'C', 'H', 'U', 'B', 'F', '1'};
// One Update message: header, signature, body and framing.
constexpr size_t kMaxEntryBytes = kMaxHeaderBytes + kMaxBodyBytes + 1024;
constexpr int kEntryNestingLimit = 8;

Bytes bytesOf(capnp::Data::Reader data) { return Bytes(data.begin(), data.end()); }

// Owns a file descriptor.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  // Closes now and reports the error close() gives (a delayed write error, say).
  int close() { return ::close(std::exchange(fd_, -1)); }

 private:
  int fd_;
};

}  // namespace

Status writeFeedFile(const std::string& path, const PublicKey& author, std::string_view network,
                     const std::vector<SignedUpdate>& updates) {
  Fd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  if (fd.get() < 0) return Status::IOError("cannot create " + path, std::strerror(errno));
  try {
    kj::FdOutputStream raw(fd.get());
    kj::BufferedOutputStreamWrapper out(raw);
    out.write(kMagic, sizeof(kMagic));
    {
      capnp::MallocMessageBuilder message;
      auto info = message.initRoot<schema::FeedFileInfo>();
      info.setFormatVersion(kFeedFormat);
      info.setAuthor(dataOf(author));
      info.setNetwork(dataOf(asBytes(network)));
      info.setCount(updates.size());
      capnp::writeMessage(out, message);
    }
    for (const SignedUpdate& update : updates) {
      capnp::MallocMessageBuilder message;
      auto entry = message.initRoot<schema::Update>();
      entry.initSigned().setHeader(dataOf(update.header));
      entry.getSigned().setSignature(dataOf(update.signature));
      entry.setBody(dataOf(update.body));
      capnp::writeMessage(out, message);
    }
    out.flush();
  } catch (const kj::Exception& e) {
    return Status::IOError("cannot write " + path, e.getDescription().cStr());
  }
  if (::fsync(fd.get()) != 0 || fd.close() != 0) {
    return Status::IOError("cannot write " + path, std::strerror(errno));
  }
  return Status::OK();
}

FeedFileReport readFeedFile(const std::string& path, FeedFileCheck check,
                            const FeedBatchFn& on_batch) {
  FeedFileReport report;
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) {
    report.error = Status::NotFound("cannot open " + path, std::strerror(errno));
    return report;
  }
  const SignatureCheck each = check == FeedFileCheck::kEverySignature
                                  ? SignatureCheck::kCheck
                                  : SignatureCheck::kDeferToChain;
  std::vector<VerifiedUpdate> batch;
  // Hands the batch on once its last signature vouches for it (kChain); false on an error.
  auto flush = [&](uint64_t last_index) {
    if (batch.empty()) return true;
    if (Status run = checkRun(batch); !run.ok()) {
      report.error = run;
      report.bad_index = last_index;
      return false;
    }
    if (check == FeedFileCheck::kChain) report.count += batch.size();
    const uint64_t first_index = last_index + 1 - batch.size();
    if (on_batch) {
      if (Status taken = on_batch(std::move(batch)); !taken.ok()) {
        report.error = taken;
        report.bad_index = first_index;
        return false;
      }
    }
    batch.clear();
    return true;
  };
  uint64_t index = 0;  // entries read so far
  try {
    kj::FdInputStream raw(fd.get());
    kj::BufferedInputStreamWrapper in(raw);
    char magic[sizeof(kMagic)];
    if (in.tryRead(magic, sizeof(magic), sizeof(magic)) != sizeof(magic) ||
        std::memcmp(magic, kMagic, sizeof(kMagic)) != 0) {
      report.error = Status::InvalidArgument("not an eichub feed file (bad magic)");
      return report;
    }
    capnp::InputStreamMessageReader info_reader(in, readerOptions(4096, kEntryNestingLimit));
    auto info = info_reader.getRoot<schema::FeedFileInfo>();
    if (info.getFormatVersion() != kFeedFormat) {
      report.error = Status::InvalidArgument(
          "feed file format " + std::to_string(info.getFormatVersion()) +
          ", this eichub reads format " + std::to_string(kFeedFormat) +
          (info.getFormatVersion() < kFeedFormat
               ? ": export it again from a home upgraded with `eichub migrate`"
               : ": upgrade eichub"));
      return report;
    }
    if (info.getAuthor().size() != kPublicKeyBytes || info.getCount() > kMaxFeedFileUpdates) {
      report.error = Status::InvalidArgument("bad feed file info");
      return report;
    }
    std::copy(info.getAuthor().begin(), info.getAuthor().end(), report.author.begin());
    report.network.assign(info.getNetwork().asChars().begin(), info.getNetwork().asChars().end());
    const uint64_t count = info.getCount();

    for (index = 1; index <= count; ++index) {
      capnp::InputStreamMessageReader reader(in, readerOptions(kMaxEntryBytes, kEntryNestingLimit));
      auto entry = reader.getRoot<schema::Update>();
      SignedUpdate update;
      update.header = bytesOf(entry.getSigned().getHeader());
      update.signature = bytesOf(entry.getSigned().getSignature());
      update.body = bytesOf(entry.getBody());
      auto verified = verifyUpdate(std::move(update), report.network, each);
      if (!verified.ok()) {
        report.error = verified.status();
        report.bad_index = index;
        return report;
      }
      const HeaderFields& f = verified->fields;
      if (f.author != report.author) {
        report.error = Status::InvalidArgument("update by another author");
        report.bad_index = index;
        return report;
      }
      if (index == 1) {
        // A file may start mid-feed; its first link is checked against the store on import.
        report.first_seq = f.seq;
      } else if (Status link = checkLink(report.head, f); !link.ok()) {
        report.error = link;
        report.bad_index = index;
        return report;
      }
      report.head = headAfter(*verified);
      if (check == FeedFileCheck::kEverySignature) ++report.count;
      batch.push_back(std::move(verified).value());
      if (batch.size() == kFeedFileBatchUpdates && !flush(index)) return report;
    }
    if (!flush(index - 1)) return report;
    if (in.tryGetReadBuffer().size() != 0) {
      report.error = Status::InvalidArgument("trailing bytes after the last update");
      report.bad_index = index;
    }
  } catch (const kj::Exception& e) {
    report.error =
        Status::InvalidArgument("truncated or malformed entry", e.getDescription().cStr());
    report.bad_index = index;
  }
  return report;
}

FeedFileReport verifyFeedFile(const std::string& path, std::vector<VerifiedUpdate>* updates) {
  FeedBatchFn keep;
  if (updates != nullptr) {
    keep = [updates](std::vector<VerifiedUpdate> batch) {
      for (VerifiedUpdate& update : batch) updates->push_back(std::move(update));
      return Status::OK();
    };
  }
  return readFeedFile(path, FeedFileCheck::kEverySignature, keep);
}

}  // namespace eichub::feed
