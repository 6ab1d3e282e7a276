#pragma once
// Applies providers' delivery reports to the recipients they are about
// (docs/PIPELINE.md, "Delivery reports"): matched by the provider's message
// id, each moving a recipient's state only forward, counters with it, in
// one Lua call per 200 reports. Applying a report twice changes nothing,
// so a provider may send a callback again.
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "adapters/core/adapter.hpp"
#include "redis/client.hpp"

namespace orgcast::tracking {

struct ReportsApplied {
  /// False when Redis refused a part: the provider should send the callback again.
  bool all_applied = true;
  std::string error;  // the first refusal
  /// How many reports came to what: applied, fallback, stale, early.
  std::map<std::string, std::size_t> outcomes;
};

class ReportTracker {
 public:
  ReportTracker(std::shared_ptr<redis::Client> redis, std::string key_prefix);
  /// Applies `reports` from the provider account `provider`.
  boost::asio::awaitable<redis::Result<ReportsApplied>> apply(std::string provider, std::vector<adapters::DeliveryReport> reports);

 private:
  std::shared_ptr<redis::Client> redis_;
  std::string prefix_;
};

}  // namespace orgcast::tracking
