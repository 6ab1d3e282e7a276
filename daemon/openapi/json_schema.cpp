// std::regex (the `pattern` keyword) trips GCC 12's -Wmaybe-uninitialized
// inside <regex>'s own std::function (a false positive, GCC bug 105562);
// before any include, so that it covers <regex>'s lines too.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include "openapi/json_schema.hpp"

#include <algorithm>
#include <set>
#include <stdexcept>

#include "core/json_text.hpp"
#include "core/text.hpp"

namespace orgcast::openapi {

namespace json = boost::json;

namespace {

// Rules the checker applies, and words that only describe (kept, not checked).
const std::set<std::string_view> kRules = {"type",      "properties", "required",  "additionalProperties", "items",
                                           "enum",      "const",      "minimum",   "maximum",              "minLength",
                                           "maxLength", "minItems",   "maxItems",  "pattern",              "oneOf",
                                           "anyOf",     "$ref",       "minProperties", "maxProperties"};
const std::set<std::string_view> kAnnotations = {"description", "example", "examples", "default",  "format",
                                                 "title",       "deprecated", "readOnly", "writeOnly"};

bool has_type(const json::value& value, std::string_view type) {
  if (type == "string") return value.is_string();
  if (type == "integer") return value.is_int64() || value.is_uint64();
  if (type == "number") return value.is_number();
  if (type == "boolean") return value.is_bool();
  if (type == "object") return value.is_object();
  if (type == "array") return value.is_array();
  if (type == "null") return value.is_null();
  return false;
}

std::string a_or_an(std::string_view type) {
  if (type == "integer" || type == "object" || type == "array") return "an " + std::string(type);
  if (type == "null") return "null";
  return "a " + std::string(type);
}

// "a string", "a string or null", "an integer, a string or null".
std::string any_of_types(const std::vector<std::string_view>& types) {
  std::string out;
  for (std::size_t i = 0; i < types.size(); ++i) out += (i == 0 ? "" : i + 1 == types.size() ? " or " : ", ") + a_or_an(types[i]);
  return out;
}

double as_double(const json::value& v) {
  if (v.is_int64()) return static_cast<double>(v.get_int64());
  if (v.is_uint64()) return static_cast<double>(v.get_uint64());
  return v.is_double() ? v.get_double() : 0.0;
}

// The document's own words (never the caller's), cut to keep an answer short.
std::string clipped(std::string text) {
  if (text.size() > 200) text = text.substr(0, 200) + "…";
  return text;
}

std::string listed(const json::array& values) {
  std::string out;
  for (const auto& v : values) out += (out.empty() ? "" : ", ") + json_text(v);
  return clipped(std::move(out));
}

// Walks a local JSON pointer ("#/components/schemas/X") within `root`.
const json::value* at_pointer(const json::object& root, std::string_view ref) {
  if (!ref.starts_with("#/")) return nullptr;
  const json::object* object = &root;
  const json::value* here = nullptr;
  std::string_view rest = ref.substr(2);
  while (!rest.empty()) {
    if (!object) return nullptr;
    const auto slash = rest.find('/');
    std::string token(rest.substr(0, slash));
    rest = slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
    for (std::size_t at = 0; (at = token.find('~', at)) != std::string::npos; ++at)
      token.replace(at, 2, token.compare(at, 2, "~1") == 0 ? "/" : "~");
    auto it = object->find(token);
    if (it == object->end()) return nullptr;
    here = &it->value();
    object = here->if_object();
  }
  return here;
}

}  // namespace

const json::value& SchemaChecker::resolve(const json::value& schema) const {
  const json::value* at = &schema;
  for (int hops = 0; hops < 16; ++hops) {
    const auto* object = at->if_object();
    if (!object) return *at;
    auto ref = object->find("$ref");
    if (ref == object->end() || !ref->value().is_string()) return *at;
    const auto* target = at_pointer(document_, ref->value().get_string());
    if (!target) return *at;  // prepare() refused it already
    at = target;
  }
  return *at;
}

void SchemaChecker::prepare(const json::value& schema, const std::string& at) {
  const auto* object = schema.if_object();
  if (!object) {
    if (schema.is_bool()) return;
    throw std::invalid_argument(at + ": a schema must be an object");
  }
  for (const auto& [key, value] : *object) {
    if (kRules.contains(key) || kAnnotations.contains(key) || key.starts_with("x-")) continue;
    throw std::invalid_argument(at + ": the keyword " + std::string(key) + " is not one the daemon checks");
  }
  if (auto ref = object->find("$ref"); ref != object->end()) {
    const std::string name(ref->value().as_string());
    const auto* target = at_pointer(document_, name);
    if (!target) throw std::invalid_argument(at + ": $ref " + name + " names nothing in the document");
    if (std::find(prepared_refs_.begin(), prepared_refs_.end(), name) != prepared_refs_.end()) return;
    prepared_refs_.push_back(name);
    prepare(*target, name);
    return;
  }
  if (auto pattern = object->find("pattern"); pattern != object->end()) {
    const std::string text(pattern->value().as_string());
    try {
      patterns_.emplace(text, std::make_shared<const std::regex>(text, std::regex::ECMAScript));
    } catch (const std::regex_error& e) {
      throw std::invalid_argument(at + ": pattern " + text + " is not a regular expression: " + e.what());
    }
  }
  if (auto properties = object->find("properties"); properties != object->end())
    for (const auto& [name, sub] : properties->value().as_object()) prepare(sub, at + "/properties/" + std::string(name));
  for (const char* key : {"additionalProperties", "items"})
    if (auto sub = object->find(key); sub != object->end()) prepare(sub->value(), at + "/" + key);
  for (const char* key : {"oneOf", "anyOf"})
    if (auto list = object->find(key); list != object->end()) {
      std::size_t i = 0;
      for (const auto& sub : list->value().as_array()) prepare(sub, at + "/" + key + "/" + std::to_string(i++));
    }
}

std::vector<SchemaError> SchemaChecker::check(const json::value& schema, const json::value& value, std::size_t most) const {
  std::vector<SchemaError> out;
  check_at(schema, value, "", out, most);
  if (out.size() > most) out.resize(most);
  return out;
}

void SchemaChecker::check_at(const json::value& unresolved, const json::value& value, const std::string& pointer,
                             std::vector<SchemaError>& out, std::size_t most) const {
  // Enough said: a huge wrong body is not walked to its end.
  if (out.size() >= most) return;
  const auto& schema = resolve(unresolved);
  if (schema.is_bool()) {
    if (!schema.get_bool()) out.push_back({pointer, "is not allowed here"});
    return;
  }
  const auto* rules = schema.if_object();
  if (!rules) return;
  auto rule = [&](std::string_view key) -> const json::value* {
    auto it = rules->find(key);
    return it == rules->end() ? nullptr : &it->value();
  };

  if (const auto* type = rule("type")) {
    std::vector<std::string_view> types;
    if (type->is_string()) types.push_back(type->get_string());
    else
      for (const auto& t : type->as_array()) types.push_back(t.as_string());
    if (std::none_of(types.begin(), types.end(), [&](std::string_view t) { return has_type(value, t); })) {
      out.push_back({pointer, "must be " + any_of_types(types)});
      return;  // the other rules speak of a value of the right type
    }
  }
  if (const auto* allowed = rule("enum"); allowed && std::find(allowed->as_array().begin(), allowed->as_array().end(), value) == allowed->as_array().end())
    out.push_back({pointer, "must be one of: " + listed(allowed->as_array())});
  if (const auto* constant = rule("const"); constant && value != *constant) out.push_back({pointer, "must be " + json_text(*constant)});

  if (value.is_number()) {
    if (const auto* least = rule("minimum"); least && as_double(value) < as_double(*least))
      out.push_back({pointer, "must be at least " + json_text(*least)});
    if (const auto* greatest = rule("maximum"); greatest && as_double(value) > as_double(*greatest))
      out.push_back({pointer, "must be at most " + json_text(*greatest)});
  }
  if (const auto* text = value.if_string()) {
    const auto length = characters(*text);
    if (const auto* least = rule("minLength"); least && length < least->to_number<std::size_t>())
      out.push_back({pointer, least->to_number<std::size_t>() == 1 ? "must not be empty" : "must be at least " + json_text(*least) + " characters"});
    if (const auto* greatest = rule("maxLength"); greatest && length > greatest->to_number<std::size_t>())
      out.push_back({pointer, "must be at most " + json_text(*greatest) + " characters"});
    if (const auto* pattern = rule("pattern")) {
      auto compiled = patterns_.find(std::string(pattern->get_string()));
      if (compiled != patterns_.end() && !std::regex_search(text->begin(), text->end(), *compiled->second))
        out.push_back({pointer, "must match " + std::string(pattern->get_string()) + ", not " + quoted_input(*text)});
    }
  }
  if (const auto* array = value.if_array()) {
    if (const auto* least = rule("minItems"); least && array->size() < least->to_number<std::size_t>())
      out.push_back({pointer, "must hold at least " + json_text(*least) + " item" + (least->to_number<std::size_t>() == 1 ? "" : "s")});
    if (const auto* greatest = rule("maxItems"); greatest && array->size() > greatest->to_number<std::size_t>())
      out.push_back({pointer, "must hold at most " + json_text(*greatest) + " items"});
    if (const auto* items = rule("items"))
      for (std::size_t i = 0; i < array->size() && out.size() < most; ++i) check_at(*items, (*array)[i], pointer + "/" + std::to_string(i), out, most);
  }
  if (const auto* object = value.if_object()) {
    if (const auto* least = rule("minProperties"); least && object->size() < least->to_number<std::size_t>())
      out.push_back({pointer, "must hold at least " + json_text(*least) + " field" + (least->to_number<std::size_t>() == 1 ? "" : "s")});
    if (const auto* greatest = rule("maxProperties"); greatest && object->size() > greatest->to_number<std::size_t>())
      out.push_back({pointer, "must hold at most " + json_text(*greatest) + " fields"});
    const auto* properties = rule("properties");
    if (const auto* required = rule("required"))
      for (const auto& name : required->as_array())
        if (!object->contains(name.as_string())) out.push_back({pointer + "/" + json_pointer_token(name.as_string()), "is required"});
    const auto* extra = rule("additionalProperties");
    for (const auto& [name, field] : *object) {
      const std::string at = pointer + "/" + json_pointer_token(name);
      if (properties && properties->as_object().contains(name)) {
        check_at(properties->as_object().at(name), field, at, out, most);
      } else if (extra && extra->is_bool() && !extra->get_bool()) {
        std::string known;
        if (properties)
          for (const auto& [k, v] : properties->as_object()) known += (known.empty() ? "" : ", ") + std::string(k);
        out.push_back({at, known.empty() ? "is not a field here" : "is not a field here; expected " + clipped(known)});
      } else if (extra) {
        check_at(*extra, field, at, out, most);
      }
    }
  }
  for (const char* key : {"oneOf", "anyOf"}) {
    const auto* branches = rule(key);
    if (!branches) continue;
    std::size_t matched = 0;
    std::vector<SchemaError> closest;
    bool shape_fits = false;
    std::vector<std::string_view> types;
    for (const auto& branch : branches->as_array()) {
      std::vector<SchemaError> errors;
      check_at(branch, value, pointer, errors, most);
      if (errors.empty()) {
        ++matched;
        continue;
      }
      // The branch of the value's own type (an object for an object) says
      // best what is wrong; "must be a string" would only mislead.
      const auto* type = resolve(branch).as_object().if_contains("type");
      const bool fits = !type || !type->is_string() || has_type(value, type->get_string());
      if (type && type->is_string()) types.push_back(type->get_string());
      if (fits && (!shape_fits || errors.size() < closest.size())) closest = std::move(errors), shape_fits = true;
    }
    if (matched == 0) {
      if (shape_fits) {
        out.insert(out.end(), closest.begin(), closest.end());
      } else if (!types.empty()) {
        out.push_back({pointer, "must be " + any_of_types(types)});
      } else {
        out.push_back({pointer, "has none of the " + std::to_string(branches->as_array().size()) + " shapes allowed here"});
      }
    } else if (matched > 1 && std::string_view(key) == "oneOf") {
      out.push_back({pointer, "fits more than one of the shapes allowed here"});
    }
  }
}

}  // namespace orgcast::openapi
