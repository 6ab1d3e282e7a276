#include "inbound/inbound_store.hpp"

#include "core/utc_time.hpp"
#include "lua_scripts.hpp"

namespace orgcast::inbound {

InboundStore::InboundStore(std::shared_ptr<redis::Client> redis, std::string key_prefix, std::shared_ptr<const Clock> clock)
    : redis_(std::move(redis)), prefix_(std::move(key_prefix)), clock_(clock ? std::move(clock) : system_clock()) {}

boost::asio::awaitable<redis::Result<std::size_t>> InboundStore::store(std::string provider, std::vector<adapters::InboundMessage> messages) {
  if (messages.empty()) co_return std::size_t{0};
  const auto now = format_utc(clock_->system_now());
  const std::string script(lua::store_inbound);
  std::vector<redis::Args> stores;
  for (auto& m : messages)
    stores.push_back(redis::cmd("EVAL", script, "2", prefix_ + "in:seen:" + provider + ":" + m.provider_message_id, prefix_ + "in:messages",
                                provider, std::move(m.provider_message_id), std::move(m.from), std::move(m.text), now));
  auto stored = co_await redis_->pipeline(std::move(stores));
  if (!stored) co_return stored.error();
  std::size_t fresh = 0;
  for (const auto& reply : *stored) {
    if (reply.is_error()) co_return make_error_code(redis::Errc::server_error);
    fresh += reply.integer == 1 ? 1 : 0;
  }
  co_return fresh;
}

boost::asio::awaitable<redis::Result<redis::Reply>> InboundStore::latest(std::size_t limit) {
  // Built before the co_await: GCC 12 mishandles temporaries with destructors inside one.
  auto newest_first = redis::cmd("XREVRANGE", prefix_ + "in:messages", "+", "-", "COUNT", std::to_string(limit));
  co_return co_await redis_->command(std::move(newest_first));
}

}  // namespace orgcast::inbound
