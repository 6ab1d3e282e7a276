#include "time_rules/time_rules.hpp"

#include <algorithm>
#include <charconv>

namespace orgcast::time_rules {

namespace {

using std::chrono::minutes;
constexpr minutes kIstOffset{5 * 60 + 30};
constexpr int kDay = 24 * 60;

// Minutes since midnight IST at t, and the start of that IST minute.
int ist_minute_of_day(SysTime t) {
  const auto local = std::chrono::floor<minutes>(t + kIstOffset).time_since_epoch().count();
  return static_cast<int>(((local % kDay) + kDay) % kDay);
}

// Whether t is inside the window, and if so the next time it ends.
std::optional<SysTime> window_end(const DailyWindow& w, SysTime t) {
  if (w.from_minute == w.to_minute) return std::nullopt;
  const int m = ist_minute_of_day(t);
  const bool inside = w.from_minute < w.to_minute ? (m >= w.from_minute && m < w.to_minute) : (m >= w.from_minute || m < w.to_minute);
  if (!inside) return std::nullopt;
  const int ahead = ((w.to_minute - m) % kDay + kDay) % kDay;
  return std::chrono::floor<minutes>(t) + minutes(ahead);
}

bool kind_matches(const std::vector<std::string>& kinds, std::string_view kind) {
  return kinds.empty() || std::find(kinds.begin(), kinds.end(), kind) != kinds.end();
}

std::string clock_text(int minute) {
  std::string out(5, '0');
  out[0] = static_cast<char>('0' + minute / 600);
  out[1] = static_cast<char>('0' + minute / 60 % 10);
  out[2] = ':';
  out[3] = static_cast<char>('0' + minute % 60 / 10);
  out[4] = static_cast<char>('0' + minute % 10);
  return out;
}

const DailyWindow kOutsidePromotionalHours{21 * 60, 10 * 60};

}  // namespace

std::optional<DailyWindow> parse_daily_window(std::string_view text) {
  auto clock = [](std::string_view s) -> std::optional<int> {
    if (s.size() != 5 || s[2] != ':') return std::nullopt;
    int h = 0, m = 0;
    if (std::from_chars(s.data(), s.data() + 2, h).ec != std::errc() || std::from_chars(s.data() + 3, s.data() + 5, m).ec != std::errc()) return std::nullopt;
    if (h < 0 || h > 23 || m < 0 || m > 59) return std::nullopt;
    return h * 60 + m;
  };
  const auto dash = text.find('-');
  if (dash == std::string_view::npos) return std::nullopt;
  auto from = clock(text.substr(0, dash)), to = clock(text.substr(dash + 1));
  if (!from || !to || *from == *to) return std::nullopt;
  return DailyWindow{*from, *to};
}

std::string to_string(const DailyWindow& window) { return clock_text(window.from_minute) + "-" + clock_text(window.to_minute); }

std::optional<Hold> hold(const Rules& rules, const Message& message, SysTime now) {
  if (message.kind == "reply") return std::nullopt;  // an answer to someone who wrote
  SysTime at = now;
  std::string why;
  // Each rule in force pushes the time to its end; a few rounds settle it
  // (quiet hours ending inside a blackout, a blackout ending at night).
  for (int round = 0; round < 16; ++round) {
    bool moved = false;
    for (const auto& quiet : rules.quiet_hours)
      if (quiet.kind == message.kind)
        if (auto end = window_end(quiet.window, at)) {
          if (why.empty()) why = "quiet hours for " + quiet.kind + " (" + to_string(quiet.window) + " IST)";
          at = *end, moved = true;
        }
    if (rules.promotional_window && message.promotional_sms)
      if (auto end = window_end(kOutsidePromotionalHours, at)) {
        if (why.empty()) why = "promotional SMS only 10:00-21:00 IST";
        at = *end, moved = true;
      }
    for (const auto& blackout : rules.blackouts)
      if (at >= blackout.from && at < blackout.to && kind_matches(blackout.kinds, message.kind) && (!message.within || message.within(blackout))) {
        if (why.empty()) why = "blackout " + (blackout.name.empty() ? blackout.id : blackout.name);
        at = blackout.to, moved = true;
      }
    if (!moved) break;
  }
  if (at == now) return std::nullopt;
  return Hold{at, why};
}

SysTime next_change(const Rules& rules, SysTime now) {
  auto soonest = SysTime::max();
  // The next time the IST clock reads `minute`, strictly after now.
  auto next_at_minute = [&](int minute) {
    const int ahead = ((minute - ist_minute_of_day(now)) % kDay + kDay) % kDay;
    const SysTime at = std::chrono::floor<minutes>(now) + minutes(ahead);
    soonest = std::min(soonest, at > now ? at : at + minutes(kDay));
  };
  for (const auto& quiet : rules.quiet_hours) next_at_minute(quiet.window.from_minute), next_at_minute(quiet.window.to_minute);
  if (rules.promotional_window) next_at_minute(kOutsidePromotionalHours.from_minute), next_at_minute(kOutsidePromotionalHours.to_minute);
  for (const auto& blackout : rules.blackouts)
    for (const auto edge : {blackout.from, blackout.to})
      if (edge > now) soonest = std::min(soonest, edge);
  return soonest;
}

const Blackout* blackout_at(const Rules& rules, std::string_view kind, SysTime now, const std::function<bool(const Blackout&)>& applies) {
  if (kind == "reply") return nullptr;
  for (const auto& blackout : rules.blackouts)
    if (now >= blackout.from && now < blackout.to && kind_matches(blackout.kinds, kind) && (!applies || applies(blackout))) return &blackout;
  return nullptr;
}

}  // namespace orgcast::time_rules
