// Broadcast requests: what is accepted, and every problem with its pointer.
#include "broadcast/spec.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "support/sample_index.hpp"

using namespace orgcast;
using namespace orgcast::broadcast;
using ::testing::ElementsAre;
using namespace std::chrono_literals;

namespace {

const auto kNow = *parse_rfc3339("2026-11-22T12:00:00Z");

class SpecTest : public ::testing::Test {
 protected:
  std::variant<Spec, std::vector<directory::SelectorError>> parse(const std::string& text) {
    return parse_spec(boost::json::parse(text), *index_, kNow);
  }
  std::vector<std::string> errors(const std::string& text) {
    std::vector<std::string> out;
    auto parsed = parse(text);
    if (auto* e = std::get_if<std::vector<directory::SelectorError>>(&parsed))
      for (const auto& x : *e) out.push_back(x.pointer + ": " + x.message);
    return out;
  }
  std::shared_ptr<const directory::OrgIndex> index_ = fixtures::sample_index();
};

TEST(Rfc3339, ParsesZonesAndFractions) {
  auto utc = parse_rfc3339("2026-11-23T04:30:00Z");
  auto ist = parse_rfc3339("2026-11-23T10:00:00+05:30");
  ASSERT_TRUE(utc && ist);
  EXPECT_EQ(*utc, *ist);
  EXPECT_EQ(format_rfc3339(*ist), "2026-11-23T04:30:00Z");
  auto fractional = parse_rfc3339("2026-11-23T04:30:00.250Z");
  ASSERT_TRUE(fractional);
  EXPECT_EQ(*fractional - *utc, 250ms);
  EXPECT_FALSE(parse_rfc3339("2026-11-23 04:30:00Z"));
  EXPECT_FALSE(parse_rfc3339("2026-02-30T04:30:00Z"));
  EXPECT_FALSE(parse_rfc3339("2026-11-23T04:30:00"));
  EXPECT_FALSE(parse_rfc3339("2026-11-23T04:30:00+0530"));
}

TEST_F(SpecTest, AcceptsAFullRequest) {
  auto parsed = parse(R"({"audience": {"units": ["D-JAI"], "roles": ["president"]},
      "message": {"sms": "बैठक कल 10 बजे", "whatsapp": "Meeting tomorrow", "push": {"title": "Meeting", "body": "Tomorrow 10:00"}},
      "channels": ["push", "whatsapp", "sms"], "priority": "urgent",
      "send_at": "2026-11-22T18:00:00+05:30", "expires_at": "2026-11-23T18:00:00+05:30", "report_timeout_s": 600})");
  ASSERT_TRUE(std::holds_alternative<Spec>(parsed));
  auto spec = std::get<Spec>(parsed);
  EXPECT_EQ(spec.priority, Priority::urgent);
  EXPECT_THAT(spec.channels, ElementsAre(adapters::Channel::push, adapters::Channel::whatsapp, adapters::Channel::sms));
  EXPECT_EQ(*spec.sms_text, "बैठक कल 10 बजे");
  EXPECT_EQ(spec.push_text->title, "Meeting");
  EXPECT_EQ(spec.report_timeout, 600s);
  EXPECT_EQ(format_rfc3339(*spec.send_at), "2026-11-22T12:30:00Z");
  EXPECT_EQ(spec.audience.units.size(), 1u);
}

TEST_F(SpecTest, OneTextForEveryChannelAndDefaults) {
  auto parsed = parse(R"({"audience": {}, "message": {"text": "Hello"}, "channels": ["sms"]})");
  ASSERT_TRUE(std::holds_alternative<Spec>(parsed));
  EXPECT_EQ(std::get<Spec>(parsed).priority, Priority::normal);
  EXPECT_EQ(*std::get<Spec>(parsed).whatsapp_text, "Hello");
}

TEST_F(SpecTest, EveryProblemHasItsPointer) {
  EXPECT_THAT(errors(R"({"audience": {"units": ["NOPE"]}, "message": {"whatsapp": ""}, "channels": ["sms", "fax", "sms"],
                         "priority": "asap", "send_at": "tomorrow", "expires_at": "2026-11-22T11:00:00Z", "extra": 1})"),
              ElementsAre("/extra: unknown key \"extra\"", "/audience/units/0: unknown unit \"NOPE\"",
                          "/channels/1: unknown channel; expected sms, whatsapp or push",
                          "/channels/2: the channel sms is listed twice", "/message/whatsapp: expected a non-empty string",
                          "/message: no text for the channel sms of the policy",
                          "/priority: expected urgent, normal or bulk",
                          "/send_at: expected an RFC 3339 time, e.g. 2026-11-23T10:00:00+05:30",
                          "/expires_at: must be later than now and than send_at"));
  EXPECT_THAT(errors("{}"), ElementsAre("/audience: missing: who the broadcast goes to (an audience selector)",
                                        "/channels: missing: the channel policy, e.g. [\"whatsapp\", \"sms\"]",
                                        "/message: missing: {\"text\": ...} or a text per channel"));
}

}  // namespace
