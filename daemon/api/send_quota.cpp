#include "api/send_quota.hpp"

#include "api/common.hpp"
#include "auth/principal.hpp"
#include "redis/client.hpp"
#include "text/ist_time.hpp"

namespace orgcast::api {

boost::asio::awaitable<std::variant<QuotaTaken, http::Response>> take_send_quota(Context context, Lineage lineage, long long count) {
  const auto quota = context.daily_quota ? strictest(context.daily_quota(), lineage) : std::nullopt;
  if (!quota) co_return QuotaTaken{};
  // All or nothing, in one step: two broadcasts at once cannot both slip under it.
  static constexpr const char* kTake =
      "local used = tonumber(redis.call('GET', KEYS[1]) or '0') "
      "if used + tonumber(ARGV[1]) > tonumber(ARGV[2]) then return used end "
      "redis.call('INCRBY', KEYS[1], ARGV[1]) redis.call('EXPIRE', KEYS[1], 172800) return -1";
  const auto day = text::ist_day(std::chrono::system_clock::now());
  const auto key = context.key_prefix + "au:quota:" + lineage.person + ":" + day;
  auto ask = redis::cmd("EVAL", kTake, "1", key, std::to_string(count), std::to_string(*quota));
  auto taken = co_await context.redis->command(std::move(ask));
  if (!taken) co_return redis_unavailable(taken.error().message());
  if (taken->is_error()) co_return redis_unavailable(taken->str);
  if (taken->integer < 0) co_return QuotaTaken{key, count};
  auto refused = http::problem(429, "daily-quota", "Daily quota reached",
                               "you may send to " + std::to_string(*quota) + " recipients a day; " +
                                   std::to_string(taken->integer) + " used on " + day + " (IST), and this broadcast reaches " +
                                   std::to_string(count) + ". It renews at midnight IST.");
  refused.headers.emplace_back("Retry-After", "3600");
  co_return refused;
}

boost::asio::awaitable<void> give_back_send_quota(Context context, QuotaTaken taken) {
  if (taken.key.empty() || taken.count <= 0) co_return;
  auto back = redis::cmd("DECRBY", taken.key, std::to_string(taken.count));
  if (auto done = co_await context.redis->command(std::move(back)); !done || done->is_error())
    context.log->warn("quota", "a quota of " + std::to_string(taken.count) + " taken for a request that made nothing was not given back");
}

}  // namespace orgcast::api
