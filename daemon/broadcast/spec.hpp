#pragma once
// A broadcast request (POST /v1/broadcasts), validated: what to say on each
// channel, to whom (an audience selector), the channel policy, priority and
// time window. Every problem is reported with its JSON pointer.
//
//   {"audience": {...selector...},
//    "message": {"text": "one text for every channel"}
//             | {"sms": "...", "whatsapp": "...", "push": {"title": "...", "body": "..."}},
//    "channels": ["whatsapp", "sms"],          // tried in order, falling back
//    "priority": "urgent" | "normal" | "bulk",  // default normal
//    "send_at": "2026-11-23T10:00:00+05:30",    // optional, RFC 3339
//    "expires_at": "2026-11-23T18:00:00+05:30", // optional, after send_at
//    "report_timeout_s": 600}                   // optional: no delivery report
//                                               // by then = try the next channel
// Templates replace literal text in issue 4.
#include <boost/json/fwd.hpp>
#include <chrono>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "adapters/core/adapter.hpp"
#include "core/utc_time.hpp"
#include "directory/selector.hpp"

namespace orgcast::broadcast {

enum class Priority { urgent, normal, bulk };
const char* name(Priority priority);

using TimePoint = std::chrono::system_clock::time_point;

struct PushText {
  std::string title, body;
};

struct Spec {
  directory::Selector audience;
  std::string audience_json;  // as given, kept with the broadcast
  std::vector<adapters::Channel> channels;
  std::optional<std::string> sms_text, whatsapp_text;
  std::optional<PushText> push_text;
  Priority priority = Priority::normal;
  std::optional<TimePoint> send_at, expires_at;
  std::optional<std::chrono::seconds> report_timeout;
};

using orgcast::parse_rfc3339;
/// UTC, seconds: "2026-11-23T04:30:00Z".
std::string format_rfc3339(TimePoint t);

/// `now` decides whether send_at/expires_at are in the past.
std::variant<Spec, std::vector<directory::SelectorError>> parse_spec(const boost::json::value& body,
                                                                      const directory::OrgIndex& index, TimePoint now);

}  // namespace orgcast::broadcast
