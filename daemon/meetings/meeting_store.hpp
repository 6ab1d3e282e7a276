#pragma once
// Meetings in Redis (docs/REPLIES.md, "Meetings"): the meeting, its
// attribution code, who was summoned (the summons broadcast's recipients,
// by mobile, written as the summons is queued), and the answers with their
// tally. Answers belong to the person (their mobile).
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "core/clock.hpp"
#include "meetings/meeting_spec.hpp"
#include "redis/client.hpp"

namespace orgcast::meetings {

struct Meeting {
  std::map<std::string, std::string> fields;  // id, code, title, venue, starts_at, ends_at, organiser, summons, created_at
  long long summoned = 0, yes = 0, no = 0;
};

struct Answered {
  std::string outcome;  // answered, not_summoned, several, unknown_code
  std::vector<std::string> meetings;
};

class MeetingStore {
 public:
  MeetingStore(std::shared_ptr<redis::Client> redis, std::string key_prefix, std::shared_ptr<const Clock> clock = nullptr);
  static bool is_meeting_id(std::string_view id);

  /// Makes the meeting and gives it a code; {id, code}.
  boost::asio::awaitable<redis::Result<std::pair<std::string, unsigned>>> create(const MeetingSpec& spec);
  boost::asio::awaitable<redis::Result<std::size_t>> add_summoned(std::string id, std::vector<std::uint64_t> mobiles);
  /// The summons is queued: `state` summoned.
  boost::asio::awaitable<redis::Result<std::size_t>> summons_queued(std::string id, std::string summons);
  /// The summons could not be queued: `state` failed, the code given back,
  /// out of the open meetings, nobody kept as summoned.
  boost::asio::awaitable<redis::Result<std::size_t>> summons_failed(std::string id, unsigned code);
  boost::asio::awaitable<redis::Result<std::optional<Meeting>>> get(std::string id);
  /// A YES or NO from `mobile`: to the meeting with `code`, else to their only open summons.
  boost::asio::awaitable<redis::Result<Answered>> record_answer(std::uint64_t mobile, bool yes, std::optional<unsigned> code,
                                                               std::string channel);

 private:
  std::string key(const std::string& name) const { return prefix_ + name; }
  std::shared_ptr<redis::Client> redis_;
  std::string prefix_;
  std::shared_ptr<const Clock> clock_;
};

}  // namespace orgcast::meetings
