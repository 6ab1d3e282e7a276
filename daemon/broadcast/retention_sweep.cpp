#include "broadcast/retention_sweep.hpp"

#include "dispatch/scripts.hpp"

namespace orgcast::broadcast {

RetentionSweep::RetentionSweep(std::shared_ptr<redis::Client> redis, Keys keys) : redis_(std::move(redis)), keys_(std::move(keys)) {}

boost::asio::awaitable<redis::Result<std::size_t>> RetentionSweep::sweep(std::size_t most) {
  auto ended = co_await redis_->command(redis::cmd("SRANDMEMBER", keys_.ended(), std::to_string(most)));
  if (!ended) co_return ended.error();
  if (ended->is_error()) co_return make_error_code(redis::Errc::server_error);
  std::size_t swept = 0;
  for (const auto& member : ended->elements) {
    const auto& id = member.str;
    auto args = redis::cmd("EVAL", dispatch::kExpireEndedScript, "", keys_.ended(), keys_.broadcast(id));
    if (Keys::is_broadcast_id(id)) {
      auto chunks = co_await redis_->command(redis::cmd("HGET", keys_.broadcast(id), "chunks"));
      if (!chunks) co_return chunks.error();
      if (chunks->is_error()) co_return make_error_code(redis::Errc::server_error);  // left in bc:ended for the next sweep
      const auto n = chunks->is_nil() ? 0 : std::strtoull(chunks->str.c_str(), nullptr, 10);
      args.push_back(keys_.failures(id));
      for (std::size_t k = 0; k < n; ++k) {
        args.push_back(keys_.records(id, k));
        args.push_back(keys_.states(id, k));
        args.push_back(keys_.retry_due(id, k));
      }
    }
    args[2] = std::to_string(args.size() - 3);
    args.push_back(id);
    auto given = co_await redis_->command(std::move(args));
    if (!given) co_return given.error();
    if (given->is_error()) co_return make_error_code(redis::Errc::server_error);
    ++swept;
  }
  co_return swept;
}

}  // namespace orgcast::broadcast
