#include "app/secrets.hpp"

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace orgcast {

std::optional<std::string> read_secret(const std::string& name, std::string* error) {
  std::string path = name;
  if (name.find('/') == std::string::npos) {
    if (const char* dir = std::getenv("CREDENTIALS_DIRECTORY")) path = std::string(dir) + "/" + name;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    if (error) *error = "cannot read the secret file " + path;
    return std::nullopt;
  }
  std::stringstream buffer;
  buffer << in.rdbuf();
  std::string secret = buffer.str();
  while (!secret.empty() && (secret.back() == '\n' || secret.back() == '\r')) secret.pop_back();
  return secret;
}

}  // namespace orgcast
