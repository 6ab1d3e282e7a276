#pragma once
// The Redis the CLI writes to: the config's, with its password read from
// redis.password_file. nullopt (and why, on standard error) when the
// password cannot be read.
#include <functional>
#include <memory>
#include <optional>

#include <boost/asio/awaitable.hpp>

#include "config/config.hpp"
#include "redis/client.hpp"

namespace orgcast::cli {

std::optional<redis::Options> redis_options(const Config& config);

/// Runs `task` against the config's Redis, once connected (a bounded wait);
/// its exit code, or 1 when Redis could not be reached.
int with_redis(const Config& config, const std::function<boost::asio::awaitable<int>(std::shared_ptr<redis::Client>)>& task);

}  // namespace orgcast::cli
