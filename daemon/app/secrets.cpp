#include "app/secrets.hpp"

#include <cstdlib>

#include "core/files.hpp"

namespace orgcast {

std::optional<std::string> read_secret(const std::string& name, std::string* error) {
  std::string path = name;
  if (name.find('/') == std::string::npos) {
    if (const char* dir = std::getenv("CREDENTIALS_DIRECTORY")) path = std::string(dir) + "/" + name;
  }
  auto content = read_whole_file(path);
  if (!content) {
    if (error) *error = "cannot read the secret file " + path;
    return std::nullopt;
  }
  std::string secret = std::move(*content);
  while (!secret.empty() && (secret.back() == '\n' || secret.back() == '\r')) secret.pop_back();
  return secret;
}

}  // namespace orgcast
