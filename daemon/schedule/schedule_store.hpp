#pragma once
// Recurring schedules (/v1/schedules), kept in Redis: one hash of id ->
// JSON. Each occurrence is an item of the durable scheduler (scheduler.hpp)
// named by the schedule and the occurrence's time, so it runs once across
// instances and restarts; this store keeps what to run and what the last
// occurrence did.
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "redis/client.hpp"

namespace orgcast::schedule {

struct StoredSchedule {
  std::string id, name, cron;
  long long grace_s = 1800;  // an occurrence later than this (an outage) is skipped and recorded
  std::string kind;          // broadcast, report_reminder or meeting_reminder
  std::string meeting;       // a meeting_reminder's meeting
  std::string body_json;     // the request each occurrence makes (as POST /v1/broadcasts, /v1/reports/remind, /v1/meetings/{id}/remind)
  std::string author, created_at;
  std::string last_occurrence, last_outcome, last_at;  // what the last occurrence did ("made b12", "skipped: ...")
};

std::string to_json(const StoredSchedule& s);
std::optional<StoredSchedule> stored_schedule_from_json(std::string_view text);

class ScheduleStore {
 public:
  ScheduleStore(std::shared_ptr<redis::Client> redis, std::string key_prefix);
  /// Stores it under a new id ("sc<N>"), which it returns.
  boost::asio::awaitable<redis::Result<std::string>> add(StoredSchedule s);
  boost::asio::awaitable<redis::Result<std::optional<StoredSchedule>>> get(std::string id);
  boost::asio::awaitable<redis::Result<std::vector<StoredSchedule>>> all();
  /// Writes it again (its last occurrence's outcome); nothing when it was deleted meanwhile.
  boost::asio::awaitable<redis::Result<bool>> update(StoredSchedule s);
  boost::asio::awaitable<redis::Result<bool>> remove(std::string id);

 private:
  std::shared_ptr<redis::Client> redis_;
  std::string key_, sequence_key_;
};

}  // namespace orgcast::schedule
