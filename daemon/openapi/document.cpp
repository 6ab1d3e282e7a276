#include "openapi/document.hpp"

#include "core/json_text.hpp"
#include <stdexcept>

#include "openapi/yaml_json.hpp"
#include "openapi_spec.hpp"  // generated: daemon/openapi/spec/*.yaml

namespace orgcast::openapi {

namespace json = boost::json;

namespace {

const char* const kMethods[] = {"get", "put", "post", "delete", "patch", "head", "options"};

std::string upper(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Adds `from`'s entries to `into`, one level down for paths (a path's
// methods may come from several files) and components (by kind).
void merge(json::object& into, const json::object& from, std::string_view name) {
  for (const auto& [section, value] : from) {
    if (section != "paths" && section != "components")
      throw std::invalid_argument(std::string(name) + ": a fragment holds only paths and components, not " + std::string(section));
    auto& target = into[section];
    if (!target.is_object()) target = json::object();
    for (const auto& [key, inner] : value.as_object()) {
      auto& slot = target.as_object()[key];
      if (!slot.is_object()) slot = json::object();
      for (const auto& [leaf, content] : inner.as_object()) {
        if (slot.as_object().contains(leaf))
          throw std::invalid_argument(std::string(name) + ": " + std::string(section) + " " + std::string(key) + " " + std::string(leaf) + " is written twice");
        slot.as_object()[leaf] = content;
      }
    }
  }
}

struct Built {
  json::object document;
  std::string text;
};

const Built& built() {
  static const Built once = [] {
    std::vector<std::pair<std::string_view, std::string_view>> fragments;
    for (const auto& file : openapi_spec::files)
      if (file.first == "openapi") fragments.insert(fragments.begin(), file);
      else fragments.push_back(file);
    Built b;
    b.document = merge_fragments(fragments);
    b.text = json_text(b.document);
    return b;
  }();
  return once;
}

}  // namespace

json::object merge_fragments(const std::vector<std::pair<std::string_view, std::string_view>>& fragments) {
  if (fragments.empty()) throw std::invalid_argument("the API document has no root");
  auto root = json_of_yaml(fragments.front().second, std::string(fragments.front().first) + ".yaml");
  if (!root.is_object()) throw std::invalid_argument("the API document's root is not a map");
  for (std::size_t i = 1; i < fragments.size(); ++i) {
    const std::string name = std::string(fragments[i].first) + ".yaml";
    auto fragment = json_of_yaml(fragments[i].second, name);
    if (!fragment.is_object()) throw std::invalid_argument(name + " is not a map");
    merge(root.as_object(), fragment.as_object(), name);
  }
  return std::move(root.as_object());
}

const json::object& document() { return built().document; }
const std::string& document_json() { return built().text; }

const json::object* operation(std::string_view method, std::string_view pattern) {
  const auto* paths = document().if_contains("paths");
  if (!paths || !paths->is_object()) return nullptr;
  const auto* path = paths->as_object().if_contains(pattern);
  if (!path || !path->is_object()) return nullptr;
  const auto* op = path->as_object().if_contains(lower(method));
  return op ? op->if_object() : nullptr;
}

std::vector<std::pair<std::string, std::string>> operations() {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& [path, item] : document().at("paths").as_object())
    for (const char* method : kMethods)
      if (item.as_object().contains(method)) out.emplace_back(upper(method), std::string(path));
  return out;
}

std::vector<std::string> query_names(std::string_view method, std::string_view pattern) {
  std::vector<std::string> out;
  const auto* op = operation(method, pattern);
  if (!op) return out;
  const auto* parameters = op->if_contains("parameters");
  if (!parameters) return out;
  for (const auto& p : parameters->as_array()) {
    const json::value* parameter = &p;
    // A shared parameter: "#/components/parameters/Page".
    if (const auto* ref = p.as_object().if_contains("$ref")) {
      const std::string_view target = ref->as_string();
      const auto name = target.substr(target.rfind('/') + 1);
      parameter = &document().at("components").at("parameters").at(name);
    }
    if (parameter->at("in") == "query") out.emplace_back(parameter->at("name").as_string());
  }
  return out;
}

BodyRules::BodyRules(const json::object& doc) : checker_(doc) {
  for (const auto& [path, item] : doc.at("paths").as_object())
    for (const char* method : kMethods) {
      const auto* op = item.as_object().if_contains(method);
      if (!op) continue;
      const auto* body = op->as_object().if_contains("requestBody");
      const auto* content = body ? body->as_object().if_contains("content") : nullptr;
      const auto* media = content ? content->as_object().if_contains("application/json") : nullptr;
      const auto* schema = media ? media->as_object().if_contains("schema") : nullptr;
      if (!schema) continue;
      const std::string key = upper(method) + " " + std::string(path);
      checker_.prepare(*schema, key);
      schemas_.emplace_back(key, schema);
    }
}

bool BodyRules::has_schema(std::string_view method, std::string_view pattern) const {
  const std::string key = std::string(method) + " " + std::string(pattern);
  for (const auto& [k, schema] : schemas_)
    if (k == key) return true;
  return false;
}

std::vector<SchemaError> BodyRules::check(std::string_view method, std::string_view pattern, const json::value& body) const {
  const std::string key = std::string(method) + " " + std::string(pattern);
  for (const auto& [k, schema] : schemas_)
    if (k == key) return checker_.check(*schema, body);
  return {};
}

const BodyRules& body_rules() {
  static const BodyRules rules(document());
  return rules;
}

}  // namespace orgcast::openapi
