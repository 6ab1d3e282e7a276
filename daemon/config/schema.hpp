#pragma once
// The declared table of configuration options. One row per key: its dotted
// path, its kind, what it means, and how to store a validated value. The
// loader walks the YAML against this table; nothing else knows the keys.
#include <yaml-cpp/yaml.h>

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "config/config.hpp"

namespace orgcast::config_schema {

enum class Kind { string, integer, decimal, boolean, providers, endpoint, identifier_list, tag_groups, log_level, keywords, profiles, profile_counts, quiet_hours, blackouts };

struct Option {
  std::string path;
  Kind kind;
  std::string doc;
  long long min = 0;  // for integers
  long long max = 0;
  /// Stores the value; returns an error message when the value is wrong.
  std::function<std::optional<std::string>(Config&, const YAML::Node&)> apply;
};

const std::vector<Option>& options();

/// The settings each provider type takes besides name, type, channels, url,
/// rate_per_second and concurrency: {key, required}.
const std::map<std::string, std::vector<std::pair<std::string, bool>>>& provider_settings();

/// What the kind expects, for error messages: "an integer from 1 to 64".
std::string expected(const Option& option);

}  // namespace orgcast::config_schema
