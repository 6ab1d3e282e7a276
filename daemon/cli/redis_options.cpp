#include "cli/redis_options.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <iostream>

#include "app/secrets.hpp"
#include "core/log.hpp"

namespace orgcast::cli {

namespace asio = boost::asio;

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

int with_redis(const Config& config, const std::function<asio::awaitable<int>(std::shared_ptr<redis::Client>)>& task) {
  auto options = redis_options(config);
  if (!options) return 1;
  asio::io_context io;
  Log log(LogLevel::warn);
  auto client = redis::Client::create(io.get_executor(), *options, log);
  client->start();
  auto run = [&]() -> asio::awaitable<int> {
    for (int i = 0; i < 100 && !client->connected(); ++i) {  // a bounded wait to connect
      asio::steady_timer t(io, std::chrono::milliseconds(50));
      co_await t.async_wait(asio::use_awaitable);
    }
    int code = 1;  // not a ?: around a co_await (GCC 12 mishandles it)
    if (client->connected()) code = co_await task(client);
    if (!client->connected()) std::cerr << "orgcast: cannot reach Redis at " << options->host << ":" << options->port << "\n";
    client->stop();
    co_return code;
  };
  auto future = asio::co_spawn(io, run(), asio::use_future);
  io.run();
  return future.get();
}

}  // namespace orgcast::cli
