#include "core/log.hpp"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <ctime>

namespace orgcast {

bool parse_log_level(std::string_view text, LogLevel& out) {
  if (text == "debug") out = LogLevel::debug;
  else if (text == "info") out = LogLevel::info;
  else if (text == "warn") out = LogLevel::warn;
  else if (text == "error") out = LogLevel::error;
  else return false;
  return true;
}

void Log::write(LogLevel level, std::string_view component, std::string_view message) const {
  if (!enabled(level)) return;
  static constexpr std::string_view names[] = {"debug", "info", "warn", "error"};
  // The <N> prefix is sd-daemon's priority marker: journald files the line
  // at that priority, and it is harmless on a terminal.
  static constexpr std::string_view priorities[] = {"<7>", "<6>", "<4>", "<3>"};
  auto now = std::chrono::system_clock::now();
  std::time_t secs = std::chrono::system_clock::to_time_t(now);
  auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char stamp[64];
  std::snprintf(stamp, sizeof stamp, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(millis));
  std::string line;
  line.reserve(message.size() + component.size() + 48);
  line += priorities[static_cast<int>(level)];
  line += stamp;
  line += ' ';
  line += names[static_cast<int>(level)];
  line += ' ';
  line += component;
  line += ": ";
  line += message;
  line += '\n';
  // One write() per line keeps lines from different threads whole.
  [[maybe_unused]] auto written = ::write(STDOUT_FILENO, line.data(), line.size());
}

}  // namespace orgcast
