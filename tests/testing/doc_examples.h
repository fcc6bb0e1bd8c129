// Test helper: the example lines a document under docs/ gives in its ```json blocks, so that
// tests check what the docs show.
#pragma once

#include <string>
#include <vector>

namespace eichub::testing {

// The lines starting with '{' inside ```json blocks of docs/<name> in the source tree, in order;
// empty when the file cannot be read.
std::vector<std::string> docJsonLines(const std::string& name);

}  // namespace eichub::testing
