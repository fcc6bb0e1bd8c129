// Number, price and weekly-effort parsing for CSV cells.
// Scans bytes: non-ASCII text such as the en dash in "2–3" simply separates numbers.
#include "node/import/internal/value_parsers.h"

#include <charconv>
#include <string>

namespace eichub::import::internal {

namespace {

bool isDigit(char c) { return c >= '0' && c <= '9'; }
bool isUpper(char c) { return c >= 'A' && c <= 'Z'; }

std::string_view trim(std::string_view s) {
  size_t begin = s.find_first_not_of(" \t\r\n");
  if (begin == std::string_view::npos) return {};
  size_t end = s.find_last_not_of(" \t\r\n");
  return s.substr(begin, end - begin + 1);
}

// Reads a number starting at s[i] (a digit), advancing i past it.
double readNumber(std::string_view s, size_t& i) {
  std::string digits;
  while (i < s.size()) {
    if (isDigit(s[i])) {
      digits.push_back(s[i++]);
    } else if (s[i] == ',' && i + 3 < s.size() && isDigit(s[i + 1]) && isDigit(s[i + 2]) &&
               isDigit(s[i + 3]) && (i + 4 == s.size() || !isDigit(s[i + 4]))) {
      ++i;  // thousands separator
    } else if (s[i] == '.' && i + 1 < s.size() && isDigit(s[i + 1]) &&
               digits.find('.') == std::string::npos) {
      digits.push_back(s[i++]);
    } else {
      break;
    }
  }
  double value = 0;
  std::from_chars(digits.data(), digits.data() + digits.size(), value);
  return value;
}

bool containsFree(std::string_view s) {
  for (size_t i = 0; i + 4 <= s.size(); ++i) {
    std::string word(s.substr(i, 4));
    for (char& c : word) c = static_cast<char>(c | 0x20);
    if (word == "free") return true;
  }
  return false;
}

std::string currencyIn(std::string_view s) {
  auto isLetter = [](char c) { return isUpper(c) || (c >= 'a' && c <= 'z'); };
  for (size_t i = 0; i + 3 <= s.size(); ++i) {
    bool word_start = i == 0 || !isLetter(s[i - 1]);
    bool word_end = i + 3 == s.size() || !isLetter(s[i + 3]);
    if (word_start && word_end && isUpper(s[i]) && isUpper(s[i + 1]) && isUpper(s[i + 2])) {
      return std::string(s.substr(i, 3));
    }
  }
  if (s.find('$') != std::string_view::npos) return "USD";
  if (s.find("\u20ac") != std::string_view::npos) return "EUR";
  if (s.find("\u00a3") != std::string_view::npos) return "GBP";
  return "";
}

}  // namespace

std::vector<double> numbersIn(std::string_view text, size_t max_count) {
  std::vector<double> out;
  size_t i = 0;
  while (i < text.size() && out.size() < max_count) {
    if (isDigit(text[i])) {
      out.push_back(readNumber(text, i));
    } else {
      ++i;
    }
  }
  return out;
}

Result<std::optional<double>> parseNumber(std::string_view text) {
  std::string_view s = trim(text);
  if (s.empty()) return std::optional<double>();
  size_t i = 0;
  if (!isDigit(s[0])) return Status::InvalidArgument("not a number: \"" + std::string(s) + "\"");
  double value = readNumber(s, i);
  if (i != s.size()) return Status::InvalidArgument("not a number: \"" + std::string(s) + "\"");
  return std::optional<double>(value);
}

Result<std::optional<int64_t>> parseInteger(std::string_view text) {
  std::string_view s = trim(text);
  if (s.empty()) return std::optional<int64_t>();
  std::string digits;
  for (char c : s) {
    if (c != ',') digits.push_back(c);
  }
  int64_t value = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (ec != std::errc() || end != digits.data() + digits.size()) {
    return Status::InvalidArgument("not an integer: \"" + std::string(s) + "\"");
  }
  return std::optional<int64_t>(value);
}

Result<nlohmann::json> parsePrice(std::string_view text, std::string_view default_currency) {
  std::string_view s = trim(text);
  if (s.empty()) return nlohmann::json();
  std::vector<double> amounts = numbersIn(s, 1);
  if (amounts.empty() && !containsFree(s)) {
    return Status::InvalidArgument("no price in \"" + std::string(s) + "\"");
  }
  std::string currency = currencyIn(s);
  if (currency.empty()) currency = default_currency;
  if (currency.empty()) {
    return Status::InvalidArgument("no currency in \"" + std::string(s) +
                                   "\" and no currency in the mapping");
  }
  return nlohmann::json{{"amount", amounts.empty() ? 0.0 : amounts[0]}, {"currency", currency}};
}

Result<std::optional<double>> parseWeeklyHours(std::string_view effort, std::string_view weeks) {
  if (trim(effort).empty()) return std::optional<double>();
  std::vector<double> hours = numbersIn(effort, 2);
  std::vector<double> week_count = numbersIn(weeks, 1);
  if (hours.empty()) {
    return Status::InvalidArgument("no hours in \"" + std::string(effort) + "\"");
  }
  if (week_count.empty()) {
    return Status::InvalidArgument("no weeks in \"" + std::string(weeks) + "\"");
  }
  double per_week = hours.size() == 2 ? (hours[0] + hours[1]) / 2 : hours[0];
  return std::optional<double>(per_week * week_count[0]);
}

}  // namespace eichub::import::internal
