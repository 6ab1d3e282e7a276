#include "directory/vocabulary.hpp"

namespace orgcast::directory {

Vocabulary::Vocabulary(const DirectoryConfig& config)
    : levels_(config.levels),
      roles_(config.roles),
      tags_(config.all_tags()),
      languages_(config.languages),
      allow_level_skips_(config.allow_level_skips) {
  default_language_ = std::max(0, find(languages_, config.default_language));
}

int Vocabulary::find(const std::vector<std::string>& names, std::string_view name) {
  for (std::size_t i = 0; i < names.size(); ++i)
    if (names[i] == name) return static_cast<int>(i);
  return -1;
}

}  // namespace orgcast::directory
