#pragma once
// Daily reports in Redis (docs/REPLIES.md, "Daily reports"): kept by the
// inbound path in the step that keeps the message (inbound/lua/store_inbound.lua),
// read here: the day's reports, and who reported that day.
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_set>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "redis/client.hpp"

namespace orgcast::reports {

class ReportStore {
 public:
  ReportStore(std::shared_ptr<redis::Client> redis, std::string key_prefix);
  /// The reports of a day (2026-11-27, IST), each as kept (JSON), in arrival order.
  boost::asio::awaitable<redis::Result<std::vector<std::string>>> of_day(std::string day);
  /// The mobiles that reported on a day.
  boost::asio::awaitable<redis::Result<std::unordered_set<std::uint64_t>>> who_reported(std::string day);

 private:
  std::shared_ptr<redis::Client> redis_;
  std::string prefix_;
};

}  // namespace orgcast::reports
