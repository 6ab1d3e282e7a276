#include "tracking/report_tracker.hpp"

#include "dispatch/scripts.hpp"

namespace orgcast::tracking {

namespace {

// State codes as lua/helpers.lua names them (broadcast::State).
const char* state_code(adapters::ReportStatus status) {
  switch (status) {
    case adapters::ReportStatus::delivered: return "3";
    case adapters::ReportStatus::read: return "4";
    case adapters::ReportStatus::failed: return "5";
    case adapters::ReportStatus::accepted: return "2";
  }
  return "2";
}

}  // namespace

ReportTracker::ReportTracker(std::shared_ptr<redis::Client> redis, std::string key_prefix)
    : redis_(std::move(redis)), prefix_(std::move(key_prefix)) {}

boost::asio::awaitable<redis::Result<ReportsApplied>> ReportTracker::apply(std::string provider,
                                                                           std::vector<adapters::DeliveryReport> reports) {
  ReportsApplied out;
  if (reports.empty()) co_return out;
  // One script call per 200 reports: their counter moves are summed.
  std::vector<redis::Args> scripts;
  for (std::size_t n = 0; n < reports.size(); ++n) {
    if (n % 200 == 0) scripts.push_back(redis::cmd("EVAL", dispatch::kApplyReportsScript, "0", prefix_, provider));
    scripts.back().push_back(std::move(reports[n].provider_message_id));
    scripts.back().push_back(state_code(reports[n].status));
    scripts.back().push_back(std::move(reports[n].reason));
  }
  auto applied = co_await redis_->pipeline(std::move(scripts));
  if (!applied) co_return applied.error();
  for (const auto& reply : *applied) {
    if (reply.is_error()) {
      if (out.all_applied) out.error = reply.str;
      out.all_applied = false;
      continue;
    }
    if (reply.is_array())
      for (const auto& outcome : reply.elements) ++out.outcomes[outcome.str];
  }
  co_return out;
}

}  // namespace orgcast::tracking
