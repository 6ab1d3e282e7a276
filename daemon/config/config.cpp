#include "config/config.hpp"

namespace orgcast {

std::vector<std::string> DirectoryConfig::all_tags() const {
  std::vector<std::string> out;
  for (const auto& group : tag_groups) out.insert(out.end(), group.tags.begin(), group.tags.end());
  return out;
}

}  // namespace orgcast
