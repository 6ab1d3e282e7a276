#include "directory/phone.hpp"

namespace orgcast::phone {

std::optional<std::uint64_t> normalise_indian_mobile(std::string_view raw, std::string* why) {
  auto fail = [why](std::string reason) -> std::optional<std::uint64_t> {
    if (why) *why = std::move(reason);
    return std::nullopt;
  };
  std::string digits;
  bool plus = false;
  for (char c : raw) {
    if (c >= '0' && c <= '9') digits += c;
    else if (c == '+' && digits.empty() && !plus) plus = true;
    else if (c == ' ' || c == '-' || c == '.' || c == '(' || c == ')' || c == '\t') continue;
    else return fail("unexpected character '" + std::string(1, c) + "' in a phone number");
  }
  if (digits.empty()) return fail("empty phone number");
  std::string_view national(digits);
  if (plus) {
    if (national.substr(0, 2) != "91") return fail("not an Indian number (country code must be +91)");
    national.remove_prefix(2);
  } else if (national.substr(0, 4) == "0091") {
    national.remove_prefix(4);
  } else if (national.size() == 12 && national.substr(0, 2) == "91") {
    national.remove_prefix(2);
  } else if (national.size() == 11 && national[0] == '0') {
    national.remove_prefix(1);
  }
  if (national.size() != 10)
    return fail("an Indian mobile number has 10 digits after +91, this has " + std::to_string(national.size()));
  if (national[0] < '6' || national[0] > '9')
    return fail("an Indian mobile number starts with 6, 7, 8 or 9 (this looks like a landline or an invalid number)");
  std::uint64_t value = 91;
  for (char c : national) value = value * 10 + static_cast<std::uint64_t>(c - '0');
  return value;
}

std::string to_e164(std::uint64_t number) { return "+" + std::to_string(number); }

}  // namespace orgcast::phone
