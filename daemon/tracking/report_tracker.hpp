#pragma once
// Applies providers' delivery reports to the recipients they are about
// (docs/PIPELINE.md, "Delivery reports"): matched by the provider's message
// id, each moving a recipient's state only forward, counters with it, in
// one Lua call per 200 reports (after one MGET of their mappings, so that
// the script is given every key it touches). Applying a report twice
// changes nothing, so a provider may send a callback again.
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "adapters/core/adapter.hpp"
#include "broadcast/keys.hpp"
#include "redis/client.hpp"
#include "tracking/chunk_keys.hpp"

namespace orgcast::tracking {

struct ReportsApplied {
  /// False when Redis refused a part: the provider should send the callback again.
  bool all_applied = true;
  std::string error;  // the first refusal
  /// How many reports came to what: applied, fallback, stale, early, early_dropped.
  std::map<std::string, std::size_t> outcomes;
};

class ReportTracker {
 public:
  ReportTracker(std::shared_ptr<redis::Client> redis, std::string key_prefix);
  /// Applies `reports` from the provider account `provider`.
  boost::asio::awaitable<redis::Result<ReportsApplied>> apply(std::string provider, std::vector<adapters::DeliveryReport> reports);

 private:
  /// One round: reads the reports' mappings, applies them; those whose
  /// mapping changed meanwhile are left in `again`.
  boost::asio::awaitable<redis::Result<std::size_t>> apply_once(const std::string& provider, std::vector<adapters::DeliveryReport>& reports,
                                                         ReportsApplied& out, std::vector<adapters::DeliveryReport>& again);

  std::shared_ptr<redis::Client> redis_;
  broadcast::Keys keys_;
  Priorities priorities_;
};

}  // namespace orgcast::tracking
