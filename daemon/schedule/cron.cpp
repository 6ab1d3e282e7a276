#include "schedule/cron.hpp"

#include <algorithm>
#include <charconv>
#include <vector>

#include "core/text.hpp"

namespace orgcast::schedule {

namespace {

using std::chrono::minutes;
using SysTime = std::chrono::system_clock::time_point;
constexpr minutes kIst{330};

// One field into `set` (bits lo..hi); "" when fine, else what is wrong.
template <std::size_t N>
std::string read_field(std::string_view text, int lo, int hi, std::bitset<N>& set, bool& any) {
  any = text == "*";
  auto number = [](std::string_view s, int& out) {
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return !s.empty() && ec == std::errc() && end == s.data() + s.size();
  };
  for (auto part : split_trimmed(text, ',')) {
    int step = 1, from = lo, to = hi;
    const bool stepped = part.find('/') != std::string_view::npos;
    if (stepped) {
      const auto slash = part.find('/');
      if (!number(part.substr(slash + 1), step) || step < 1) return "a step must be a whole number from 1";
      part = part.substr(0, slash);
    }
    if (part != "*") {
      const auto dash = part.find('-');
      if (dash == std::string_view::npos) {
        if (!number(part, from)) return "expected *, a number, a range a-b or a step */n, not " + quoted(part);
        to = stepped ? hi : from;  // "5/15": from 5 on, every 15
      } else if (!number(part.substr(0, dash), from) || !number(part.substr(dash + 1), to)) {
        return "expected a range a-b, not " + quoted(part);
      }
    }
    if (from > to) return "a range runs from low to high, not " + quoted(part);
    if (from < lo || to > hi) return "values must be from " + std::to_string(lo) + " to " + std::to_string(hi);
    for (int v = from; v <= to; v += step) set.set(static_cast<std::size_t>(v));
  }
  if (set.none()) return "names no value";
  return "";
}

}  // namespace

std::optional<Cron> Cron::parse(std::string_view text, std::string& error) {
  std::vector<std::string_view> fields;
  for (std::size_t at = 0; at < text.size();) {
    const auto start = text.find_first_not_of(' ', at);
    if (start == std::string_view::npos) break;
    const auto end = text.find(' ', start);
    fields.push_back(text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
    at = end == std::string_view::npos ? text.size() : end;
  }
  if (fields.size() != 5) {
    error = "expected five fields (minute hour day-of-month month day-of-week), e.g. \"0 9 * * *\" for 09:00 IST every day";
    return std::nullopt;
  }
  Cron cron;
  cron.text_ = std::string(text);
  bool any = false;
  std::bitset<8> weekdays;
  const std::pair<const char*, std::string> checks[] = {
      {"minute", read_field(fields[0], 0, 59, cron.minutes_, any)},
      {"hour", read_field(fields[1], 0, 23, cron.hours_, any)},
      {"day of month", read_field(fields[2], 1, 31, cron.days_, cron.any_day_)},
      {"month", read_field(fields[3], 1, 12, cron.months_, any)},
      {"day of week", read_field(fields[4], 0, 7, weekdays, cron.any_weekday_)},
  };
  for (const auto& [field, problem] : checks)
    if (!problem.empty()) {
      error = std::string(field) + ": " + problem;
      return std::nullopt;
    }
  for (int d = 0; d < 7; ++d) cron.weekdays_[static_cast<std::size_t>(d)] = weekdays[static_cast<std::size_t>(d)] || (d == 0 && weekdays[7]);
  return cron;
}

bool Cron::day_matches(int day_of_month, int month, int day_of_week) const {
  if (!months_[static_cast<std::size_t>(month)]) return false;
  const bool by_day = days_[static_cast<std::size_t>(day_of_month)], by_weekday = weekdays_[static_cast<std::size_t>(day_of_week)];
  if (any_day_ && any_weekday_) return true;
  if (any_day_) return by_weekday;
  if (any_weekday_) return by_day;
  return by_day || by_weekday;  // both given: either (cron's rule)
}

std::optional<SysTime> Cron::next_after(SysTime t) const {
  // On the IST wall clock, from the minute after t.
  const auto local = std::chrono::floor<minutes>(t + kIst) + minutes(1);
  auto day = std::chrono::floor<std::chrono::days>(local);
  auto minute_of_day = static_cast<int>((local - day).count());
  for (int n = 0; n < 366 * 5; ++n, day += std::chrono::days(1), minute_of_day = 0) {
    const std::chrono::year_month_day ymd(day);
    const int weekday = static_cast<int>(std::chrono::weekday(day).c_encoding());
    if (!day_matches(static_cast<int>(static_cast<unsigned>(ymd.day())), static_cast<int>(static_cast<unsigned>(ymd.month())), weekday)) continue;
    for (int m = minute_of_day; m < 24 * 60; ++m)
      if (hours_[static_cast<std::size_t>(m / 60)] && minutes_[static_cast<std::size_t>(m % 60)]) return SysTime(day + minutes(m) - kIst);
  }
  return std::nullopt;
}

std::chrono::minutes Cron::shortest_gap() const {
  int first = -1, last = -1, shortest = 24 * 60;
  for (int m = 0; m < 24 * 60; ++m) {
    if (!hours_[static_cast<std::size_t>(m / 60)] || !minutes_[static_cast<std::size_t>(m % 60)]) continue;
    if (last >= 0) shortest = std::min(shortest, m - last);
    if (first < 0) first = m;
    last = m;
  }
  if (first >= 0) shortest = std::min(shortest, first + 24 * 60 - last);
  return minutes(shortest);
}

OccurrencePlan plan_occurrence(const Cron& cron, SysTime due, SysTime now, std::chrono::seconds grace) {
  OccurrencePlan plan;
  plan.run = now - due <= grace;
  plan.next = cron.next_after(plan.run ? due : std::max(due, now - grace));
  return plan;
}

}  // namespace orgcast::schedule
