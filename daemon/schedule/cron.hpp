#pragma once
// Cron expressions for recurring schedules, read on the IST clock
// (Asia/Kolkata, UTC+05:30 all year: no daylight saving to skip or repeat).
// Five fields: minute (0-59), hour (0-23), day of month (1-31), month
// (1-12), day of week (0-7, 0 and 7 Sunday); each `*`, a number, a range
// `a-b`, a step `*/n` or `a-b/n`, or a comma list of those. As in cron,
// when both day fields are given a day matching either runs. Pure.
#include <array>
#include <bitset>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace orgcast::schedule {

class Cron {
 public:
  /// nullopt and `error` (which field, what is wrong) when malformed.
  static std::optional<Cron> parse(std::string_view text, std::string& error);

  /// The first occurrence strictly after `t`; nullopt when there is none
  /// within five years (e.g. 31 February).
  std::optional<std::chrono::system_clock::time_point> next_after(std::chrono::system_clock::time_point t) const;
  const std::string& text() const { return text_; }
  /// The shortest time between two of its occurrences, from the times of
  /// day it runs (the last of a day to the first of the next counted as if
  /// both days ran): "* 9 * * *" (every minute of nine o'clock, where
  /// "0 9 * * *" was meant) is one minute.
  std::chrono::minutes shortest_gap() const;

 private:
  bool day_matches(int day_of_month, int month, int day_of_week) const;
  std::string text_;
  std::bitset<60> minutes_;
  std::bitset<24> hours_;
  std::bitset<32> days_;    // 1..31
  std::bitset<13> months_;  // 1..12
  std::bitset<7> weekdays_; // 0..6, Sunday 0
  bool any_day_ = true, any_weekday_ = true;
};

/// What to do with an occurrence due at `due` when it comes to run at
/// `now`: run it (late by at most `grace`), or skip it as too late; and the
/// next occurrence to plan — after `due`, or after `now - grace` when it
/// was skipped (an outage of days is one skip, not one for each missed).
struct OccurrencePlan {
  bool run = false;
  std::optional<std::chrono::system_clock::time_point> next;
};
OccurrencePlan plan_occurrence(const Cron& cron, std::chrono::system_clock::time_point due, std::chrono::system_clock::time_point now,
                               std::chrono::seconds grace);

}  // namespace orgcast::schedule
