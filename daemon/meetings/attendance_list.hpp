#pragma once
// Who came to a meeting, as the office sends it (pure logic): a JSON body
// {"mobiles": ["+919829000001", ...], "contacts": ["C17", ...]}, or a CSV
// file (Content-Type text/csv) with a header row naming a `mobile` or a
// `contact_id` column (a sign-in sheet typed up, an export). Each entry
// keeps where it was given, so one that matches nobody is reported there.
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "directory/selector.hpp"

namespace orgcast::meetings {

struct Attendee {
  std::string given;    // as written
  std::string pointer;  // "/mobiles/3", or "line 12"
  bool contact = false; // a contact id, not a mobile
};

inline constexpr std::size_t kMostAttendees = 100000;

std::variant<std::vector<Attendee>, std::vector<directory::SelectorError>> read_attendance(std::string_view content_type,
                                                                                          std::string_view body);

}  // namespace orgcast::meetings
