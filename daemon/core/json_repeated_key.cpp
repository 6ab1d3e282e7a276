#include "core/json_repeated_key.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <set>
#include <vector>

namespace orgcast {

namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// The string literal's text, unescaped (the literal is valid: the body parsed).
std::string unescaped(std::string_view literal) {
  if (literal.find('\\') == std::string_view::npos) return std::string(literal.substr(1, literal.size() - 2));
  boost::system::error_code ec;
  auto v = boost::json::parse(literal, ec);
  return !ec && v.is_string() ? std::string(v.as_string()) : std::string(literal);
}

}  // namespace

RepeatedKey repeated_key(std::string_view json) {
  // One set of keys per open object; an open array has none (nullptr).
  std::vector<std::set<std::string>> objects;
  std::vector<bool> is_object;
  for (std::size_t i = 0; i < json.size(); ++i) {
    const char c = json[i];
    if (c == '{') {
      objects.emplace_back();
      is_object.push_back(true);
    } else if (c == '[') {
      is_object.push_back(false);
    } else if (c == '}' || c == ']') {
      if (!is_object.empty() && is_object.back()) objects.pop_back();
      if (!is_object.empty()) is_object.pop_back();
    } else if (c == '"') {
      const auto start = i;
      for (++i; i < json.size() && json[i] != '"'; ++i)
        if (json[i] == '\\') ++i;
      auto after = i + 1;
      while (after < json.size() && is_space(json[after])) ++after;
      // A string followed by ':' is a key of the innermost object.
      if (after < json.size() && json[after] == ':' && !objects.empty() && !is_object.empty() && is_object.back()) {
        auto key = unescaped(json.substr(start, i + 1 - start));
        if (!objects.back().insert(key).second) return {start, std::move(key)};
      }
    }
  }
  return {};
}

}  // namespace orgcast
