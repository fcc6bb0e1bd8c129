// publishStream: a checking pass that keeps keys and digests, then a publishing pass that holds
// one part of the file at a time.
#include "node/publish/stream_publish.h"

#include <utility>
#include <vector>

namespace eichub::publish {

namespace {

// Changes gathered up to a part's bounds (kStreamBatchChanges, kStreamBatchBytes).
class Part {
 public:
  // Adds change; returns whether the part is full.
  bool add(catalog::Change change) {
    bytes_ += change.body.size();
    changes_.push_back(std::move(change));
    return changes_.size() >= kStreamBatchChanges || bytes_ >= kStreamBatchBytes;
  }
  const std::vector<catalog::Change>& changes() const { return changes_; }
  bool empty() const { return changes_.empty(); }
  void clear() {
    changes_.clear();
    bytes_ = 0;
  }

 private:
  std::vector<catalog::Change> changes_;
  size_t bytes_ = 0;
};

// The second pass's sink: publishes the lines the first pass kept, a part at a time.
class Publishing : public catalog::ChangeSink {
 public:
  Publishing(store::CatalogStore& store, const LocalPublish& how, const std::string& source,
             const catalog::LoadOptions& options, const catalog::FirstLines& kept, uint64_t total)
      : store_(store), how_(how), source_(source), options_(options), kept_(kept), total_(total) {}

  void countRead() override {}

  // The first pass judged every line: a bad one was skipped there (kSkipBad), or stopped the
  // publish before anything was signed (kStrict), unless the file changed since.
  Status reject(uint64_t line, const Status& reason) override {
    if (options_.mode == catalog::ErrorMode::kSkipBad) return Status::OK();
    return changed(line, reason.message());
  }

  Status add(uint64_t line, Result<catalog::Change> change) override {
    if (!change.ok()) return reject(line, change.status());
    auto it = kept_.find({static_cast<int>(change->kind), change->id});
    // A duplicate, or a line the first pass skipped (kSkipBad): not published.
    if (it == kept_.end() || it->second.line != line) return Status::OK();
    if (it->second.digest != catalog::contentDigest(*change)) {
      return changed(line, "its content differs");
    }
    if (part_.add(std::move(change).value())) return flush();
    return Status::OK();
  }

  // Signs and commits the part gathered.
  Status flush() {
    if (part_.empty()) return Status::OK();
    const uint64_t before = done_;
    auto progress = [this, before](uint64_t done, uint64_t) {
      if (how_.progress) how_.progress(before + done, total_);
    };
    auto published =
        publishChanges(store_, how_.key, how_.network, part_.changes(), progress, how_.clock);
    if (!published.ok()) return published.status();
    done_ += part_.changes().size();
    summary_.added += published->added;
    summary_.changed += published->changed;
    summary_.unchanged += published->unchanged;
    summary_.deleted += published->deleted;
    summary_.erased += published->erased;
    summary_.batches += published->batches;
    part_.clear();
    return Status::OK();
  }

  const PublishSummary& summary() const { return summary_; }

 private:
  Status changed(uint64_t line, const std::string& why) const {
    return Status::InvalidArgument(source_ + ":" + std::to_string(line),
                                   "the file changed since it was checked (" + why + ")");
  }

  store::CatalogStore& store_;
  const LocalPublish& how_;
  const std::string& source_;
  const catalog::LoadOptions& options_;
  const catalog::FirstLines& kept_;
  const uint64_t total_;
  Part part_;
  uint64_t done_ = 0;
  PublishSummary summary_;
};

}  // namespace

Result<StreamResult> publishStream(store::CatalogStore& store, const LocalPublish& how,
                                   const std::string& source, const catalog::LoadOptions& options,
                                   const ChangeScan& scan) {
  auto opened = ScopeCheck::open(store, how);
  if (!opened.ok()) return opened.status().withContext(kNothingPublished);
  ScopeCheck scope = std::move(opened).value();
  Part part;
  bool spilled = false;  // a part was full during the check: the input is read again to publish
  catalog::ChangeCollector checking(source, options, [&](uint64_t, catalog::Change change) {
    if (!part.add(std::move(change))) return Status::OK();
    spilled = true;
    Status status = scope.check(part.changes());
    part.clear();
    return status;
  });
  Status checked = scan(checking);
  if (checked.ok()) checked = scope.check(part.changes());
  if (!checked.ok()) return checked.withContext(kNothingPublished);

  EICHUB_ASSIGN_OR_RETURN(feed::Head before, store.queries().head(how.key.publicKey()));
  PublishSummary summary;
  Status status;
  if (!spilled) {
    // Every change kept fits in one part, held since it was checked: published as it is,
    // without reading the input again (a one-record HTTP publish parses its line once).
    auto published =
        publishChanges(store, how.key, how.network, part.changes(), how.progress, how.clock);
    status = published.status();
    if (published.ok()) summary = *published;
  } else {
    part.clear();
    Publishing publishing(store, how, source, options, checking.firstLines(), checking.kept());
    status = scan(publishing);
    if (status.ok()) status = publishing.flush();
    summary = publishing.summary();
  }
  // A publish that failed part way keeps the parts it committed: those are news too.
  auto after = store.queries().head(how.key.publicKey());
  if (after.ok() && after->seq != before.seq && how.notify) how.notify();
  if (!status.ok()) return status.withContext("publish stopped; batches committed before stay");
  if (how.progress) how.progress(checking.kept(), checking.kept());
  return StreamResult{std::move(checking).take(), summary};
}

}  // namespace eichub::publish
