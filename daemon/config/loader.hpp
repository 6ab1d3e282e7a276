#pragma once
// Loads and validates the YAML configuration against the option table in
// schema.cpp. Every problem is collected (not just the first) and carries
// file:line:column, the key path, what was expected and, for unknown keys, a
// suggestion.
#include <optional>
#include <string>
#include <vector>

#include "config/config.hpp"

namespace orgcast {

struct ConfigError {
  std::string file;
  int line = 0;    // 1-based; 0 when the file itself is the problem
  int column = 0;  // 1-based
  std::string key_path;
  std::string message;

  /// "file:line:column: key.path: message"
  std::string to_string() const;
};

struct ConfigLoadResult {
  std::optional<Config> config;
  std::vector<ConfigError> errors;
};

ConfigLoadResult load_config_file(const std::string& path);
ConfigLoadResult load_config_text(const std::string& text, const std::string& file_name);

/// The option table rendered as documentation: one line per key with its
/// type and meaning (used by `orgcast config keys` and by a test that checks
/// the example file mentions every key).
std::vector<std::string> config_key_paths();

}  // namespace orgcast
