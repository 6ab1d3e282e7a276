#include "openapi/yaml_json.hpp"

#include <yaml-cpp/yaml.h>

#include <charconv>
#include <regex>
#include <stdexcept>

namespace orgcast::openapi {

namespace json = boost::json;

namespace {

json::value scalar(const YAML::Node& node) {
  const std::string& text = node.Scalar();
  if (node.Tag() != "?") return json::value(text);  // quoted, block or tagged: text as written
  if (text.empty() || text == "~" || text == "null" || text == "Null" || text == "NULL") return nullptr;
  if (text == "true" || text == "True" || text == "TRUE") return true;
  if (text == "false" || text == "False" || text == "FALSE") return false;
  static const std::regex integer("^[-+]?[0-9]+$");
  static const std::regex decimal("^[-+]?([0-9]+\\.[0-9]*|\\.[0-9]+)([eE][-+]?[0-9]+)?$|^[-+]?[0-9]+[eE][-+]?[0-9]+$");
  if (std::regex_match(text, integer)) {
    std::int64_t n = 0;
    const char* begin = text.data() + (text[0] == '+' ? 1 : 0);
    if (std::from_chars(begin, text.data() + text.size(), n).ec == std::errc()) return n;
  }
  if (std::regex_match(text, decimal)) return std::stod(text);
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
