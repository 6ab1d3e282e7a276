#pragma once
// A UTC time this far from now, in RFC 3339 to the second ("2026-11-29T10:00:00Z"):
// for meetings, expiries and sends a test plans ahead.
#include <chrono>
#include <ctime>
#include <string>

namespace orgcast::testing {

inline std::string utc_in(std::chrono::seconds from_now) {
  const auto t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now() + from_now);
  std::tm parts{};
  gmtime_r(&t, &parts);
  char out[32];
  std::strftime(out, sizeof out, "%Y-%m-%dT%H:%M:%SZ", &parts);
  return out;
}

}  // namespace orgcast::testing
