#include "config/config.hpp"

#include <filesystem>

namespace orgcast {

std::vector<std::string> DirectoryConfig::all_tags() const {
  std::vector<std::string> out;
  for (const auto& group : tag_groups) out.insert(out.end(), group.tags.begin(), group.tags.end());
  return out;
}

std::string Config::reply_link_base() const {
  auto base = !replies.link_base_url.empty() ? replies.link_base_url : dispatch.callback_base_url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  return base;
}

std::string Config::templates_dir() const {
  std::filesystem::path dir(templates.dir);
  if (dir.is_absolute() || source_path.empty()) return dir.string();
  return (std::filesystem::path(source_path).parent_path() / dir).lexically_normal().string();
}

}  // namespace orgcast
