// Tokenizer: utf8proc does the normalisation; we split on code point categories.
// Invalid UTF-8 is replaced by spaces first, so that utf8proc never rejects a whole text.
#include "node/search/tokenize.h"

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <memory>

#include <utf8proc.h>

namespace eichub::search {
namespace {

struct FreeDeleter {
  void operator()(utf8proc_uint8_t* p) const noexcept { std::free(p); }
};
using Utf8procBuffer = std::unique_ptr<utf8proc_uint8_t, FreeDeleter>;

constexpr auto kMapOptions =
    static_cast<utf8proc_option_t>(UTF8PROC_STABLE | UTF8PROC_COMPAT | UTF8PROC_COMPOSE |
                                   UTF8PROC_CASEFOLD | UTF8PROC_STRIPMARK | UTF8PROC_IGNORE);

// Copies at most kMaxTextBytes of text, whole code points only, with every invalid byte
// replaced by a space.
std::string sanitize(std::string_view text) {
  std::string out;
  out.reserve(std::min(text.size(), kMaxTextBytes));
  const auto* p = reinterpret_cast<const utf8proc_uint8_t*>(text.data());
  size_t pos = 0;
  while (pos < text.size()) {
    utf8proc_int32_t cp = 0;
    utf8proc_ssize_t n =
        utf8proc_iterate(p + pos, static_cast<utf8proc_ssize_t>(text.size() - pos), &cp);
    size_t len = n > 0 ? static_cast<size_t>(n) : 1;
    if (out.size() + len > kMaxTextBytes) break;
    if (n > 0) {
      out.append(text.substr(pos, len));
    } else {
      out.push_back(' ');
    }
    pos += len;
  }
  return out;
}

bool isWordChar(utf8proc_int32_t cp) {
  switch (utf8proc_category(cp)) {
    case UTF8PROC_CATEGORY_LU:
    case UTF8PROC_CATEGORY_LL:
    case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO:
    case UTF8PROC_CATEGORY_MN:
    case UTF8PROC_CATEGORY_MC:
    case UTF8PROC_CATEGORY_ME:
    case UTF8PROC_CATEGORY_ND:
    case UTF8PROC_CATEGORY_NL:
    case UTF8PROC_CATEGORY_NO:
      return true;
    default:
      return false;
  }
}

bool isAsciiWordChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

bool isAscii(std::string_view text) {
  uint8_t any = 0;
  for (char c : text) any |= static_cast<uint8_t>(c);
  return any < 0x80;
}

// ASCII text needs no normalisation: NFKC and the other mappings leave it unchanged except for
// case folding (A-Z), ASCII holds no marks or ignorables, and its only letters and digits are
// [A-Za-z0-9]. Gives exactly what the utf8proc path gives (tokenize_test checks every byte).
std::vector<std::string> tokenizeAscii(std::string_view text, size_t max_tokens) {
  std::vector<std::string> tokens;
  text = text.substr(0, kMaxTextBytes);
  tokens.reserve(std::min(max_tokens, text.size() / 4 + 1));
  size_t pos = 0;
  while (pos < text.size() && tokens.size() < max_tokens) {
    while (pos < text.size() && !isAsciiWordChar(text[pos])) ++pos;
    size_t end = pos;
    while (end < text.size() && isAsciiWordChar(text[end])) ++end;
    if (end == pos) break;
    std::string token(text.substr(pos, std::min(end - pos, kMaxTokenBytes)));
    for (char& c : token) {
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    tokens.push_back(std::move(token));
    pos = end;
  }
  return tokens;
}

}  // namespace

std::vector<std::string> tokenize(std::string_view text, size_t max_tokens) {
  if (max_tokens == 0) return {};
  if (isAscii(text)) return tokenizeAscii(text, max_tokens);
  return tokenizeUnicodeForTest(text, max_tokens);
}

std::vector<std::string> tokenizeUnicodeForTest(std::string_view text, size_t max_tokens) {
  std::vector<std::string> tokens;
  if (max_tokens == 0) return tokens;
  std::string clean = sanitize(text);
  utf8proc_uint8_t* mapped = nullptr;
  utf8proc_ssize_t mapped_len =
      utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(clean.data()),
                   static_cast<utf8proc_ssize_t>(clean.size()), &mapped, kMapOptions);
  Utf8procBuffer owner(mapped);
  // sanitize() left only valid UTF-8, so a failure here is out of memory: no tokens.
  if (mapped_len < 0 || mapped == nullptr) return tokens;

  std::string current;
  bool truncated = false;  // current reached kMaxTokenBytes: skip the rest of the word
  auto flush = [&]() {
    if (!current.empty()) tokens.push_back(std::move(current));
    current.clear();
    truncated = false;
  };
  size_t pos = 0;
  const auto len = static_cast<size_t>(mapped_len);
  while (pos < len && tokens.size() < max_tokens) {
    utf8proc_int32_t cp = 0;
    utf8proc_ssize_t n =
        utf8proc_iterate(mapped + pos, static_cast<utf8proc_ssize_t>(len - pos), &cp);
    size_t step = n > 0 ? static_cast<size_t>(n) : 1;
    if (n > 0 && isWordChar(cp)) {
      if (!truncated && current.size() + step <= kMaxTokenBytes) {
        current.append(reinterpret_cast<const char*>(mapped + pos), step);
      } else {
        truncated = true;
      }
    } else {
      flush();
    }
    pos += step;
  }
  if (tokens.size() < max_tokens) flush();
  return tokens;
}

}  // namespace eichub::search
