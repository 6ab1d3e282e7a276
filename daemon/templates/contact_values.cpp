#include "templates/contact_values.hpp"

#include <array>
#include <utility>

#include "directory/org_index.hpp"

namespace orgcast::templates {
namespace {

// The default roles (config/orgcast.example.yaml) as Hindi speakers in a
// party office name them.
constexpr std::array<std::pair<std::string_view, std::string_view>, 11> kRolesHi = {{
    {"president", "अध्यक्ष"},
    {"vice_president", "उपाध्यक्ष"},
    {"general_secretary", "महामंत्री"},
    {"secretary", "मंत्री"},
    {"treasurer", "कोषाध्यक्ष"},
    {"spokesperson", "प्रवक्ता"},
    {"it_incharge", "आईटी प्रभारी"},
    {"member", "सदस्य"},
    {"chief_enroller", "मुख्य सदस्यता प्रभारी"},
    {"enroller", "सदस्यता प्रभारी"},
    {"booth_level_agent", "बूथ लेवल एजेंट"},
}};

std::string_view unit_name(const directory::UnitTable& units, std::uint32_t u, std::string_view language) {
  if (language == "hi" && !units.name_hi(u).empty()) return units.name_hi(u);
  return units.name(u);
}

}  // namespace

ContactNeeds ContactNeeds::of(const Template& t) {
  return {t.uses("name"), t.uses("role"), t.uses("unit"), t.uses("unit_path")};
}

std::string role_name(std::string_view role, std::string_view language) {
  if (language == "hi")
    for (const auto& [id, hindi] : kRolesHi)
      if (id == role) return std::string(hindi);
  std::string out(role);
  for (auto& c : out)
    if (c == '_') c = ' ';
  if (!out.empty() && out[0] >= 'a' && out[0] <= 'z') out[0] = static_cast<char>(out[0] - 'a' + 'A');
  return out;
}

ContactValues contact_values(const directory::ContactView& contact, std::string_view language, const ContactNeeds& needs,
                             const directory::UnitTable* units) {
  ContactValues out;
  if (needs.name) out[0] = std::string(language == "hi" && !contact.name_hi.empty() ? contact.name_hi : contact.name);
  if (needs.role) out[1] = role_name(contact.role, language);
  if (!needs.unit && !needs.unit_path) return out;
  const auto u = units ? units->find(contact.unit_id) : directory::kNoUnit;
  if (u == directory::kNoUnit) {
    out[2] = out[3] = std::string(contact.unit_id);
    return out;
  }
  if (needs.unit) out[2] = std::string(unit_name(*units, u, language));
  if (needs.unit_path) {
    // Most specific first; the root (the state) goes without saying.
    for (auto at = u; at != directory::kNoUnit && (at == u || units->parent(at) != directory::kNoUnit); at = units->parent(at)) {
      if (!out[3].empty()) out[3] += ", ";
      out[3] += unit_name(*units, at, language);
    }
  }
  return out;
}

}  // namespace orgcast::templates
