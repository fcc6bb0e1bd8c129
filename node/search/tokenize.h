// Unicode-aware word tokenizer for the search index: NFKC, case folding and accent stripping
// (libutf8proc), then words split on anything that is not a letter, mark or digit.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace eichub::search {

// A token longer than this is cut (at a code point boundary) to this many bytes: labels hold no
// longer words (German compounds stay under it), and it keeps index keys small.
inline constexpr size_t kMaxTokenBytes = 64;
// Tokens kept from one text; the rest are ignored. Labels and titles hold far fewer.
inline constexpr size_t kMaxTokensPerText = 256;
// Bytes of one text that are looked at; the rest is ignored (cut at a code point boundary).
// Indexed texts are labels and titles, not descriptions.
inline constexpr size_t kMaxTextBytes = 16 * 1024;

// Splits text into normalised words, in order, duplicates kept: NFKC compatibility
// normalisation, Unicode case folding and removal of combining marks ("ÉLÉMENTS" -> "elements",
// "Straße" -> "strasse"), then a split on every code point that is not a letter, mark or digit
// ("wound-care" -> "wound", "care"). Bytes that are not valid UTF-8 act as separators. At most
// max_tokens tokens, each at most kMaxTokenBytes bytes. Never fails; thread-safe.
std::vector<std::string> tokenize(std::string_view text, size_t max_tokens = kMaxTokensPerText);

// tokenize() without its ASCII fast path: every text through utf8proc. For tests that check the
// fast path gives the same tokens.
std::vector<std::string> tokenizeUnicodeForTest(std::string_view text,
                                                size_t max_tokens = kMaxTokensPerText);

}  // namespace eichub::search
