#pragma once
// The contact variables of one recipient, in the
// language of the variant they get: `name` (the Hindi name for Hindi when
// the directory has one), `role` (its display name), `unit` (the unit's
// name) and `unit_path` (the unit and those above it, most specific first,
// without the root: "Sanganer, Jaipur").
#include <string_view>

#include "directory/records.hpp"
#include "templates/render.hpp"

namespace orgcast::directory {
class UnitTable;
}

namespace orgcast::templates {

/// Which contact variables a template uses, so that only those are computed.
struct ContactNeeds {
  bool name = false, role = false, unit = false, unit_path = false;
  static ContactNeeds of(const Template& t);
};

/// `units` may be null (no directory loaded): unit and unit_path are then the unit's id.
ContactValues contact_values(const directory::ContactView& contact, std::string_view language, const ContactNeeds& needs,
                             const directory::UnitTable* units);

/// A role's display name: a built-in Hindi name for the default roles, else
/// the identifier in words ("booth_level_agent" -> "Booth level agent").
std::string role_name(std::string_view role, std::string_view language);

}  // namespace orgcast::templates
