#include "cli/redis_options.hpp"

#include <iostream>

#include "app/secrets.hpp"

namespace orgcast::cli {

std::optional<redis::Options> redis_options(const Config& config) {
  redis::Options options;
  options.host = config.redis.host;
  options.port = config.redis.port;
  options.db = config.redis.db;
  if (!config.redis.password_file.empty()) {
    std::string error;
    auto secret = read_secret(config.redis.password_file, &error);
    if (!secret) {
      std::cerr << "orgcast: " << error << "\n";
      return std::nullopt;
    }
    options.password = *secret;
  }
  return options;
}

}  // namespace orgcast::cli
