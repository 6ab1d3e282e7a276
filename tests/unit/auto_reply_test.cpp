// What the daemon answers to each kind of inbound message (replies/auto_reply),
// how replies are grouped into broadcasts, and what counts as a robot.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "replies/auto_reply.hpp"

using namespace orgcast;
using replies::AutoReplySettings;
using ::testing::ElementsAre;

namespace {

inbound::Received message(const std::string& outcome, const std::string& text = "x", adapters::Channel channel = adapters::Channel::whatsapp,
                          std::string answered = "") {
  inbound::Received r;
  r.message.text = text;
  r.message.channel = channel;
  r.decision.outcome = outcome;
  r.decision.mobile = 919829000001;
  r.answer = "yes";
  r.answered = std::move(answered);
  if (!r.answered.empty()) r.answered_meetings = {"m1", "m2"};
  return r;
}

std::string kind_of(const inbound::Received& r, AutoReplySettings settings = {}) {
  auto reply = replies::auto_reply_for(r, settings);
  return reply ? reply->kind : "none";
}

TEST(AutoReply, EachOutcomeGetsItsReply) {
  EXPECT_EQ(kind_of(message("answer", "YES 47", adapters::Channel::whatsapp, "answered")), "rsvp_ack");
  EXPECT_EQ(kind_of(message("answer", "YES", adapters::Channel::whatsapp, "several")), "which_meeting");
  EXPECT_EQ(kind_of(message("answer", "YES 99", adapters::Channel::whatsapp, "unknown_code")), "help_once");
  EXPECT_EQ(kind_of(message("opted_out", "STOP")), "opt_out_ack");
  EXPECT_EQ(kind_of(message("opted_in", "START")), "opt_in_ack");
  EXPECT_EQ(kind_of(message("help", "HELP")), "help");
  EXPECT_EQ(kind_of(message("unrecognised", "kal milte hain")), "help_once");
  EXPECT_EQ(kind_of(message("for_a_person", "STOP please")), "none");
  EXPECT_EQ(kind_of(message("unknown_sender", "hello")), "none");
}

TEST(AutoReply, SmsAcknowledgementsMayBeSwitchedOffButHelpStillGoes) {
  const AutoReplySettings off{false};
  EXPECT_EQ(kind_of(message("answer", "YES 47", adapters::Channel::sms, "answered"), off), "none");
  EXPECT_EQ(kind_of(message("opted_out", "STOP", adapters::Channel::sms), off), "none");
  EXPECT_EQ(kind_of(message("answer", "YES 47", adapters::Channel::whatsapp, "answered"), off), "rsvp_ack") << "WhatsApp costs nothing inside the window";
  EXPECT_EQ(kind_of(message("help", "HELP", adapters::Channel::sms), off), "help");
  EXPECT_EQ(kind_of(message("answer", "YES", adapters::Channel::sms, "several"), off), "which_meeting");
}

TEST(AutoReply, AnotherRobotsAutomaticReplyIsNeverAnswered) {
  for (const char* text : {"Auto-Reply: out of office", "AUTOREPLY", "I am Out of Office till Monday", "This is an automated message, do not reply",
                           "यह स्वचालित संदेश है"})
    EXPECT_TRUE(replies::looks_automatic(text)) << text;
  for (const char* text : {"YES 47", "haan ji aaunga", "office me milte hain"}) EXPECT_FALSE(replies::looks_automatic(text)) << text;
  EXPECT_EQ(kind_of(message("unrecognised", "Auto-reply: I am away")), "none");
}

TEST(AutoReply, TheSameReplyIsOneBroadcastToEachPersonOnce) {
  std::vector<std::pair<replies::AutoReply, std::string>> queued;
  auto add = [&](std::string kind, std::uint64_t mobile, std::string answer, std::string meeting, std::string channel = "whatsapp") {
    replies::AutoReply r{std::move(kind), std::move(channel), mobile, std::move(answer), {std::move(meeting)}};
    queued.emplace_back(r, replies::to_json(r));
  };
  add("rsvp_ack", 1, "yes", "m1");
  add("rsvp_ack", 2, "yes", "m1");
  add("rsvp_ack", 1, "yes", "m1");  // the same person twice in one batch
  add("rsvp_ack", 3, "no", "m1");
  add("rsvp_ack", 4, "yes", "m1", "sms");
  add("rsvp_ack", 5, "yes", "m2");
  auto groups = replies::group_replies(queued);
  ASSERT_EQ(groups.size(), 4u);
  EXPECT_THAT(groups[0].mobiles, ElementsAre(1u, 2u));
  EXPECT_EQ(groups[0].queued.size(), 3u) << "all three are put back if the group cannot go now";
  EXPECT_EQ(groups[1].answer, "no");
  EXPECT_EQ(groups[2].channel, "sms");
  EXPECT_THAT(groups[3].meetings, ElementsAre("m2"));
  auto back = replies::from_json(queued[0].second);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->mobile, 1u);
  EXPECT_EQ(replies::template_of("help_once"), "help_reply");
}

}  // namespace
