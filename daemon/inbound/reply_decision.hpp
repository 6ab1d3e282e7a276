#pragma once
// What orgcast does with one inbound message (pure logic): from who wrote
// (inbound/sender_directory) and what the keyword engine read. The outcome
// is kept with the message (GET /v1/inbound?outcome=...):
//   opted_out, opted_in   STOP / START as the whole message (also from a
//                         number not in the directory: a STOP is honoured)
//   answer                YES or NO (with a meeting code, if given)
//   report                REPORT and its text, from a person whose post may report
//                         (ReportRule: e.g. district presidents); from anyone
//                         else it is for_a_person
//   help                  HELP
//   for_a_person          STOP or START with other words: a person reads it
//   unrecognised          a person in the directory, no keyword
//   unknown_sender        a number not in the directory, no opt-out: no reply
#include <optional>
#include <vector>
#include <string>
#include <string_view>

#include "adapters/core/adapter.hpp"
#include "inbound/sender_directory.hpp"
#include "keywords/engine.hpp"

namespace orgcast::inbound {

/// Who may file a daily report by REPORT: a post at one of these levels
/// with one of these roles (names as the directory has them).
struct ReportRule {
  std::vector<std::string> levels{"district"}, roles{"president"};
};

struct Decision {
  std::string outcome;
  std::string report_unit;   // report: the unit of the post that may report
  keywords::Reading reading;
  std::uint64_t mobile = 0;  // the person (or the number, for an opt-out from outside the directory); 0: unknown
  std::string language;      // to answer in: the matched word's, else the person's
  std::string unit_chains;   // answer: the person's posts' units (unit_chains), for the per-unit tally
};

/// Each of the sender's posts' units from the top of the hierarchy down,
/// ids joined by \x1f, one chain per post joined by \x1e: an answer is
/// tallied under the unit below its meeting's organiser (meetings/lua/answer.lua).
std::string unit_chains(const Sender& sender);

/// One inbound message on its way through the inbound path, with what
/// was decided and what came of it.
struct Received {
  adapters::InboundMessage message;
  Decision decision;
  /// A YES or NO ("yes", "no"; "" for anything else) is recorded for its
  /// meeting in the step that keeps the message: the meetings it may be for
  /// and their keys (meetings::MeetingStore::candidates, append_answer_keys).
  std::string answer;
  std::vector<std::string> answer_candidates, answer_keys;
  /// What came of it (set by store): answered, several, not_summoned, unknown_code; and the meetings.
  std::string answered;
  std::vector<std::string> answered_meetings;
  /// The automatic reply it got (set by the inbound path): its kind and
  /// what the queue said (queued, repeated, help_sent_today, rate_limited), or "".
  std::string auto_reply, auto_reply_outcome;
};

Decision decide(const keywords::Engine& engine, const std::optional<Sender>& sender, std::uint64_t from_number, std::string_view text,
                const ReportRule& reports = {});

/// The sender's first post that may report, if any.
std::optional<directory::Post> reporting_post(const Sender& sender, const ReportRule& rule);

}  // namespace orgcast::inbound
