#pragma once
// What orgcast answers to an inbound message, if anything (pure logic,
// docs/REPLIES.md "Automatic replies"): an answer is acknowledged, a STOP or
// START confirmed, HELP answered, a YES or NO that could be for several
// meetings asked "which?", anything else from a person in the directory
// helped at most once a day (the queue enforces that). Nothing answers a
// number not in the directory, a message for a person, or what looks like
// another robot's automatic reply, so two robots cannot loop.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "inbound/reply_decision.hpp"

namespace orgcast::replies {

struct AutoReply {
  /// rsvp_ack, which_meeting, help, help_once (at most once a day per
  /// number), opt_out_ack, opt_in_ack.
  std::string kind;
  std::string channel;   // the channel the message came on: the reply goes back on it
  std::uint64_t mobile = 0;
  std::string answer;    // rsvp_ack: yes or no
  std::vector<std::string> meetings;  // rsvp_ack: the meeting; which_meeting: the candidates
};

struct AutoReplySettings {
  /// Acknowledgements (of answers, STOP and START) by SMS cost money; a
  /// deployment may switch them off. HELP and "which meeting?" still go.
  bool sms_acknowledgements = true;
};

std::optional<AutoReply> auto_reply_for(const inbound::Received& received, const AutoReplySettings& settings);

/// An out-of-office notice or another system's automatic reply ("Auto-reply",
/// "Out of office", "This is an automated message", "स्वचालित संदेश").
bool looks_automatic(std::string_view text);

/// Replies that go out as one broadcast: the same template, channel and
/// values (the same meeting and answer), to these people.
struct ReplyGroup {
  std::string kind, channel, answer;
  std::vector<std::string> meetings;
  std::vector<std::uint64_t> mobiles;  // each once
  std::vector<std::string> queued;     // the replies as queued (JSON), to put back if the group cannot be sent now
};
std::vector<ReplyGroup> group_replies(const std::vector<std::pair<AutoReply, std::string>>& replies);

/// The template a kind of reply is sent with.
std::string template_of(std::string_view kind);

/// The reply as queued (JSON), and back.
std::string to_json(const AutoReply& reply);
std::optional<AutoReply> from_json(std::string_view text);

}  // namespace orgcast::replies
