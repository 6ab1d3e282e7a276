#include "meetings/attendance_list.hpp"

#include <boost/json.hpp>

#include "core/text.hpp"
#include "directory/csv.hpp"

namespace orgcast::meetings {

namespace json = boost::json;
using directory::SelectorError;

namespace {

std::variant<std::vector<Attendee>, std::vector<SelectorError>> from_json(std::string_view body) {
  boost::system::error_code ec;
  json::parse_options options;
  options.max_depth = 8;
  auto value = json::parse(body, ec, {}, options);
  if (ec) return std::vector<SelectorError>{{"", "the body is not valid JSON: " + ec.message()}};
  const auto* o = value.if_object();
  if (!o) return std::vector<SelectorError>{{"", "expected {\"mobiles\": [...], \"contacts\": [...]}"}};
  std::vector<SelectorError> errors;
  directory::reject_unknown_keys(*o, {"mobiles", "contacts"}, "", errors);
  std::vector<Attendee> out;
  for (const char* key : {"mobiles", "contacts"}) {
    const auto* list = o->if_contains(key);
    if (!list) continue;
    if (!list->is_array()) {
      errors.push_back({std::string("/") + key, "expected an array of texts"});
      continue;
    }
    const auto& items = list->as_array();
    for (std::size_t i = 0; i < items.size() && errors.size() < 100; ++i) {  // the first 100 problems are enough to go on
      const std::string at = std::string("/") + key + "/" + std::to_string(i);
      if (!items[i].is_string() || items[i].as_string().empty() || items[i].as_string().size() > 64)
        errors.push_back({at, "expected a text of 1 to 64 characters"});
      else
        out.push_back({std::string(items[i].as_string()), at, key == std::string_view("contacts")});
    }
  }
  if (out.empty() && errors.empty()) errors.push_back({"", "give who came: \"mobiles\" or \"contacts\""});
  if (!errors.empty()) return errors;
  return out;
}

std::variant<std::vector<Attendee>, std::vector<SelectorError>> from_csv(std::string_view body) {
  csv::Reader reader(body);
  csv::Row row;
  if (!reader.next(row) || !row.error.empty()) return std::vector<SelectorError>{{"line 1", "expected a header row naming a mobile or contact_id column"}};
  std::size_t column = row.fields.size();
  bool contact = false;
  for (std::size_t c = 0; c < row.fields.size(); ++c) {
    const auto name = trim(row.fields[c]);
    if (name == "mobile") column = c, contact = false;
    else if (name == "contact_id" && column == row.fields.size()) column = c, contact = true;
  }
  if (column == row.fields.size()) return std::vector<SelectorError>{{"line 1", "the header names no mobile or contact_id column"}};
  std::vector<Attendee> out;
  std::vector<SelectorError> errors;
  while (errors.size() < 100 && reader.next(row)) {  // the first 100 problems are enough to go on
    const std::string at = "line " + std::to_string(row.line);
    if (!row.error.empty()) {
      errors.push_back({at, row.error});
      continue;
    }
    const auto value = trim(row.field(column));
    if (value.empty()) continue;  // a blank cell: someone not signed in
    if (value.size() > 64) errors.push_back({at, "at most 64 characters"});
    else out.push_back({std::string(value), at, contact});
    if (out.size() > kMostAttendees) break;
  }
  if (!errors.empty()) return errors;
  return out;
}

}  // namespace

std::variant<std::vector<Attendee>, std::vector<SelectorError>> read_attendance(std::string_view content_type, std::string_view body) {
  auto read = content_type.find("csv") != std::string_view::npos ? from_csv(body) : from_json(body);
  if (auto* list = std::get_if<std::vector<Attendee>>(&read); list && list->size() > kMostAttendees)
    return std::vector<SelectorError>{{"", "at most " + std::to_string(kMostAttendees) + " people at once"}};
  return read;
}

}  // namespace orgcast::meetings
