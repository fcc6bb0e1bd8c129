// XmlWriter over xmlTextWriter and an xmlOutputBuffer whose write callback is the sink.
#include "node/elm/xml_writer.h"

#include <string>

#include <libxml/xmlwriter.h>

namespace eichub::elm {

struct XmlWriter::Impl {
  XmlSink sink;
  xmlTextWriterPtr writer = nullptr;  // owns the output buffer
  bool sink_failed = false;
  bool failed = false;

  ~Impl() {
    if (writer != nullptr) xmlFreeTextWriter(writer);
  }
  // libxml2 calls are checked one by one; the first failure makes every later call a no-op.
  void check(int rc) {
    if (rc < 0) failed = true;
  }
};

namespace {

const xmlChar* x(const std::string& s) { return reinterpret_cast<const xmlChar*>(s.c_str()); }

int writeToSink(void* context, const char* buffer, int len) {
  auto* impl = static_cast<XmlWriter::Impl*>(context);
  if (impl->sink_failed || !impl->sink(std::string_view(buffer, static_cast<size_t>(len)))) {
    impl->sink_failed = true;
    return -1;
  }
  return len;
}

}  // namespace

XmlWriter::XmlWriter(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
XmlWriter::~XmlWriter() = default;

Result<std::unique_ptr<XmlWriter>> XmlWriter::open(XmlSink sink) {
  auto impl = std::make_unique<Impl>();
  impl->sink = std::move(sink);
  xmlOutputBufferPtr out = xmlOutputBufferCreateIO(writeToSink, nullptr, impl.get(), nullptr);
  if (out == nullptr) return Status::ResourceExhausted("cannot allocate the XML output buffer");
  impl->writer = xmlNewTextWriter(out);  // takes the buffer, also on failure
  if (impl->writer == nullptr) return Status::ResourceExhausted("cannot allocate the XML writer");
  xmlTextWriterSetIndent(impl->writer, 1);
  xmlTextWriterSetIndentString(impl->writer, reinterpret_cast<const xmlChar*>("  "));
  impl->check(xmlTextWriterStartDocument(impl->writer, "1.0", "UTF-8", nullptr));
  return std::unique_ptr<XmlWriter>(new XmlWriter(std::move(impl)));
}

void XmlWriter::startElement(std::string_view name) {
  if (impl_->failed) return;
  impl_->check(xmlTextWriterStartElement(impl_->writer, x(std::string(name))));
}

void XmlWriter::attribute(std::string_view name, std::string_view value) {
  if (impl_->failed) return;
  impl_->check(
      xmlTextWriterWriteAttribute(impl_->writer, x(std::string(name)), x(std::string(value))));
}

void XmlWriter::text(std::string_view value) {
  if (impl_->failed) return;
  impl_->check(xmlTextWriterWriteString(impl_->writer, x(std::string(value))));
}

void XmlWriter::endElement() {
  if (impl_->failed) return;
  impl_->check(xmlTextWriterEndElement(impl_->writer));
}

void XmlWriter::emptyWithAttribute(std::string_view name, std::string_view attr,
                                   std::string_view value) {
  startElement(name);
  attribute(attr, value);
  endElement();
}

void XmlWriter::langText(std::string_view name, std::string_view lang, std::string_view value) {
  startElement(name);
  attribute("language", lang);
  text(value);
  endElement();
}

void XmlWriter::textElement(std::string_view name, std::string_view value) {
  startElement(name);
  text(value);
  endElement();
}

Status XmlWriter::finish() {
  if (!impl_->failed) impl_->check(xmlTextWriterEndDocument(impl_->writer));
  if (!impl_->failed) impl_->check(xmlTextWriterFlush(impl_->writer));
  if (impl_->sink_failed)
    return Status::IOError("the XML output was refused (disk full or closed)");
  if (impl_->failed) return Status::IOError("libxml2 could not write the XML document");
  return Status::OK();
}

}  // namespace eichub::elm
