// XmlReader: libxml2's streaming xmlTextReader over a file, hardened for input from outside:
// no network, no DTD (so no external entities and no entity expansion), bounded size and depth,
// and the first parser error kept with its line.
#pragma once

#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>

#include <libxml/xmlreader.h>

#include "federation/common/result.h"

namespace eichub::elm::internal {

struct ReaderLimits {
  uint64_t max_file_bytes = 0;
  int max_depth = 0;
};

class XmlReader {
 public:
  // Opens path for reading. Errors: NotFound / IOError when the file cannot be opened,
  // InvalidArgument when it is larger than limits.max_file_bytes.
  static Result<std::unique_ptr<XmlReader>> open(const std::string& path,
                                                 const ReaderLimits& limits);
  ~XmlReader();
  XmlReader(const XmlReader&) = delete;
  XmlReader& operator=(const XmlReader&) = delete;

  // Moves to the next node (read) or past the current subtree (skip). Returns true on a node,
  // false at the end; an error (malformed XML, a DTD or entity reference, too deep, too large)
  // gives InvalidArgument naming the line.
  Result<bool> read();
  Result<bool> skip();

  xmlTextReaderPtr get() const { return reader_; }
  int depth() const { return xmlTextReaderDepth(reader_); }
  int line() const;
  // The current element's subtree, owned by the reader (valid until the next read or skip).
  // Errors: InvalidArgument.
  Result<xmlNodePtr> expand();

  struct Source;

 private:
  XmlReader() = default;
  Result<bool> check(int rc);

  std::unique_ptr<Source> source_;
  xmlTextReaderPtr reader_ = nullptr;
  ReaderLimits limits_;
};

}  // namespace eichub::elm::internal
