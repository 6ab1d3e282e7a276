#pragma once
// When a message may go out, checked at the moment it would be sent (the
// dispatcher asks for every recipient it is about to send), not only when
// a broadcast is posted: a broadcast sending when a window closes stops
// there and goes on when it opens.
//   quiet hours   per message kind, a daily window in IST (e.g. no
//                 announcements 21:00-08:00; summons may be allowed)
//   promotional   DLT: promotional SMS only 10:00-21:00 IST
//   blackouts     per region (units and below), from-to, for some kinds or
//                 all (the Election Commission's silence before polling)
// Replies to someone who wrote are always exempt. Pure: time is given.
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace orgcast::time_rules {

using SysTime = std::chrono::system_clock::time_point;

/// A daily window in IST minutes of the day; `from` > `to` wraps midnight.
struct DailyWindow {
  int from_minute = 0, to_minute = 0;
  bool operator==(const DailyWindow&) const = default;
};
/// "21:00-08:00" (24-hour IST clock); nullopt when malformed or empty.
std::optional<DailyWindow> parse_daily_window(std::string_view text);
std::string to_string(const DailyWindow& window);

struct QuietHours {
  std::string kind;  // a template kind: announcement, summons, reminder
  DailyWindow window;
  bool operator==(const QuietHours&) const = default;
};

struct Blackout {
  std::string id;    // "bo<N>" made by the API; "config:<N>" from the config file
  std::string name;  // e.g. "Phase 2 poll, 48-hour silence"
  std::vector<std::string> units;  // these units and everything below them
  SysTime from, to;
  std::vector<std::string> kinds;  // empty: every kind (but replies)
  bool operator==(const Blackout&) const = default;
};

struct Rules {
  std::vector<QuietHours> quiet_hours;
  bool promotional_window = true;
  std::vector<Blackout> blackouts;
  bool empty() const { return quiet_hours.empty() && !promotional_window && blackouts.empty(); }
  bool operator==(const Rules&) const = default;
};

/// What is about to be sent: its kind, whether it is promotional SMS, and
/// whether the recipient is within a blackout's units.
struct Message {
  std::string_view kind;
  bool promotional_sms = false;
  std::function<bool(const Blackout&)> within;  // null: within every blackout's units
};

struct Hold {
  SysTime until;    // when it may go, as far as the rules know now
  std::string why;  // the first rule that holds it, for logs and answers
};

/// nullopt: `message` may go at `now`; otherwise until when it waits (each
/// rule in force at `now` pushes the time on, until none holds).
std::optional<Hold> hold(const Rules& rules, const Message& message, SysTime now);

/// The first moment after `now` at which any rule begins or ends (a quiet
/// window's edge, 10:00 or 21:00 IST, a blackout's from or to): until then
/// hold() answers every message as it does at `now`.
SysTime next_change(const Rules& rules, SysTime now);

/// The blackout in force at `now` for a kind where `applies` says it does
/// (a broadcast's audience), if any: for refusing one as it is posted.
const Blackout* blackout_at(const Rules& rules, std::string_view kind, SysTime now, const std::function<bool(const Blackout&)>& applies);

}  // namespace orgcast::time_rules
