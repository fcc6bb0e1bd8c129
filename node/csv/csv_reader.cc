// CsvReader implementation: a byte-level RFC 4180 state machine over large gzread chunks.
// zlib's gzread reads plain files unchanged, so one code path serves .csv and .csv.gz.
#include "node/csv/csv_reader.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>
#include <utility>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "federation/common/utf8.h"

namespace eichub::csv {
namespace {

constexpr size_t kReadChunkBytes = 1 << 20;     // big reads keep per-call overhead negligible
constexpr unsigned kGzBufferBytes = 256 << 10;  // zlib's 8 KiB default costs a syscall per 8 KiB
constexpr unsigned char kBom[] = {0xEF, 0xBB, 0xBF};

struct GzClose {
  void operator()(gzFile file) const noexcept { gzclose(file); }
};
using GzFilePtr = std::unique_ptr<gzFile_s, GzClose>;

Status lineError(uint64_t line, const std::string& what) {
  return Status::InvalidArgument("line " + std::to_string(line) + ": " + what);
}

class GzCsvReader final : public CsvReader {
 public:
  GzCsvReader(GzFilePtr file, uint64_t file_bytes, CsvLimits limits, size_t read_bytes)
      : file_(std::move(file)), file_bytes_(file_bytes), limits_(limits), buf_(read_bytes) {}

  Result<bool> next(std::vector<std::string>& fields) override;
  uint64_t recordLine() const override { return record_line_; }
  uint64_t bytesConsumed() const override { return consumed_; }
  uint64_t fileBytes() const override { return file_bytes_; }

 private:
  enum class State { kFieldStart, kUnquoted, kQuoted, kQuoteInQuoted, kAfterCr };

  // Refills buf_ when it is used up; at end of file pos_ == end_ afterwards.
  Status fill();
  // Counts read more bytes of text against max_text_bytes and max_gzip_ratio.
  Status checkExpansion(uint64_t read);
  Status fail(Status status) {
    error_ = status;
    return status;
  }
  // Opens field number n (0-based) of the record being read.
  Status beginField(std::vector<std::string>& fields, size_t& n);
  // Appends to the open field; a limit error names field_line, where the field starts.
  Status append(std::string& field, const char* bytes, size_t size, uint64_t field_line);
  // Validates the field just finished; field_line is the line it started on.
  Status endField(const std::string& field, uint64_t field_line) const;

  GzFilePtr file_;
  uint64_t file_bytes_;
  CsvLimits limits_;
  std::vector<char> buf_;
  size_t pos_ = 0;
  size_t end_ = 0;
  bool eof_ = false;
  bool at_file_start_ = true;
  bool done_ = false;
  uint64_t line_ = 1;  // line of the next unread byte
  uint64_t record_line_ = 0;
  uint64_t consumed_ = 0;
  size_t record_bytes_ = 0;
  uint64_t text_bytes_ = 0;  // decompressed bytes read so far
  Status error_;
};

Status GzCsvReader::fill() {
  pos_ = end_ = 0;
  if (eof_) return Status::OK();
  int got = gzread(file_.get(), buf_.data(), static_cast<unsigned>(buf_.size()));
  int errnum = Z_OK;
  if (got < 0) {
    const char* msg = gzerror(file_.get(), &errnum);
    if (errnum == Z_ERRNO) return Status::IOError("read", std::strerror(errno));
    return Status::Corruption("gzip stream", msg);
  }
  if (got == 0) {
    // A truncated gzip stream reads as end of file with Z_BUF_ERROR set.
    const char* msg = gzerror(file_.get(), &errnum);
    if (errnum != Z_OK) return Status::Corruption("gzip stream", msg);
    eof_ = true;
  }
  end_ = static_cast<size_t>(got);
  if (at_file_start_) {
    at_file_start_ = false;
    if (end_ >= sizeof(kBom) && std::memcmp(buf_.data(), kBom, sizeof(kBom)) == 0) {
      pos_ = sizeof(kBom);
    }
  }
  z_off_t offset = gzoffset(file_.get());
  if (offset >= 0) consumed_ = static_cast<uint64_t>(offset);
  if (eof_) consumed_ = file_bytes_;
  return checkExpansion(static_cast<uint64_t>(got));
}

Status GzCsvReader::checkExpansion(uint64_t read) {
  text_bytes_ += read;
  if (text_bytes_ > limits_.max_text_bytes) {
    return lineError(line_, "the file holds more than " + std::to_string(limits_.max_text_bytes) +
                                " bytes of text");
  }
  // gzdirect: 1 for a plain file, which expands by nothing.
  if (gzdirect(file_.get()) == 0 && text_bytes_ > limits_.gzip_ratio_check_bytes &&
      text_bytes_ > limits_.max_gzip_ratio * std::max<uint64_t>(consumed_, 1)) {
    return lineError(line_, "the gzip stream expands more than " +
                                std::to_string(limits_.max_gzip_ratio) +
                                " times (a gzip bomb?): " + std::to_string(text_bytes_) +
                                " bytes of text from " + std::to_string(consumed_));
  }
  return Status::OK();
}

Status GzCsvReader::beginField(std::vector<std::string>& fields, size_t& n) {
  if (n == limits_.max_fields) {
    return lineError(line_, "more than " + std::to_string(limits_.max_fields) + " fields");
  }
  if (n == fields.size()) {
    fields.emplace_back();
  } else {
    fields[n].clear();
  }
  ++n;
  return Status::OK();
}

Status GzCsvReader::append(std::string& field, const char* bytes, size_t size,
                           uint64_t field_line) {
  if (field.size() + size > limits_.max_field_bytes) {
    return lineError(field_line,
                     "field longer than " + std::to_string(limits_.max_field_bytes) + " bytes");
  }
  record_bytes_ += size;
  if (record_bytes_ > limits_.max_record_bytes) {
    return lineError(record_line_,
                     "record longer than " + std::to_string(limits_.max_record_bytes) + " bytes");
  }
  field.append(bytes, size);
  return Status::OK();
}

Status GzCsvReader::endField(const std::string& field, uint64_t field_line) const {
  const size_t bad = firstInvalidUtf8(field);
  if (bad == std::string_view::npos) return Status::OK();
  uint64_t line =
      field_line + static_cast<uint64_t>(std::count(field.begin(), field.begin() + bad, '\n'));
  return lineError(line, "invalid UTF-8 at byte " + std::to_string(bad) + " of a field");
}

Result<bool> GzCsvReader::next(std::vector<std::string>& fields) {
  if (!error_.ok()) return error_;
  if (done_) return false;
  size_t n = 0;
  bool started = false;  // false while only blank lines have been seen
  uint64_t field_line = line_;
  State state = State::kFieldStart;
  record_bytes_ = 0;
  auto finishRecord = [&]() -> Result<bool> {
    fields.resize(n);
    return true;
  };
  // Ends the open field and, on a comma, opens the next one.
  auto closeField = [&](bool open_next) -> Status {
    EICHUB_RETURN_IF_ERROR(endField(fields[n - 1], field_line));
    if (!open_next) return Status::OK();
    field_line = line_;
    return beginField(fields, n);
  };
  for (;;) {
    if (pos_ == end_) {
      if (Status s = fill(); !s.ok()) return fail(s);
      if (pos_ == end_) {
        if (eof_) break;
        continue;  // the first read held the byte order mark and nothing after it
      }
    }
    const char* p = buf_.data() + pos_;
    const char* e = buf_.data() + end_;
    Status s;
    switch (state) {
      case State::kFieldStart: {
        char c = *p;
        if (!started) {
          if (c == '\n') {
            ++pos_;
            ++line_;
            continue;
          }
          if (c == '\r') {
            ++pos_;
            state = State::kAfterCr;
            continue;
          }
          started = true;
          record_line_ = field_line = line_;
          if (s = beginField(fields, n); !s.ok()) return fail(s);
        }
        if (c == '"') {
          ++pos_;
          state = State::kQuoted;
        } else if (c == ',') {
          ++pos_;
          s = closeField(true);
        } else if (c == '\n') {
          ++pos_;
          ++line_;
          if (s = closeField(false); !s.ok()) return fail(s);
          return finishRecord();
        } else if (c == '\r') {
          ++pos_;
          s = closeField(false);
          state = State::kAfterCr;
        } else {
          state = State::kUnquoted;
        }
        break;
      }
      case State::kUnquoted: {
        const char* q = p;
        while (q < e && *q != ',' && *q != '\n' && *q != '\r' && *q != '"') ++q;
        if (s = append(fields[n - 1], p, static_cast<size_t>(q - p), field_line); !s.ok())
          return fail(s);
        pos_ += static_cast<size_t>(q - p);
        if (q == e) continue;
        ++pos_;
        if (*q == ',') {
          s = closeField(true);
          state = State::kFieldStart;
        } else if (*q == '\n') {
          ++line_;
          if (s = closeField(false); !s.ok()) return fail(s);
          return finishRecord();
        } else if (*q == '\r') {
          s = closeField(false);
          state = State::kAfterCr;
        } else {
          s = lineError(line_, "stray quote inside an unquoted field");
        }
        break;
      }
      case State::kQuoted: {
        const void* found = std::memchr(p, '"', static_cast<size_t>(e - p));
        const char* q = found ? static_cast<const char*>(found) : e;
        s = append(fields[n - 1], p, static_cast<size_t>(q - p), field_line);
        line_ += static_cast<uint64_t>(std::count(p, q, '\n'));
        pos_ += static_cast<size_t>(q - p);
        if (s.ok() && found) {
          ++pos_;
          state = State::kQuoteInQuoted;
        }
        break;
      }
      case State::kQuoteInQuoted: {
        char c = *p;
        ++pos_;
        if (c == '"') {
          s = append(fields[n - 1], p, 1, field_line);
          state = State::kQuoted;
        } else if (c == ',') {
          s = closeField(true);
          state = State::kFieldStart;
        } else if (c == '\n') {
          ++line_;
          if (s = closeField(false); !s.ok()) return fail(s);
          return finishRecord();
        } else if (c == '\r') {
          s = closeField(false);
          state = State::kAfterCr;
        } else {
          s = lineError(line_, "stray quote: text after the closing quote of a field");
        }
        break;
      }
      case State::kAfterCr: {
        if (*p != '\n') {
          s = lineError(line_, "bare CR outside quotes");
          break;
        }
        ++pos_;
        ++line_;
        if (started) return finishRecord();
        state = State::kFieldStart;  // a blank CRLF line
        break;
      }
    }
    if (!s.ok()) return fail(s);
  }
  // End of file.
  done_ = true;
  switch (state) {
    case State::kQuoted:
      return fail(lineError(field_line, "unterminated quoted field"));
    case State::kFieldStart:
    case State::kAfterCr:
      if (!started) return false;
      if (state == State::kAfterCr) break;  // the field ended at the CR
      [[fallthrough]];
    case State::kUnquoted:
    case State::kQuoteInQuoted:
      if (Status s = closeField(false); !s.ok()) return fail(s);
      break;
  }
  return finishRecord();
}

Result<std::unique_ptr<CsvReader>> openReader(const std::string& path, CsvLimits limits,
                                              size_t read_bytes) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    int err = errno;
    if (err == ENOENT) return Status::NotFound(path, std::strerror(err));
    return Status::IOError(path, std::strerror(err));
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return Status::IOError(path, "not a regular file");
  }
  // gzdopen takes ownership of fd only when it succeeds.
  GzFilePtr file(gzdopen(fd, "rb"));
  if (!file) {
    ::close(fd);
    return Status::IOError(path, "gzdopen failed");
  }
  if (gzbuffer(file.get(), kGzBufferBytes) != 0) return Status::IOError(path, "gzbuffer failed");
  return std::unique_ptr<CsvReader>(std::make_unique<GzCsvReader>(
      std::move(file), static_cast<uint64_t>(st.st_size), limits, read_bytes));
}

}  // namespace

Result<std::unique_ptr<CsvReader>> CsvReader::open(const std::string& path, CsvLimits limits) {
  return openReader(path, limits, kReadChunkBytes);
}

Result<std::unique_ptr<CsvReader>> CsvReader::openForTest(const std::string& path, CsvLimits limits,
                                                          size_t read_bytes) {
  return openReader(path, limits, std::max<size_t>(read_bytes, 1));
}

}  // namespace eichub::csv
