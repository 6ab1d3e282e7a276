#pragma once
// The Redis the CLI writes to: the config's, with its password read from
// redis.password_file. nullopt (and why, on standard error) when the
// password cannot be read.
#include <optional>

#include "config/config.hpp"
#include "redis/client.hpp"

namespace orgcast::cli {

std::optional<redis::Options> redis_options(const Config& config);

}  // namespace orgcast::cli
