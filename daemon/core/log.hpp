#pragma once
// A small levelled logger writing one line per event to stdout (journald
// picks stdout up under systemd). It is passed to components explicitly; there
// is no global logger. Thread-safe: each line is written with one write().
#include <atomic>
#include <string>
#include <string_view>

namespace orgcast {

enum class LogLevel { debug = 0, info = 1, warn = 2, error = 3 };

/// Parses "debug" / "info" / "warn" / "error"; returns false if unknown.
bool parse_log_level(std::string_view text, LogLevel& out);

class Log {
 public:
  explicit Log(LogLevel level = LogLevel::info) : level_(static_cast<int>(level)) {}

  void set_level(LogLevel level) { level_.store(static_cast<int>(level)); }
  bool enabled(LogLevel level) const { return static_cast<int>(level) >= level_.load(); }

  void debug(std::string_view component, std::string_view message) const { write(LogLevel::debug, component, message); }
  void info(std::string_view component, std::string_view message) const { write(LogLevel::info, component, message); }
  void warn(std::string_view component, std::string_view message) const { write(LogLevel::warn, component, message); }
  void error(std::string_view component, std::string_view message) const { write(LogLevel::error, component, message); }

  void write(LogLevel level, std::string_view component, std::string_view message) const;

 private:
  std::atomic<int> level_;
};

}  // namespace orgcast
