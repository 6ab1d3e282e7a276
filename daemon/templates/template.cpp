#include "templates/template.hpp"

#include <algorithm>

namespace orgcast::templates {

const char* name(Kind kind) {
  switch (kind) {
    case Kind::announcement: return "announcement";
    case Kind::summons: return "summons";
    case Kind::reminder: return "reminder";
    case Kind::reply: return "reply";
  }
  return "announcement";
}

const char* name(DltCategory category) {
  switch (category) {
    case DltCategory::transactional: return "transactional";
    case DltCategory::service: return "service";
    case DltCategory::promotional: return "promotional";
  }
  return "transactional";
}

bool is_contact_variable(std::string_view name) {
  return std::find(std::begin(kContactVariables), std::end(kContactVariables), name) != std::end(kContactVariables);
}

int Template::variable_index(std::string_view name) const {
  for (std::size_t i = 0; i < variables.size(); ++i)
    if (variables[i].name == name) return static_cast<int>(i);
  return -1;
}

bool Template::uses(std::string_view variable) const {
  const int index = variable_index(variable);
  if (index < 0) return false;
  auto in = [index](const Text& text) {
    return std::any_of(text.begin(), text.end(), [index](const Piece& p) { return p.variable == index; });
  };
  for (const auto& [_, v] : sms)
    if (in(v.text)) return true;
  for (const auto& [_, v] : whatsapp)
    if (in(v.parameters)) return true;
  for (const auto& [_, v] : push)
    if (in(v.title) || in(v.body)) return true;
  return false;
}

}  // namespace orgcast::templates
