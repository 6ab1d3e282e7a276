#include "tracking/report_tracker.hpp"

#include "broadcast/recipients.hpp"
#include "dispatch/scripts.hpp"

namespace orgcast::tracking {

namespace {

// The state a report moves its recipient to, as the scripts take it (a code).
std::string state_code(adapters::ReportStatus status) {
  using broadcast::State;
  State to = State::sent;
  switch (status) {
    case adapters::ReportStatus::delivered: to = State::delivered; break;
    case adapters::ReportStatus::read: to = State::read; break;
    case adapters::ReportStatus::failed: to = State::failed; break;
    case adapters::ReportStatus::accepted: to = State::sent; break;
  }
  return std::to_string(static_cast<int>(to));
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
