#include "tests/testing/doc_examples.h"

#include <sstream>

#include "tests/testing/files.h"

namespace eichub::testing {

std::vector<std::string> docJsonLines(const std::string& name) {
  std::istringstream doc(readFile(std::string(EICHUB_SOURCE_DIR) + "/docs/" + name));
  std::vector<std::string> lines;
  bool in_json = false;
  for (std::string line; std::getline(doc, line);) {
    if (line.starts_with("```")) {
      in_json = line == "```json";
      continue;
    }
    if (in_json && line.starts_with("{")) lines.push_back(line);
  }
  return lines;
}

}  // namespace eichub::testing
