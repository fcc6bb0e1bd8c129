// Test helpers: a whole file read into a string, and a string written as a whole file.
#pragma once

#include <string>

namespace eichub::testing {

// The bytes of the file at path ("" when it cannot be read).
std::string readFile(const std::string& path);
// Replaces the file at path with bytes; aborts when it cannot be written (the test's own directory:
// not the code under test).
void writeFile(const std::string& path, const std::string& bytes);

}  // namespace eichub::testing
