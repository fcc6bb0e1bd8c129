// XmlWriter: streams an XML document to a sink through libxml2's xmlTextWriter, so that a large
// export never holds the document in memory. Owns the writer (and its output buffer).
#pragma once

#include <functional>
#include <memory>
#include <string_view>

#include "federation/common/result.h"

namespace eichub::elm {

// Receives the document in pieces, in order; returns false when it cannot take more (disk
// full, client gone), which stops the writer.
using XmlSink = std::function<bool(std::string_view bytes)>;

class XmlWriter {
 public:
  // A writer that sends UTF-8 XML to sink, indented. Errors: ResourceExhausted when libxml2
  // cannot allocate the writer.
  static Result<std::unique_ptr<XmlWriter>> open(XmlSink sink);
  ~XmlWriter();
  XmlWriter(const XmlWriter&) = delete;
  XmlWriter& operator=(const XmlWriter&) = delete;

  // Each call is ignored once a call has failed; finish() reports the first failure.
  void startElement(std::string_view name);  // a qualified name: "title", "skos:prefLabel"
  void attribute(std::string_view name, std::string_view value);
  void text(std::string_view value);
  void endElement();
  // <name attr="value"/>, and <name language="lang">text</name>.
  void emptyWithAttribute(std::string_view name, std::string_view attr, std::string_view value);
  void langText(std::string_view name, std::string_view lang, std::string_view text);
  void textElement(std::string_view name, std::string_view text);

  // Closes open elements, ends the document and flushes. Errors: IOError when the sink refused
  // bytes or libxml2 failed.
  Status finish();

  struct Impl;

 private:
  explicit XmlWriter(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace eichub::elm
