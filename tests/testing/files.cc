#include "tests/testing/files.h"

#include <fstream>
#include <iterator>

#include "federation/common/check.h"

namespace eichub::testing {

std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void writeFile(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  out.close();
  EICHUB_CHECK(!out.fail()) << "cannot write " << path;
}

}  // namespace eichub::testing
