#pragma once
// The names the directory may use, from config: levels (top first), roles,
// tags and languages, each mapped to a small number for the index.
#include <string>
#include <string_view>
#include <vector>

#include "config/config.hpp"

namespace orgcast::directory {

class Vocabulary {
 public:
  explicit Vocabulary(const DirectoryConfig& config);

  /// Index of the name, or -1 when unknown.
  int level_of(std::string_view name) const { return find(levels_, name); }
  int role_of(std::string_view name) const { return find(roles_, name); }
  int tag_of(std::string_view name) const { return find(tags_, name); }
  int language_of(std::string_view name) const { return find(languages_, name); }

  const std::vector<std::string>& levels() const { return levels_; }
  const std::vector<std::string>& roles() const { return roles_; }
  const std::vector<std::string>& tags() const { return tags_; }
  const std::vector<std::string>& languages() const { return languages_; }
  int default_language() const { return default_language_; }
  bool allow_level_skips() const { return allow_level_skips_; }

  bool operator==(const Vocabulary&) const = default;

 private:
  static int find(const std::vector<std::string>& names, std::string_view name);
  std::vector<std::string> levels_, roles_, tags_, languages_;
  int default_language_ = 0;
  bool allow_level_skips_ = false;
};

}  // namespace orgcast::directory
