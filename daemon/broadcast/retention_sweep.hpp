#pragma once
// Retention (broadcasts.retention_days): a broadcast that ended is put in
// bc:ended by the script that ended it; this sweep gives its per-recipient
// records, retry due times and failure reasons their expiry (naming each
// key from the broadcast's chunk count) and takes it out of the set. The
// broadcast's hash and counters are kept.
#include <memory>

#include <boost/asio/awaitable.hpp>

#include "broadcast/keys.hpp"
#include "redis/client.hpp"

namespace orgcast::broadcast {

class RetentionSweep {
 public:
  RetentionSweep(std::shared_ptr<redis::Client> redis, Keys keys);
  /// Handles up to `most` ended broadcasts; how many.
  boost::asio::awaitable<redis::Result<std::size_t>> sweep(std::size_t most = 10);

 private:
  std::shared_ptr<redis::Client> redis_;
  Keys keys_;
};

}  // namespace orgcast::broadcast
