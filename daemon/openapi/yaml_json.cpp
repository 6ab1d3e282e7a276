#include "openapi/yaml_json.hpp"

#include <yaml-cpp/yaml.h>

#include <charconv>
#include <stdexcept>

namespace orgcast::openapi {

namespace json = boost::json;

namespace {

// [-+]?[0-9]+
bool is_integer(std::string_view s) {
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) s.remove_prefix(1);
  return !s.empty() && s.find_first_not_of("0123456789") == std::string_view::npos;
}

// [-+]? digits with a point (1.5, .5, 5.) and/or an exponent (1e3, 1.5E-2).
bool is_decimal(std::string_view s) {
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) s.remove_prefix(1);
  const auto e = s.find_first_of("eE");
  auto mantissa = s.substr(0, e);
  if (e != std::string_view::npos) {
    auto exponent = s.substr(e + 1);
    if (!exponent.empty() && (exponent[0] == '-' || exponent[0] == '+')) exponent.remove_prefix(1);
    if (!is_integer(exponent)) return false;
  }
  const auto point = mantissa.find('.');
  if (point == std::string_view::npos) return e != std::string_view::npos && is_integer(mantissa);
  const auto whole = mantissa.substr(0, point), fraction = mantissa.substr(point + 1);
  const auto digits = [](std::string_view d) { return d.find_first_not_of("0123456789") == std::string_view::npos; };
  return digits(whole) && digits(fraction) && !(whole.empty() && fraction.empty());
}

json::value scalar(const YAML::Node& node) {
  const std::string& text = node.Scalar();
  if (node.Tag() != "?") return json::value(text);  // quoted, block or tagged: text as written
  if (text.empty() || text == "~" || text == "null" || text == "Null" || text == "NULL") return nullptr;
  if (text == "true" || text == "True" || text == "TRUE") return true;
  if (text == "false" || text == "False" || text == "FALSE") return false;
  if (is_integer(text)) {
    std::int64_t n = 0;
    const char* begin = text.data() + (text[0] == '+' ? 1 : 0);
    if (std::from_chars(begin, text.data() + text.size(), n).ec == std::errc()) return n;
  }
  if (is_decimal(text)) return std::stod(text);
  return json::value(text);
}

json::value convert(const YAML::Node& node, std::string_view name) {
  switch (node.Type()) {
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      return nullptr;
    case YAML::NodeType::Scalar:
      return scalar(node);
    case YAML::NodeType::Sequence: {
      json::array out;
      for (const auto& item : node) out.push_back(convert(item, name));
      return out;
    }
    case YAML::NodeType::Map: {
      json::object out;
      for (const auto& entry : node) {
        const auto key = entry.first.as<std::string>();
        if (out.contains(key))
          throw std::invalid_argument(std::string(name) + ":" + std::to_string(entry.first.Mark().line + 1) + ": the key " + key + " is written twice");
        out[key] = convert(entry.second, name);
      }
      return out;
    }
  }
  return nullptr;
}

}  // namespace

json::value json_of_yaml(std::string_view text, std::string_view name) {
  try {
    return convert(YAML::Load(std::string(text)), name);
  } catch (const YAML::Exception& e) {
    throw std::invalid_argument(std::string(name) + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
}

}  // namespace orgcast::openapi
