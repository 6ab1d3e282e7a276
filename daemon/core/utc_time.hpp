#pragma once
// UTC timestamps as text, for records and reports.
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace orgcast {

/// Milliseconds since the epoch: how Redis keys (zset scores, due times) hold a time.
inline long long epoch_ms(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

/// "2026-11-23T04:30:00Z" (RFC 3339, UTC, whole seconds).
std::string format_utc(std::chrono::system_clock::time_point t);

/// Parses RFC 3339 ("2026-11-23T10:00:00Z", "...+05:30", fractional seconds allowed);
/// years 1970 to 2199 only (the clock's nanoseconds hold no more), offsets up to ±23:59.
std::optional<std::chrono::system_clock::time_point> parse_rfc3339(std::string_view text);
/// What parse_rfc3339 takes, as error messages say it.
inline constexpr std::string_view kRfc3339Expected = "an RFC 3339 time with a zone in the years 1970 to 2199, e.g. 2026-11-25T10:00:00+05:30";

/// A time as a provider gives it, as RFC 3339 UTC: Unix seconds or
/// milliseconds (WhatsApp's "1732700000"), "YYYY-MM-DD HH:MM[:SS]" (Kannel's
/// %t, read as UTC), or RFC 3339; "" for anything else (or nothing).
std::string provider_time_as_rfc3339(std::string_view text);

}  // namespace orgcast
