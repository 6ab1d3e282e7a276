#include "tracking/report_timeouts.hpp"

#include "dispatch/scripts.hpp"

namespace orgcast::tracking {

ReportTimeouts::ReportTimeouts(std::shared_ptr<redis::Client> redis, broadcast::Keys keys)
    : redis_(redis), keys_(std::move(keys)), priorities_(std::move(redis), keys_) {}

boost::asio::awaitable<redis::Result<TimeoutsApplied>> ReportTimeouts::apply_due(std::chrono::system_clock::time_point now,
                                                                                 std::size_t most) {
  const auto now_ms = std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count());
  auto due = co_await redis_->command(
      redis::cmd("ZRANGEBYSCORE", keys_.report_wait(), "-inf", now_ms, "LIMIT", "0", std::to_string(most)));
  if (!due) co_return due.error();
  if (due->is_error()) co_return make_error_code(redis::Errc::server_error);
  TimeoutsApplied out;
  if (due->elements.empty()) co_return out;
  std::vector<std::string> ids(due->elements.size());
  std::vector<std::size_t> chunks(due->elements.size());
  for (std::size_t n = 0; n < ids.size(); ++n)
    if (!parse_chunk_ref(due->elements[n].str, ids[n], chunks[n])) ids[n].clear();
  auto priorities = co_await priorities_.of(ids);
  if (!priorities) co_return priorities.error();
  auto args = redis::cmd("EVAL", dispatch::kReportTimeoutScript, "", keys_.report_wait(), keys_.ended());
  redis::Args argv{now_ms};
  redis::Args malformed = redis::cmd("ZREM", keys_.report_wait());
  for (std::size_t n = 0; n < ids.size(); ++n) {
    if (ids[n].empty()) {  // never written so: dropped, so that it cannot hold up the entries behind it
      malformed.push_back(std::move(due->elements[n].str));
      continue;
    }
    append_chunk_keys(args, keys_, ids[n], chunks[n], priorities->at(ids[n]));
    argv.push_back(std::move(due->elements[n].str));
  }
  if (malformed.size() > 2) {
    if (auto dropped = co_await redis_->command(std::move(malformed)); !dropped) co_return dropped.error();
  }
  args[2] = std::to_string(args.size() - 3);
  for (auto& a : argv) args.push_back(std::move(a));
  auto moved = co_await redis_->command(std::move(args));
  if (!moved) co_return moved.error();
  if (moved->is_error() || moved->elements.size() != 3) co_return make_error_code(redis::Errc::server_error);
  out.entries = moved->elements[0].integer;
  out.fell_back = moved->elements[1].integer;
  out.unconfirmed = moved->elements[2].integer;
  co_return out;
}

}  // namespace orgcast::tracking
