#include "replies/reply_queue.hpp"

#include "core/digest.hpp"
#include "keywords/normalise.hpp"
#include "lua_scripts.hpp"

namespace orgcast::replies {

ReplyQueue::ReplyQueue(std::shared_ptr<redis::Client> redis, std::string key_prefix, int most_per_hour)
    : redis_(std::move(redis)), prefix_(std::move(key_prefix)), most_per_hour_(most_per_hour) {}

boost::asio::awaitable<redis::Result<std::vector<std::string>>> ReplyQueue::offer(std::vector<std::pair<AutoReply, std::string>> replies) {
  std::vector<std::string> outcomes;
  if (replies.empty()) co_return outcomes;
  std::vector<redis::Args> offers;
  for (const auto& [reply, text] : replies) {
    const auto who = std::to_string(reply.mobile);
    offers.push_back(redis::cmd("EVAL", std::string(lua::offer_reply), "4",
                                prefix_ + "ar:repeat:" + who + ":" + sha1_hex(keywords::normalise(text)), prefix_ + "ar:count:" + who,
                                prefix_ + "ar:help:" + who, key(), reply.kind, to_json(reply), std::to_string(most_per_hour_)));
  }
  auto offered = co_await redis_->pipeline(std::move(offers));
  if (!offered) co_return offered.error();
  for (const auto& r : *offered) outcomes.push_back(r.is_error() ? "failed" : r.str);
  co_return outcomes;
}

}  // namespace orgcast::replies
