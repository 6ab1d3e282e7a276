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

constexpr std::size_t kReportsPerCall = 200;
constexpr int kRounds = 3;  // a mapping written between the read and the script: read again

}  // namespace

ReportTracker::ReportTracker(std::shared_ptr<redis::Client> redis, std::string key_prefix)
    : redis_(redis), keys_{std::move(key_prefix)}, priorities_(std::move(redis), keys_) {}

boost::asio::awaitable<redis::Result<ReportsApplied>> ReportTracker::apply(std::string provider,
                                                                           std::vector<adapters::DeliveryReport> reports) {
  ReportsApplied out;
  for (int round = 0; round < kRounds && !reports.empty(); ++round) {
    std::vector<adapters::DeliveryReport> again;
    auto done = co_await apply_once(provider, reports, out, again);
    if (!done) co_return done.error();
    reports = std::move(again);
  }
  if (!reports.empty()) {  // mappings changing under every read: let the provider send them again
    out.all_applied = false;
    if (out.error.empty()) out.error = "mappings changed while being read";
  }
  co_return out;
}

boost::asio::awaitable<redis::Result<std::size_t>> ReportTracker::apply_once(const std::string& provider,
                                                                      std::vector<adapters::DeliveryReport>& reports, ReportsApplied& out,
                                                                      std::vector<adapters::DeliveryReport>& again) {
  auto read = redis::cmd("MGET");
  for (const auto& r : reports) read.push_back(keys_.provider_message(provider, r.provider_message_id));
  auto refs = co_await redis_->command(std::move(read));
  if (!refs) co_return refs.error();
  if (refs->is_error() || refs->elements.size() != reports.size()) co_return make_error_code(redis::Errc::server_error);
  std::vector<std::string> ids(reports.size());
  std::vector<std::size_t> chunks(reports.size());
  for (std::size_t n = 0; n < reports.size(); ++n)
    if (!parse_chunk_ref(refs->elements[n].str, ids[n], chunks[n])) ids[n].clear();
  auto priorities = co_await priorities_.of(ids);
  if (!priorities) co_return priorities.error();

  // One script call per 200 reports, their counter moves summed: keys are
  // each report's mapping, then the keys of each chunk they point to, once.
  std::vector<redis::Args> scripts;
  std::vector<std::size_t> firsts;
  for (std::size_t first = 0; first < reports.size(); first += kReportsPerCall) {
    const auto last = std::min(reports.size(), first + kReportsPerCall);
    auto args = redis::cmd("EVAL", dispatch::kApplyReportsScript, "", keys_.early_reports(provider), keys_.ended());
    for (std::size_t n = first; n < last; ++n) args.push_back(keys_.provider_message(provider, reports[n].provider_message_id));
    std::map<std::pair<std::string, std::size_t>, std::size_t> chunk_at;  // (id, k) -> KEYS index (1-based)
    redis::Args argv;
    for (std::size_t n = first; n < last; ++n) {
      std::size_t at = 0;
      if (!ids[n].empty()) {
        auto [it, fresh] = chunk_at.try_emplace({ids[n], chunks[n]}, args.size() - 2);
        if (fresh) append_chunk_keys(args, keys_, ids[n], chunks[n], priorities->at(ids[n]));
        at = it->second;
      }
      argv.push_back(reports[n].provider_message_id);
      argv.push_back(state_code(reports[n].status));
      argv.push_back(reports[n].reason);
      argv.push_back(refs->elements[n].str);
      argv.push_back(std::to_string(at));
    }
    args[2] = std::to_string(args.size() - 3);
    for (auto& a : argv) args.push_back(std::move(a));
    scripts.push_back(std::move(args));
    firsts.push_back(first);
  }
  auto applied = co_await redis_->pipeline(std::move(scripts));
  if (!applied) co_return applied.error();
  for (std::size_t s = 0; s < applied->size(); ++s) {
    const auto& reply = (*applied)[s];
    if (reply.is_error()) {
      if (out.all_applied) out.error = reply.str;
      out.all_applied = false;
      continue;
    }
    for (std::size_t n = 0; n < reply.elements.size(); ++n) {
      const auto& outcome = reply.elements[n].str;
      if (outcome == "again")
        again.push_back(std::move(reports[firsts[s] + n]));
      else
        ++out.outcomes[outcome];
    }
  }
  co_return again.size();
}

}  // namespace orgcast::tracking
