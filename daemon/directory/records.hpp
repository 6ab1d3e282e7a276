#pragma once
// The directory's records as stored in Redis (see codec.hpp). Views point
// into a decoded chunk; owned records are what the importer and the contact
// API build.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace orgcast::directory {

struct UnitView {
  std::string_view id;
  std::string_view parent_id;  // empty for a root
  std::string_view level;
  std::string_view name;
  std::string_view name_hi;
};

/// One post: a person (identified by mobile) holding a role in a unit.
struct ContactView {
  std::string_view id;
  std::string_view name;
  std::string_view name_hi;
  std::uint64_t mobile = 0;    // E.164 digits, e.g. 919829012345
  std::uint64_t whatsapp = 0;  // 0: no WhatsApp
  std::string_view language;
  std::string_view unit_id;
  std::string_view role;
  std::vector<std::string_view> tags;
  std::string_view app_token;  // empty: no app
};

struct ContactRecord {
  std::string id;
  std::string name;
  std::string name_hi;
  std::uint64_t mobile = 0;
  std::uint64_t whatsapp = 0;
  std::string language;
  std::string unit_id;
  std::string role;
  std::vector<std::string> tags;
  std::string app_token;

  ContactView view() const;
};

/// An owned copy of a view.
ContactRecord to_record(const ContactView& view);

}  // namespace orgcast::directory
