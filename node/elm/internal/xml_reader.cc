// XmlReader: the file is read through a counting callback, so the size bound holds for pipes
// and growing files too; the reader's options leave out XML_PARSE_NOENT, XML_PARSE_DTDLOAD and
// XML_PARSE_HUGE, and a DOCTYPE or an entity reference ends the read.
#include "node/elm/internal/xml_reader.h"

#include <cerrno>
#include <cstring>
#include <string>

#include <fmt/core.h>

namespace eichub::elm::internal {

struct XmlReader::Source {
  FILE* file = nullptr;
  uint64_t bytes = 0;
  uint64_t max_bytes = 0;
  bool too_large = false;
  bool read_failed = false;
  std::string error;  // the parser's first error
  int error_line = 0;

  ~Source() {
    if (file != nullptr) std::fclose(file);
  }
};

namespace {

int readSource(void* context, char* buffer, int len) {
  auto* source = static_cast<XmlReader::Source*>(context);
  size_t n = std::fread(buffer, 1, static_cast<size_t>(len), source->file);
  if (n == 0 && std::ferror(source->file)) {
    source->read_failed = true;
    return -1;
  }
  source->bytes += n;
  if (source->bytes > source->max_bytes) {
    source->too_large = true;
    return -1;
  }
  return static_cast<int>(n);
}

void keepFirstError(void* context, xmlErrorPtr error) {
  auto* source = static_cast<XmlReader::Source*>(context);
  if (!source->error.empty() || error == nullptr) return;
  std::string message = error->message != nullptr ? error->message : "malformed XML";
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) {
    message.pop_back();
  }
  source->error = message;
  source->error_line = error->line;
}

}  // namespace

Result<std::unique_ptr<XmlReader>> XmlReader::open(const std::string& path,
                                                   const ReaderLimits& limits) {
  std::unique_ptr<XmlReader> reader(new XmlReader());
  reader->limits_ = limits;
  reader->source_ = std::make_unique<Source>();
  reader->source_->max_bytes = limits.max_file_bytes;
  reader->source_->file = std::fopen(path.c_str(), "rb");
  if (reader->source_->file == nullptr) {
    int err = errno;
    if (err == ENOENT) return Status::NotFound(path, "no such file");
    return Status::IOError(path, std::strerror(err));
  }
  // No XML_PARSE_NOENT (entities stay references), no XML_PARSE_DTDLOAD / DTDATTR / DTDVALID
  // (no external subset), no XML_PARSE_HUGE (libxml2's own length and depth caps stay).
  const int options = XML_PARSE_NONET | XML_PARSE_NOCDATA;
  reader->reader_ =
      xmlReaderForIO(readSource, nullptr, reader->source_.get(), nullptr, nullptr, options);
  if (reader->reader_ == nullptr) return Status::ResourceExhausted("cannot create the XML reader");
  xmlTextReaderSetStructuredErrorHandler(reader->reader_, keepFirstError, reader->source_.get());
  return reader;
}

XmlReader::~XmlReader() {
  if (reader_ != nullptr) xmlFreeTextReader(reader_);
}

int XmlReader::line() const { return xmlTextReaderGetParserLineNumber(reader_); }

Result<bool> XmlReader::check(int rc) {
  const Source& s = *source_;
  if (s.too_large) {
    return Status::InvalidArgument(
        fmt::format("the file is larger than {} bytes; split it", limits_.max_file_bytes));
  }
  if (s.read_failed) return Status::IOError("reading the file failed");
  if (!s.error.empty()) {
    return Status::InvalidArgument(
        fmt::format("line {}: not well-formed XML: {}", s.error_line, s.error));
  }
  if (rc < 0) return Status::InvalidArgument(fmt::format("line {}: not well-formed XML", line()));
  if (rc == 0) return false;
  int type = xmlTextReaderNodeType(reader_);
  if (type == XML_READER_TYPE_DOCUMENT_TYPE) {
    return Status::InvalidArgument(fmt::format(
        "line {}: a DOCTYPE is not accepted (LOQ needs no DTD; entities are not expanded)",
        line()));
  }
  if (type == XML_READER_TYPE_ENTITY_REFERENCE || type == XML_READER_TYPE_ENTITY) {
    return Status::InvalidArgument(
        fmt::format("line {}: an entity reference is not accepted", line()));
  }
  if (type == XML_READER_TYPE_ELEMENT && depth() > limits_.max_depth) {
    return Status::InvalidArgument(
        fmt::format("line {}: elements nested deeper than {}", line(), limits_.max_depth));
  }
  return true;
}

Result<bool> XmlReader::read() { return check(xmlTextReaderRead(reader_)); }

Result<bool> XmlReader::skip() { return check(xmlTextReaderNext(reader_)); }

Result<xmlNodePtr> XmlReader::expand() {
  xmlNodePtr node = xmlTextReaderExpand(reader_);
  if (node == nullptr || !source_->error.empty() || source_->too_large) {
    auto st = check(-1);
    return st.ok() ? Status::InvalidArgument(fmt::format("line {}: malformed element", line()))
                   : st.status();
  }
  // The subtree was read in one go: hold it to the same depth bound as the nodes read singly.
  int node_depth = depth();
  for (xmlNodePtr n = node; n != nullptr;) {
    if (n->type == XML_ELEMENT_NODE && node_depth > limits_.max_depth) {
      return Status::InvalidArgument(fmt::format("line {}: elements nested deeper than {}",
                                                 xmlGetLineNo(n), limits_.max_depth));
    }
    if (n->children != nullptr) {
      n = n->children;
      ++node_depth;
      continue;
    }
    while (n != node && n->next == nullptr) {
      n = n->parent;
      --node_depth;
    }
    n = n == node ? nullptr : n->next;
  }
  return node;
}

}  // namespace eichub::elm::internal
