#pragma once
// UTC timestamps as text, for records and reports.
#include <chrono>
#include <string>

namespace orgcast {

/// "2026-11-23T04:30:00Z" (RFC 3339, UTC, whole seconds).
std::string format_utc(std::chrono::system_clock::time_point t);

}  // namespace orgcast
