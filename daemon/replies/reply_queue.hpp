#pragma once
// Offers automatic replies to the reply lane (replies/reply_lane), each
// through the guards of lua/offer_reply.lua: repeats, once-a-day help, a
// rate per number. Kept in Redis (`out:replies`), so any instance sends
// them, in batches.
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "redis/client.hpp"
#include "replies/auto_reply.hpp"

namespace orgcast::replies {

class ReplyQueue {
 public:
  ReplyQueue(std::shared_ptr<redis::Client> redis, std::string key_prefix, int most_per_hour = 10);
  /// `text` is the message each answers (for the repeat guard). One outcome
  /// each: queued, repeated, help_sent_today, rate_limited.
  boost::asio::awaitable<redis::Result<std::vector<std::string>>> offer(std::vector<std::pair<AutoReply, std::string>> replies);
  std::string key() const { return prefix_ + "out:replies"; }

 private:
  std::shared_ptr<redis::Client> redis_;
  std::string prefix_;
  int most_per_hour_;
};

}  // namespace orgcast::replies
