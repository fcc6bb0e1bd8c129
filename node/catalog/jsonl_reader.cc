// readJsonLines: bounded line splitting, JSON parsing with duplicate-key and depth checks, and
// hand-off of each object to changeFromJson and the ChangeCollector.
#include "node/catalog/jsonl_reader.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "federation/common/utf8.h"
#include "node/catalog/record_json.h"

namespace eichub::catalog {

namespace {

constexpr size_t kReadChunkBytes = 64 * 1024;  // one fread; lines may span chunks

struct FileClose {
  void operator()(std::FILE* f) const noexcept { std::fclose(f); }
};
using FilePtr = std::unique_ptr<std::FILE, FileClose>;

bool isBlank(std::string_view line) {
  return line.find_first_not_of(" \t") == std::string_view::npos;
}

// nlohmann's message without its "[json.exception.parse_error.101] " prefix.
std::string parseReason(const nlohmann::json::exception& e) {
  std::string_view what = e.what();
  if (size_t end = what.find("] "); end != std::string_view::npos) what.remove_prefix(end + 2);
  return std::string(what);
}

// One line to a JSON value. Errors: InvalidArgument for bad UTF-8, bad JSON, a key repeated
// within an object (the parser would keep only the last) or nesting beyond kMaxJsonDepth.
Result<nlohmann::json> parseLine(std::string_view line) {
  if (!isValidUtf8(line)) return Status::InvalidArgument("not valid UTF-8");
  using Event = nlohmann::json::parse_event_t;
  std::string problem;
  std::vector<std::set<std::string, std::less<>>> keys;
  auto check = [&](int depth, Event event, nlohmann::json& parsed) {
    if (depth > kMaxJsonDepth) {
      if (problem.empty()) problem = "nested deeper than " + std::to_string(kMaxJsonDepth);
      return false;
    }
    if (event == Event::object_start) {
      keys.emplace_back();
    } else if (event == Event::object_end && !keys.empty()) {
      keys.pop_back();
    } else if (event == Event::key && !keys.empty()) {
      const auto& key = parsed.get_ref<const std::string&>();
      if (!keys.back().insert(key).second && problem.empty()) {
        problem = "key \"" + key + "\" appears twice in one object";
      }
    }
    return true;
  };
  try {
    nlohmann::json value = nlohmann::json::parse(line, check);
    if (!problem.empty()) return Status::InvalidArgument("malformed JSON", problem);
    return value;
  } catch (const nlohmann::json::exception& e) {
    return Status::InvalidArgument("malformed JSON", parseReason(e));
  }
}

// Splits a file into lines of bounded length without holding more than one line.
class LineSplitter {
 public:
  LineSplitter(std::FILE* file, size_t max_line_bytes, uint64_t max_file_bytes)
      : file_(file),
        max_line_bytes_(max_line_bytes),
        max_file_bytes_(max_file_bytes),
        buffer_(kReadChunkBytes) {}

  // Calls on_line(line_number, line, too_long) for each line; stops at the first non-OK Status
  // it returns. A too-long line is passed empty. Errors: IOError on a read error,
  // ResourceExhausted past max_file_bytes.
  template <typename OnLine>
  Status forEachLine(OnLine on_line) {
    uint64_t line_no = 0;
    uint64_t file_bytes = 0;
    for (;;) {
      size_t n = std::fread(buffer_.data(), 1, buffer_.size(), file_);
      file_bytes += n;
      if (file_bytes > max_file_bytes_) {
        return Status::ResourceExhausted("larger than " + std::to_string(max_file_bytes_) +
                                         " bytes; split it");
      }
      size_t i = 0;
      while (i < n) {
        const void* nl = std::memchr(buffer_.data() + i, '\n', n - i);
        size_t end = nl ? static_cast<size_t>(static_cast<const char*>(nl) - buffer_.data()) : n;
        append(buffer_.data() + i, end - i);
        i = end;
        if (nl != nullptr) {
          EICHUB_RETURN_IF_ERROR(emit(++line_no, on_line));
          ++i;
        }
      }
      if (n < buffer_.size()) {
        if (std::ferror(file_)) return Status::IOError("read", std::strerror(errno));
        break;
      }
    }
    if (!line_.empty() || too_long_) return emit(++line_no, on_line);
    return Status::OK();
  }

 private:
  void append(const char* data, size_t size) {
    // One extra byte for a CR before the LF, which does not count.
    if (too_long_ || line_.size() + size > max_line_bytes_ + 1) {
      too_long_ = true;
      line_.clear();
      return;
    }
    line_.append(data, size);
  }

  template <typename OnLine>
  Status emit(uint64_t line_no, OnLine& on_line) {
    if (!line_.empty() && line_.back() == '\r') line_.pop_back();
    bool too_long = too_long_ || line_.size() > max_line_bytes_;
    if (too_long) line_.clear();
    Status status = on_line(line_no, std::string_view(line_), too_long);
    line_.clear();
    too_long_ = false;
    return status;
  }

  std::FILE* file_;
  size_t max_line_bytes_;
  uint64_t max_file_bytes_;
  std::vector<char> buffer_;
  std::string line_;
  bool too_long_ = false;
};

}  // namespace

Status scanJsonLines(const std::string& path, const LoadOptions& options, ChangeSink& sink) {
  FilePtr file(std::fopen(path.c_str(), "rb"));
  if (!file) {
    int err = errno;
    if (err == ENOENT) return Status::NotFound(path);
    return Status::IOError(path, std::strerror(err));
  }
  LineSplitter splitter(file.get(), options.max_line_bytes, options.max_file_bytes);
  // Set for the reader's own errors, which do not name the file yet.
  bool reader_error = true;
  Status status = splitter.forEachLine([&](uint64_t line_no, std::string_view line, bool too_long) {
    if (!too_long && isBlank(line)) return Status::OK();
    sink.countRead();
    Status outcome;
    if (too_long) {
      outcome = sink.reject(
          line_no, Status::InvalidArgument("line longer than " +
                                           std::to_string(options.max_line_bytes) + " bytes"));
    } else if (Result<nlohmann::json> value = parseLine(line); !value.ok()) {
      outcome = sink.reject(line_no, value.status());
    } else {
      outcome = sink.add(line_no, changeFromJson(*value));
    }
    reader_error = outcome.ok();
    return outcome;
  });
  if (!status.ok() && reader_error) return status.withContext(path);
  return status;
}

Result<LoadResult> readJsonLines(const std::string& path, const LoadOptions& options) {
  ChangeCollector collector(path, options);
  EICHUB_RETURN_IF_ERROR(scanJsonLines(path, options, collector));
  return std::move(collector).take();
}

Status scanJsonLinesText(std::string_view text, const LoadOptions& options, ChangeSink& sink) {
  uint64_t line_no = 0;
  while (!text.empty()) {
    size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (isBlank(line)) continue;
    sink.countRead();
    Status status;
    if (line.size() > options.max_line_bytes) {
      status = sink.reject(
          line_no, Status::InvalidArgument("line longer than " +
                                           std::to_string(options.max_line_bytes) + " bytes"));
    } else if (Result<nlohmann::json> value = parseLine(line); !value.ok()) {
      status = sink.reject(line_no, value.status());
    } else {
      status = sink.add(line_no, changeFromJson(*value));
    }
    EICHUB_RETURN_IF_ERROR(status);
  }
  return Status::OK();
}

Result<LoadResult> parseJsonLines(std::string_view text, const std::string& source,
                                  const LoadOptions& options) {
  ChangeCollector collector(source, options);
  EICHUB_RETURN_IF_ERROR(scanJsonLinesText(text, options, collector));
  return std::move(collector).take();
}

}  // namespace eichub::catalog
