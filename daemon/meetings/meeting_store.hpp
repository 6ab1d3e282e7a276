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
  /// Per unit below the tally's root: "<unit>|summoned", "<unit>|yes", "<unit>|no" -> how many.
  std::map<std::string, long long> by_unit;
  /// One field's value, "" when absent.
  std::string field(const std::string& name) const {
    auto it = fields.find(name);
    return it == fields.end() ? std::string() : it->second;
  }
};

class MeetingStore {
 public:
  MeetingStore(std::shared_ptr<redis::Client> redis, std::string key_prefix, std::shared_ptr<const Clock> clock = nullptr);
  static bool is_meeting_id(std::string_view id);

  /// Makes the meeting and gives it a code; {id, code}; code 0 (nothing made) when every code is in use.
  boost::asio::awaitable<redis::Result<std::pair<std::string, unsigned>>> create(const MeetingSpec& spec);
  /// Keeps who a slice of the summons summons, and how many per unit of the tally.
  boost::asio::awaitable<redis::Result<std::size_t>> add_summoned(std::string id, std::vector<std::uint64_t> mobiles,
                                                                  std::map<std::string, long long> per_unit);
  /// The summons is queued: `state` summoned.
  boost::asio::awaitable<redis::Result<std::size_t>> summons_queued(std::string id, std::string summons);
  /// The meeting a summons broadcast summons to ("" none yet).
  boost::asio::awaitable<redis::Result<std::string>> meeting_of_summons(std::string summons);
  /// A reminder or notice of the meeting was queued: a reply to it names the meeting.
  boost::asio::awaitable<redis::Result<std::size_t>> sent_for(std::string id, std::string broadcast);
  /// The meeting whose summons, reminder or notice the provider's message
  /// `message_id` was ("" none): a WhatsApp reply's context names it.
  boost::asio::awaitable<redis::Result<std::string>> meeting_of_message(std::string provider, std::string message_id);
  /// The summons could not be queued: `state` failed, the code given back,
  /// out of the open meetings, nobody kept as summoned.
  boost::asio::awaitable<redis::Result<std::size_t>> summons_failed(std::string id, unsigned code);
  boost::asio::awaitable<redis::Result<std::optional<Meeting>>> get(std::string id);
  /// Meetings starting in [from, to), by start time (at most 1,000).
  boost::asio::awaitable<redis::Result<std::vector<Meeting>>> starting_between(std::chrono::system_clock::time_point from,
                                                                               std::chrono::system_clock::time_point to);
  /// The meetings an answer may be for: the one `code` names, else the open
  /// ones; none (and `outcome` unknown_code or not_summoned) when there is none.
  struct Candidates {
    std::vector<std::string> ids;
    std::string outcome;  // when ids is empty
  };
  boost::asio::awaitable<redis::Result<Candidates>> candidates(std::optional<unsigned> code);
  /// Everyone summoned with their answer ("" none), when and how, by mobile.
  struct Answer {
    std::uint64_t mobile = 0;
    std::string answer, at, channel;
  };
  boost::asio::awaitable<redis::Result<std::vector<Answer>>> answers(std::string id);
  /// One person's answer ("" none).
  boost::asio::awaitable<redis::Result<std::string>> answer_of(std::string id, std::uint64_t mobile);
  /// Records who came (mobiles; adding again changes nothing); how many were new.
  boost::asio::awaitable<redis::Result<std::size_t>> record_attendance(std::string id, std::vector<std::uint64_t> mobiles);
  /// Who came against who was summoned and what they answered.
  struct Attendance {
    bool recorded = false;  // attendance was taken
    long long came = 0, yes_and_came = 0, yes_but_absent = 0, came_without_answering = 0, came_unsummoned = 0, summoned = 0;
  };
  boost::asio::awaitable<redis::Result<Attendance>> attendance(std::string id);
  /// One person's part in each of these meetings (only those that summoned them or where they came).
  struct Part {
    std::string meeting;
    bool summoned = false, came = false, taken = false;  // taken: attendance was recorded
    std::string answer;
  };
  boost::asio::awaitable<redis::Result<std::vector<Part>>> parts_of(std::uint64_t mobile, std::vector<std::string> meetings);
  /// The mobiles summoned; with `silent_only`, those who have not answered (yes or no).
  boost::asio::awaitable<redis::Result<std::vector<std::uint64_t>>> summoned(std::string id, bool silent_only);
  /// Cancels a meeting not cancelled yet: `state` cancelled, out of the open
  /// meetings (no reply goes to it), its code no longer naming it (and
  /// held from other meetings for 30 days). 1 when cancelled
  /// now, 0 when it was already.
  boost::asio::awaitable<redis::Result<std::size_t>> cancel(std::string id, std::string reason);
  /// Moves a meeting not cancelled: 1 when moved, 0 when it was cancelled.
  boost::asio::awaitable<redis::Result<std::size_t>> reschedule(std::string id, const Reschedule& change);
  /// The six keys of each candidate, as lua/answer.lua reads them.
  void append_answer_keys(redis::Args& keys, const std::vector<std::string>& ids) const;

 private:
  /// One pipeline; an error reply to any of it is an error.
  boost::asio::awaitable<redis::Result<std::vector<redis::Reply>>> read_all(std::vector<redis::Args> commands);
  /// These meetings (the existing ones, in order), read in one pipeline.
  boost::asio::awaitable<redis::Result<std::vector<Meeting>>> read(std::vector<std::string> ids);
  std::string key(const std::string& name) const { return prefix_ + name; }
  std::shared_ptr<redis::Client> redis_;
  std::string prefix_;
  std::shared_ptr<const Clock> clock_;
};

}  // namespace orgcast::meetings
