#pragma once
// Sent recipients whose delivery report did not come in time (q:dlr-wait,
// docs/PIPELINE.md "Report timeout"): each goes to its policy's next
// channel, or ends `unconfirmed` on the last one. The due entries are read
// first, then applied by lua/report_timeout.lua with every key named.
#include <chrono>
#include <memory>

#include <boost/asio/awaitable.hpp>

#include "broadcast/keys.hpp"
#include "redis/client.hpp"
#include "tracking/chunk_keys.hpp"

namespace orgcast::tracking {

struct TimeoutsApplied {
  long long entries = 0, fell_back = 0, unconfirmed = 0;
};

class ReportTimeouts {
 public:
  ReportTimeouts(std::shared_ptr<redis::Client> redis, broadcast::Keys keys);
  /// Applies up to `most` entries due at `now`.
  boost::asio::awaitable<redis::Result<TimeoutsApplied>> apply_due(std::chrono::system_clock::time_point now, std::size_t most = 100);

 private:
  std::shared_ptr<redis::Client> redis_;
  broadcast::Keys keys_;
  Priorities priorities_;
};

}  // namespace orgcast::tracking
