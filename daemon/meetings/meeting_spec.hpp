#pragma once
// A meeting request (POST /v1/meetings), validated (pure logic): what,
// where, when, who organises it and who is summoned. The summons goes out
// as a broadcast of the `meeting_summons` template through the pipeline;
// its body is built here and checked like any broadcast, each problem
// reported at its place in the meeting's body.
//
//   {"title": "ज़िला कार्यसमिति की बैठक", "venue": "ज़िला कार्यालय",   // or one per language:
//                                                 // {"hi": "...", "en": "District executive meeting"}
//    "starts_at": "2026-12-01T10:00:00+05:30", "ends_at": "2026-12-01T13:00:00+05:30",
//    "organiser": "D-JAI",                       // a unit id
//    "audience": {...selector...},               // optional: the organiser's unit and everyone below
//    "channels": ["whatsapp", "sms"],            // optional, this default
//    "priority": "urgent" | "normal" | "bulk",   // optional, normal
//    "summons": "meeting_summons",               // optional: a template of kind summons
//    "reminders": ["24h", "2h"]}                 // optional: remind the silent this long before the start
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <chrono>
#include <optional>
#include <string_view>
#include <string>
#include <variant>
#include <vector>

#include "directory/org_index.hpp"
#include "directory/selector.hpp"

namespace orgcast::meetings {

struct MeetingSpec {
  std::string title, venue, organiser;  // organiser: a unit id; title and venue as shown to the office
  boost::json::value title_given, venue_given;  // as given: a text, or one per language
  std::chrono::system_clock::time_point starts_at, ends_at;
  std::string starts_at_text, ends_at_text;  // as given
  /// POST /v1/broadcasts's body for the summons (broadcast::parse_spec checks it).
  boost::json::object summons;
  /// The reminder plan: how long before the start the silent are reminded
  /// ("reminders": ["24h", "2h"]), as given and as durations.
  std::vector<std::string> reminders_text;
  std::vector<std::chrono::minutes> reminders;
  /// The unit whose children the tally is broken down by: the organiser
  /// when it holds the whole audience, else the audience's own root (set
  /// once the audience is resolved).
  std::string tally_root;
  /// Who made it, and its audience's own root unit: who may see it.
  std::string author, audience_root;
};

/// A reminder offset, "24h" or "90m"; nullopt if it is not one.
std::optional<std::chrono::minutes> parse_offset(std::string_view text);

std::variant<MeetingSpec, std::vector<directory::SelectorError>> parse_meeting(const boost::json::value& body, const directory::OrgIndex& index,
                                                                               std::chrono::system_clock::time_point now);

/// A move (PATCH /v1/meetings/{id}): new times and, if given, a new venue.
/// Moved without a new end, the meeting keeps its length.
struct Reschedule {
  std::chrono::system_clock::time_point starts_at, ends_at;
  std::string starts_at_text, ends_at_text;
  std::string venue;             // "" when unchanged
  boost::json::value venue_given;  // as given: a text, or one per language
};
std::variant<Reschedule, std::vector<directory::SelectorError>> parse_reschedule(const boost::json::value& body, const std::string& starts_at,
                                                                                 const std::string& ends_at,
                                                                                 std::chrono::system_clock::time_point now);

/// The summons carries the meeting's code (variable `meeting.code`).
void with_code(MeetingSpec& m, unsigned code);

/// A problem the summons broadcast's check found, at its place in the
/// meeting's body ("/variables/meeting.title" is "/title").
directory::SelectorError in_meeting_terms(directory::SelectorError e);

}  // namespace orgcast::meetings
