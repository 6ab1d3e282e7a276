#include "config/loader.hpp"

#include <yaml-cpp/yaml.h>

#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "config/schema.hpp"
#include "core/files.hpp"
#include "core/text.hpp"

namespace orgcast {
namespace {

using config_schema::Option;

struct Walker {
  std::string file;
  Config config;
  std::vector<ConfigError> errors;
  std::map<std::string, YAML::Mark> marks;  // where each key that was set stands

  void error(const YAML::Mark& mark, std::string path, std::string message) {
    errors.push_back({file, mark.line + 1, mark.column + 1, std::move(path), std::move(message)});
  }

  const Option* find_option(const std::string& path) const {
    for (const auto& option : config_schema::options())
      if (option.path == path) return &option;
    return nullptr;
  }

  // Names allowed directly under `prefix` ("" for the top): section names and keys.
  std::vector<std::string> children_of(const std::string& prefix) const {
    std::set<std::string> names;
    for (const auto& option : config_schema::options()) {
      if (option.path.compare(0, prefix.size(), prefix) != 0) continue;
      auto rest = option.path.substr(prefix.size());
      names.insert(rest.substr(0, rest.find('.')));
    }
    return {names.begin(), names.end()};
  }

  void walk_map(const YAML::Node& node, const std::string& prefix) {
    std::set<std::string> seen;
    for (const auto& entry : node) {
      const auto& key_node = entry.first;
      if (!key_node.IsScalar()) {
        error(key_node.Mark(), prefix, "keys must be plain names");
        continue;
      }
      const std::string key = key_node.Scalar();
      const std::string path = prefix + key;
      if (!seen.insert(key).second) {
        error(key_node.Mark(), path, "this key is given twice");
        continue;
      }
      if (const Option* option = find_option(path)) {
        marks[path] = entry.second.Mark();
        if (entry.second.IsNull()) {
          error(entry.second.Mark(), path, "no value: expected " + config_schema::expected(*option));
        } else if (auto problem = option->apply(config, entry.second)) {
          error(entry.second.Mark(), path, *problem);
        }
        continue;
      }
      auto siblings = children_of(prefix);
      bool is_section = false;
      for (const auto& name : siblings) is_section |= (name == key);
      if (is_section) {
        if (entry.second.IsMap()) walk_map(entry.second, path + ".");
        else if (!entry.second.IsNull()) error(entry.second.Mark(), path, "expected a section (a map of keys)");
        continue;
      }
      std::string message = "unknown key";
      if (auto suggestion = closest_match(key, siblings); !suggestion.empty())
        message += "; did you mean " + quoted(suggestion) + "?";
      else
        message += "; allowed here: " + [&] {
          std::string list;
          for (const auto& s : siblings) list += (list.empty() ? "" : ", ") + s;
          return list;
        }();
      error(key_node.Mark(), path, message);
    }
  }

  YAML::Mark mark_of(const std::string& path) const {
    auto it = marks.find(path);
    return it == marks.end() ? YAML::Mark{} : it->second;
  }

  // Rules that involve more than one key.
  void cross_checks() {
    const auto& d = config.directory;
    if (d.levels.size() < 2) error(mark_of("directory.levels"), "directory.levels", "expected at least two levels");
    bool known_default = false;
    for (const auto& lang : d.languages) known_default |= (lang == d.default_language);
    if (!known_default)
      error(mark_of("directory.default_language"), "directory.default_language",
            quoted(d.default_language) + " is not one of directory.languages");
    if (config.redis.reconnect_min_ms > config.redis.reconnect_max_ms)
      error(mark_of("redis.reconnect_min_ms"), "redis.reconnect_min_ms", "must not exceed redis.reconnect_max_ms");
    if (d.roles.size() > 255) error(mark_of("directory.roles"), "directory.roles", "at most 255 roles");
    if (d.levels.size() > 255) error(mark_of("directory.levels"), "directory.levels", "at most 255 levels");
    const auto& host = config.server.listen_host;
    if (!config.auth.required && host != "127.0.0.1" && host != "::1")
      error(mark_of("auth.required"), "auth.required", "may be false only when server.listen is on loopback, not " + quoted(host));
  }
};

}  // namespace

std::string ConfigError::to_string() const {
  std::string out = file;
  if (line > 0) out += ":" + std::to_string(line) + ":" + std::to_string(column);
  out += ": ";
  if (!key_path.empty()) out += key_path + ": ";
  out += message;
  return out;
}

ConfigLoadResult load_config_text(const std::string& text, const std::string& file_name) {
  Walker walker;
  walker.file = file_name;
  walker.config.source_path = file_name;
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::ParserException& e) {
    walker.error(e.mark, "", "not valid YAML: " + e.msg);
    return {std::nullopt, std::move(walker.errors)};
  }
  if (root.IsNull()) {
    // An empty file is a valid config: every key takes its default.
  } else if (!root.IsMap()) {
    walker.error(root.Mark(), "", "expected a map of sections at the top of the file");
  } else {
    walker.walk_map(root, "");
  }
  if (walker.errors.empty()) walker.cross_checks();
  if (!walker.errors.empty()) return {std::nullopt, std::move(walker.errors)};
  return {std::move(walker.config), {}};
}

ConfigLoadResult load_config_file(const std::string& path) {
  auto text = read_whole_file(path);
  if (!text) return {std::nullopt, {ConfigError{path, 0, 0, "", "cannot open the file"}}};
  return load_config_text(*text, path);
}

std::vector<std::string> config_key_paths() {
  std::vector<std::string> out;
  for (const auto& option : config_schema::options()) out.push_back(option.path);
  return out;
}

}  // namespace orgcast
