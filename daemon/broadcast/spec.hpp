#pragma once
// A broadcast request (POST /v1/broadcasts), validated: what to say on each
// channel, to whom (an audience selector), the channel policy, priority and
// time window. Every problem is reported with its JSON pointer.
//
//   {"audience": {...selector...},
//    "template": "meeting_summons",             // a template under templates/
//    "variables": {"meeting.venue": "...", "meeting.time": "2026-11-25T10:00:00+05:30"},
//    "channels": ["whatsapp", "sms"],          // tried in order, falling back
//    "priority": "urgent" | "normal" | "bulk",  // default normal
//    "send_at": "2026-11-23T10:00:00+05:30",    // optional, RFC 3339
//    "expires_at": "2026-11-23T18:00:00+05:30", // optional, after send_at
//    "report_timeout_s": 600}                   // optional: no delivery report
//                                               // by then = try the next channel
// Literal text ("kind": "reply", "message": {"text": ...} or a text per
// channel) is only for the replies the daemon sends itself.
#include <boost/json/fwd.hpp>
#include <chrono>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "adapters/core/adapter.hpp"
#include "broadcast/content.hpp"
#include "core/utc_time.hpp"
#include "directory/selector.hpp"
#include "templates/loader.hpp"

namespace orgcast::broadcast {

enum class Priority { urgent, normal, bulk };
const char* name(Priority priority);

using TimePoint = std::chrono::system_clock::time_point;

struct Spec {
  directory::Selector audience;
  std::string audience_json;  // as given, kept with the broadcast
  std::vector<adapters::Channel> channels;
  Content content;
  Priority priority = Priority::normal;
  std::optional<TimePoint> send_at, expires_at;
  bool scheduled_for_promotional_hours = false;  // send_at moved to 10:00 IST (promotional SMS)
  std::optional<std::chrono::seconds> report_timeout;
  /// Counted per unit below this unit rather than below the audience's own
  /// root (a meeting's summons: per unit below its organiser), when it holds
  /// the whole audience. Not given by clients.
  std::uint32_t breakdown_under = directory::kNoUnit;
  /// Who asked for it ("user:<id>", "token:<id>"; "" the daemon itself) and
  /// the audience's root unit id (set when it is resolved): who may see it.
  std::string author, audience_root;
};

using orgcast::parse_rfc3339;
/// UTC, seconds: "2026-11-23T04:30:00Z".
std::string format_rfc3339(TimePoint t);

/// A channel policy (["whatsapp", "sms"]): known channels, each once, at least one.
std::vector<adapters::Channel> parse_channels(const boost::json::value& value, const std::string& at,
                                              std::vector<directory::SelectorError>& errors);

/// What a spec is checked against besides the directory.
struct SpecContext {
  const templates::Catalog* templates = nullptr;
  templates::Rules rules;
  std::string dlt_entity_id;
  PricingConfig prices;
  TimePoint now;  // decides whether send_at/expires_at are in the past
  /// A summons template is sent only for a meeting (POST /v1/meetings gives
  /// it its code and counts the answers); a bare broadcast of one is refused.
  bool for_meeting = false;
  /// A reply template answers someone who wrote (the reply lane's own
  /// messages); a broadcast of one is refused.
  bool for_replies = false;
  /// The caller's scope: the audience may name no unit outside it, and an
  /// audience that names no units is given the scope's (kept so with the
  /// broadcast). Null: no limit (the daemon's own messages, auth off).
  const directory::Scope* scope = nullptr;
};

std::variant<Spec, std::vector<directory::SelectorError>> parse_spec(const boost::json::value& body,
                                                                      const directory::OrgIndex& index, const SpecContext& context);

}  // namespace orgcast::broadcast
