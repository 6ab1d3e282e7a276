#include "core/utc_time.hpp"

#include <charconv>
#include <ctime>

namespace orgcast {
namespace {

bool digits(std::string_view s, std::size_t at, std::size_t count, int& out) {
  if (at + count > s.size()) return false;
  auto [end, ec] = std::from_chars(s.data() + at, s.data() + at + count, out);
  return ec == std::errc{} && end == s.data() + at + count;
}

}  // namespace

std::string format_utc(std::chrono::system_clock::time_point t) {
  std::time_t secs = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buffer;
}

std::optional<std::chrono::system_clock::time_point> parse_rfc3339(std::string_view s) {
  int year, month, day, hour, minute, second;
  if (s.size() < 20 || !digits(s, 0, 4, year) || s[4] != '-' || !digits(s, 5, 2, month) || s[7] != '-' ||
      !digits(s, 8, 2, day) || (s[10] != 'T' && s[10] != 't') || !digits(s, 11, 2, hour) || s[13] != ':' ||
      !digits(s, 14, 2, minute) || s[16] != ':' || !digits(s, 17, 2, second))
    return std::nullopt;
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return std::nullopt;
  // The clock counts nanoseconds in 64 bits (1678 to 2262): a year outside
  // 1970-2199 is no time orgcast plans, and would overflow it.
  if (year < 1970 || year > 2199) return std::nullopt;
  std::size_t at = 19;
  std::chrono::nanoseconds fraction{0};
  if (at < s.size() && s[at] == '.') {
    std::size_t start = ++at;
    long long value = 0;
    while (at < s.size() && s[at] >= '0' && s[at] <= '9') {
      if (at - start < 9) value = value * 10 + (s[at] - '0');
      ++at;
    }
    if (at == start) return std::nullopt;
    for (std::size_t n = std::min<std::size_t>(at - start, 9); n < 9; ++n) value *= 10;
    fraction = std::chrono::nanoseconds(value);
  }
  int offset_minutes = 0;
  if (at < s.size() && (s[at] == 'Z' || s[at] == 'z')) {
    ++at;
  } else if (at < s.size() && (s[at] == '+' || s[at] == '-')) {
    int oh, om;
    if (!digits(s, at + 1, 2, oh) || at + 3 >= s.size() || s[at + 3] != ':' || !digits(s, at + 4, 2, om)) return std::nullopt;
    if (oh > 23 || om > 59) return std::nullopt;  // RFC 3339: hours 00-23, minutes 00-59
    offset_minutes = (oh * 60 + om) * (s[at] == '-' ? -1 : 1);
    at += 6;
  } else {
    return std::nullopt;
  }
  if (at != s.size()) return std::nullopt;
  std::chrono::year_month_day date{std::chrono::year(year), std::chrono::month(static_cast<unsigned>(month)),
                                   std::chrono::day(static_cast<unsigned>(day))};
  if (!date.ok()) return std::nullopt;
  auto t = std::chrono::sys_days(date) + std::chrono::hours(hour) + std::chrono::minutes(minute) +
           std::chrono::seconds(second) - std::chrono::minutes(offset_minutes);
  // A leap second is the last of a UTC day (RFC 3339 5.7): 23:59:60Z, read as the next day's first.
  if (second == 60 && (t - std::chrono::floor<std::chrono::days>(t - std::chrono::seconds(1))) != std::chrono::days(1)) return std::nullopt;
  // Within the years taken in UTC as well ("2199-12-31T23:59:59-05:00" is 2200).
  if (t >= std::chrono::sys_days(std::chrono::year(2200) / 1 / 1) || t < std::chrono::sys_days(std::chrono::year(1970) / 1 / 1)) return std::nullopt;
  return std::chrono::time_point_cast<std::chrono::system_clock::duration>(t + fraction);
}

std::string provider_time_as_rfc3339(std::string_view text) {
  if (text.empty()) return "";
  if (text.find_first_not_of("0123456789") == std::string_view::npos && (text.size() == 10 || text.size() == 13)) {
    long long n = 0;
    std::from_chars(text.data(), text.data() + text.size(), n);
    if ((text.size() == 10 && n > 7258118400LL) || (text.size() == 13 && n > 7258118400000LL)) return "";  // past 2200: not a time a provider sends
    const auto ms = text.size() == 13 ? std::chrono::milliseconds(n) : std::chrono::milliseconds(n * 1000);
    return format_utc(std::chrono::system_clock::time_point(ms));
  }
  if (auto at = parse_rfc3339(text)) return format_utc(*at);
  // "2026-11-27 10:00" or "2026-11-27 10:00:05": a space for the T, no zone (UTC).
  if (text.size() == 16 || text.size() == 19) {
    std::string iso(text);
    iso[10] = 'T';
    if (iso.size() == 16) iso += ":00";
    if (auto at = parse_rfc3339(iso + "Z")) return format_utc(*at);
  }
  return "";
}

}  // namespace orgcast
