// Broadcast requests: what is accepted, and every problem with its pointer.
#include "broadcast/spec.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <unistd.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "support/sample_index.hpp"
#include "templates/loader.hpp"

using namespace orgcast;
using namespace orgcast::broadcast;
using ::testing::ElementsAre;
using namespace std::chrono_literals;

namespace {

const auto kNow = *parse_rfc3339("2026-11-22T12:00:00Z");

class SpecTest : public ::testing::Test {
 protected:
  std::variant<Spec, std::vector<directory::SelectorError>> parse(const std::string& text, TimePoint now = kNow, bool for_meeting = false) {
    SpecContext context{&catalog_, templates::Rules{}, "1101000000000000001", PricingConfig{}, now, for_meeting};
    return parse_spec(boost::json::parse(text), *index_, context);
  }
  // The content as the broadcast stores it, read back as the dispatcher reads it.
  static std::optional<Content> stored_and_loaded(const Spec& spec) {
    boost::json::object stored;
    spec.content.store_into(stored);
    std::string error;
    auto content = Content::load(boost::json::parse(boost::json::serialize(stored)).as_object(), error);
    EXPECT_TRUE(content) << error;
    return content;
  }
  std::vector<std::string> errors(const std::string& text, TimePoint now = kNow) {
    std::vector<std::string> out;
    auto parsed = parse(text, now);
    if (auto* e = std::get_if<std::vector<directory::SelectorError>>(&parsed))
      for (const auto& x : *e) out.push_back(x.pointer + ": " + x.message);
    return out;
  }
  std::shared_ptr<const directory::OrgIndex> index_ = fixtures::sample_index();
  templates::Catalog catalog_ = templates::load_templates(ORGCAST_SOURCE_DIR "/templates", templates::Rules{}).catalog;
};

// The shipped announcement, registered on DLT as promotional.
templates::Catalog with_promotional_template() {
  const auto dir = std::filesystem::temp_directory_path() / ("orgcast-promo-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::ifstream in(ORGCAST_SOURCE_DIR "/templates/announcement.yaml");
  std::stringstream text;
  text << in.rdbuf();
  auto yaml = text.str();
  yaml.replace(yaml.find("id: announcement"), 16, "id: membership_offer");
  yaml.replace(yaml.find("dlt_category: service"), 21, "dlt_category: promotional");
  for (auto at = yaml.find("sender: ORGCST"); at != std::string::npos; at = yaml.find("sender: ORGCST"))
    yaml.replace(at, 14, "sender: \"567890\"");  // promotional headers are 6 digits
  std::ofstream(dir / "membership_offer.yaml") << yaml;
  auto loaded = templates::load_templates(dir.string(), templates::Rules{});
  std::filesystem::remove_all(dir);
  for (const auto& error : loaded.errors) ADD_FAILURE() << error.to_string();
  return loaded.catalog;
}

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
  // Outside what the clock's nanoseconds hold (1678-2262) a time overflowed
  // and stopped the daemon: 1970 to 2200 only. Offsets are real ones.
  EXPECT_FALSE(parse_rfc3339("0000-01-01T00:00:00Z"));
  EXPECT_FALSE(parse_rfc3339("9999-12-31T23:59:59Z"));
  EXPECT_FALSE(parse_rfc3339("1969-12-31T23:59:59Z"));
  EXPECT_TRUE(parse_rfc3339("2199-12-31T23:59:59Z"));
  EXPECT_FALSE(parse_rfc3339("2199-12-31T23:59:59-05:00")) << "2200 in UTC";
  // A leap second is the last second of a UTC day, in any zone.
  EXPECT_EQ(format_rfc3339(*parse_rfc3339("2026-12-31T23:59:60Z")), "2027-01-01T00:00:00Z");
  EXPECT_TRUE(parse_rfc3339("2027-01-01T05:29:60+05:30"));
  EXPECT_FALSE(parse_rfc3339("2027-01-15T10:30:60Z"));
  EXPECT_FALSE(parse_rfc3339("2030-05-07T18:00:00+23:60"));
  EXPECT_FALSE(parse_rfc3339("2030-05-07T18:00:00+24:00"));
  EXPECT_FALSE(parse_rfc3339("2030-05-07T18:00:00-99:59"));
  EXPECT_TRUE(parse_rfc3339("2030-05-07T18:00:00-23:59"));
}

TEST_F(SpecTest, AcceptsAFullRequest) {
  auto parsed = parse(R"({"audience": {"units": ["D-JAI"], "roles": ["president"]},
      "template": "meeting_reminder",
      "variables": {"meeting.title": "ज़िला बैठक", "meeting.venue": "ज़िला कार्यालय", "meeting.time": "2026-11-25T10:00:00+05:30"},
      "channels": ["push", "whatsapp", "sms"], "priority": "urgent",
      "send_at": "2026-11-22T18:00:00+05:30", "expires_at": "2026-11-23T18:00:00+05:30", "report_timeout_s": 600})");
  ASSERT_TRUE(std::holds_alternative<Spec>(parsed));
  auto spec = std::get<Spec>(parsed);
  EXPECT_EQ(spec.priority, Priority::urgent);
  EXPECT_THAT(spec.channels, ElementsAre(adapters::Channel::push, adapters::Channel::whatsapp, adapters::Channel::sms));
  ASSERT_TRUE(spec.content.tmpl);
  EXPECT_EQ(spec.content.tmpl->id, "meeting_reminder");
  EXPECT_EQ(spec.content.dlt_entity_id, "1101000000000000001");
  EXPECT_NE(spec.content.template_source.find("id: meeting_reminder"), std::string::npos);
  EXPECT_EQ(spec.report_timeout, 600s);
  EXPECT_EQ(format_rfc3339(*spec.send_at), "2026-11-22T12:30:00Z");
  EXPECT_EQ(spec.audience.units.size(), 1u);
}

TEST_F(SpecTest, ContentSurvivesStorageAndRendersPerRecipient) {
  auto parsed = parse(R"({"audience": {}, "template": "meeting_summons", "channels": ["sms"],
      "variables": {"meeting.title": "ज़िला बैठक", "meeting.venue": "ज़िला कार्यालय", "meeting.time": "2026-11-25T10:00:00+05:30",
                    "meeting.code": "47", "meeting.link_token": "AAAvAjhXIQXd1aKz"}})", kNow, true);
  ASSERT_TRUE(std::holds_alternative<Spec>(parsed));
  auto content = stored_and_loaded(std::get<Spec>(parsed));
  ASSERT_TRUE(content);
  directory::ContactView contact;
  contact.name = "Ramesh Sharma";
  contact.name_hi = "रमेश शर्मा";
  contact.language = "hi";
  contact.unit_id = "D-JAI";
  adapters::OutboundMessage m;
  m.channel = adapters::Channel::sms;
  EXPECT_EQ(content->fill(m, contact, &index_->units()), "");
  EXPECT_EQ(m.text, "रमेश शर्मा जी, ज़िला बैठक बुधवार, 25 नवंबर 2026 को सुबह 10:00 बजे ज़िला कार्यालय में होगी। "
                    "आएँगे तो YES 47, नहीं तो NO 47 भेजें या https://orgcast.example.org/r/AAAvAjhXIQXd1aKz खोलें। -संगठन कार्यालय");
  EXPECT_EQ(m.dlt_template_id, "1107172300000000021");
  EXPECT_EQ(m.dlt_entity_id, "1101000000000000001");
  EXPECT_EQ(m.sender, "ORGCST");
  contact.language = "mr";  // no Marathi variant: the default language
  EXPECT_EQ(content->fill(m, contact, &index_->units()), "");
  EXPECT_EQ(m.language, "hi");
  contact.language = "en";
  m.channel = adapters::Channel::whatsapp;
  EXPECT_EQ(content->fill(m, contact, &index_->units()), "");
  EXPECT_EQ(m.whatsapp_template, "meeting_summons");
  EXPECT_THAT(m.parameters, ElementsAre("Ramesh Sharma", "ज़िला बैठक", "Wednesday, 25 November 2026, 10:00 AM IST", "ज़िला कार्यालय"));
  EXPECT_THAT(m.button_payloads, ElementsAre("YES 47", "NO 47")) << "a tap answers with the meeting's code";
}

// A variable may be given one value per language: each recipient reads
// their language's, and one in a language not given reads the first.
TEST_F(SpecTest, VariablesMayBeGivenOnePerLanguage) {
  auto parsed = parse(R"({"audience": {}, "template": "announcement", "channels": ["sms"],
      "variables": {"subject": {"hi": "सदस्यता अभियान", "en": "Membership drive"}, "details": "15 दिसंबर से"}})");
  ASSERT_TRUE(std::holds_alternative<Spec>(parsed));
  auto content = stored_and_loaded(std::get<Spec>(parsed));
  ASSERT_TRUE(content);
  directory::ContactView contact;
  contact.name = "Anita Gupta";
  contact.name_hi = "अनीता गुप्ता";
  contact.unit_id = "D-JAI";
  adapters::OutboundMessage m;
  m.channel = adapters::Channel::sms;
  contact.language = "hi";
  EXPECT_EQ(content->fill(m, contact, &index_->units()), "");
  EXPECT_EQ(m.text, "अनीता गुप्ता जी, सदस्यता अभियान: 15 दिसंबर से। -संगठन कार्यालय");
  contact.language = "en";
  EXPECT_EQ(content->fill(m, contact, &index_->units()), "");
  EXPECT_EQ(m.text, "Dear Anita Gupta, Membership drive: 15 दिसंबर से. -Party Office");

  EXPECT_THAT(errors(R"({"audience": {}, "template": "announcement", "channels": ["sms"],
                         "variables": {"subject": {"Hindi": "x", "en": "a subject far longer than thirty characters"}, "details": {}}})"),
              ElementsAre("/variables/subject/Hindi: expected a language code such as hi or en",
                          "/variables/subject/en: is 43 characters; the template allows 30",
                          "/variables/details: give at least one language's text"));
}

// A summons is sent only for a meeting, which gives it its code; and a
// meeting's summons must be a summons.
TEST_F(SpecTest, ASummonsIsSentOnlyForAMeeting) {
  const std::string summons = R"({"audience": {}, "template": "meeting_summons", "channels": ["sms"],
      "variables": {"meeting.title": "बैठक", "meeting.venue": "कार्यालय", "meeting.time": "2026-11-25T10:00:00+05:30", "meeting.code": "47"}})";
  EXPECT_THAT(errors(summons), ElementsAre("/template: template \"meeting_summons\" is a meeting summons: send it with POST /v1/meetings, "
                                           "which gives it its meeting code and counts the answers"));
  auto as_meeting = parse(R"({"audience": {}, "template": "announcement", "channels": ["sms"], "variables": {"subject": "x", "details": "y"}})", kNow, true);
  ASSERT_TRUE(std::holds_alternative<std::vector<directory::SelectorError>>(as_meeting));
  EXPECT_EQ(std::get<std::vector<directory::SelectorError>>(as_meeting)[0].message,
            "template \"announcement\" is not a meeting summons (its kind is announcement)");
}

TEST_F(SpecTest, LiteralTextOnlyForReplies) {
  // A client may not send free text (no DLT template) by calling it a reply.
  EXPECT_THAT(errors(R"({"audience": {}, "kind": "reply", "message": {"text": "Hello"}, "channels": ["sms"]})"),
              ElementsAre("/message: literal text is only for replies the daemon sends; a broadcast names a template",
                          "/kind: not a field of a broadcast (a template names its own kind)"));
  SpecContext replies{&catalog_, templates::Rules{}, "1101000000000000001", PricingConfig{}, kNow, false};
  replies.for_replies = true;
  auto parsed = parse_spec(boost::json::parse(R"({"audience": {}, "kind": "reply", "message": {"text": "Hello"}, "channels": ["sms"]})"), *index_, replies);
  ASSERT_TRUE(std::holds_alternative<Spec>(parsed));
  EXPECT_EQ(std::get<Spec>(parsed).priority, Priority::normal);
  EXPECT_EQ(*std::get<Spec>(parsed).content.whatsapp, "Hello");
  EXPECT_THAT(errors(R"({"audience": {}, "message": {"text": "Hello"}, "channels": ["sms"]})"),
              ElementsAre("/message: literal text is only for replies the daemon sends; a broadcast names a template"));
}

TEST_F(SpecTest, TemplateProblemsNameTheVariable) {
  EXPECT_THAT(errors(R"({"audience": {}, "template": "meeting_reminder", "channels": ["sms"],
                         "variables": {"meeting.title": "ज़िला बैठक", "meeting.time": "tomorrow", "meeting.venu": "x", "name": "y"}})"),
              ElementsAre("/variables/meeting.time: expected an RFC 3339 time with a zone in the years 1970 to 2199, e.g. 2026-11-25T10:00:00+05:30",
                          "/variables/meeting.venu: the template \"meeting_reminder\" has no variable \"meeting.venu\"; did you mean \"meeting.venue\"?",
                          "/variables/name: \"name\" comes from each contact; a broadcast cannot set it",
                          "/variables/meeting.venue: missing: the template \"meeting_reminder\" requires \"meeting.venue\""));
  EXPECT_THAT(errors(R"({"audience": {}, "template": "announcement", "channels": ["sms"],
                         "variables": {"subject": "a subject far longer than thirty characters", "details": "x"}})"),
              ElementsAre("/variables/subject: is 43 characters; the template allows 30"));
  EXPECT_THAT(errors(R"({"audience": {}, "template": "announcement", "channels": ["sms"],
                         "variables": {"subject": "a\u0000b", "details": {"hi": "line one\nline two"}}})"),
              ElementsAre("/variables/subject: holds a control character (a newline, tab or NUL): a variable is one line of text",
                          "/variables/details/hi: holds a control character (a newline, tab or NUL): a variable is one line of text"));
  EXPECT_THAT(errors(R"({"audience": {}, "template": "help_reply", "channels": ["sms"]})"),
              ElementsAre("/template: template \"help_reply\" is a reply: the daemon sends it to someone who wrote, never as a broadcast"));
  SpecContext replies{&catalog_, templates::Rules{}, "1101000000000000001", PricingConfig{}, kNow, false, true};
  auto reply = parse_spec(boost::json::parse(R"({"audience": {}, "template": "help_reply", "channels": ["push"]})"), *index_, replies);
  ASSERT_TRUE(std::holds_alternative<std::vector<directory::SelectorError>>(reply)) << "the reply lane's own";
  EXPECT_EQ(std::get<std::vector<directory::SelectorError>>(reply)[0].message, "the template has no push content");
  EXPECT_THAT(errors(R"({"audience": {}, "template": "nope", "channels": ["sms"]})"),
              ElementsAre("/template: no template \"nope\"; the templates are: announcement, help_reply, meeting_cancelled, meeting_reminder, meeting_rescheduled, meeting_summons, opt_in_ack, opt_out_ack, report_reminder, rsvp_ack, which_meeting"));
}

TEST_F(SpecTest, EveryProblemHasItsPointer) {
  EXPECT_THAT(errors(R"({"audience": {"units": ["NOPE"]}, "kind": "reply", "message": {"whatsapp": ""}, "channels": ["sms", "fax", "sms"],
                         "priority": "asap", "send_at": "tomorrow", "expires_at": "2026-11-22T11:00:00Z", "extra": 1})"),
              ElementsAre("/extra: unknown key \"extra\"", "/audience/units/0: unknown unit \"NOPE\"",
                          "/channels/1: unknown channel; expected sms, whatsapp or push",
                          "/channels/2: the channel sms is listed twice",
                          "/message: literal text is only for replies the daemon sends; a broadcast names a template",
                          "/priority: expected urgent, normal or bulk",
                          "/send_at: expected an RFC 3339 time with a zone in the years 1970 to 2199, e.g. 2026-11-25T10:00:00+05:30",
                          "/expires_at: must be later than now and than send_at",
                          "/kind: not a field of a broadcast (a template names its own kind)"));
  EXPECT_THAT(errors("{}"), ElementsAre("/audience: missing: who the broadcast goes to (an audience selector)",
                                        "/channels: missing: the channel policy, e.g. [\"whatsapp\", \"sms\"]",
                                        "/template: missing: the template to send (see GET /v1/templates)"));
}

}  // namespace

namespace {

// A send_at well in the past is a mistake (a wrong date or zone), never "now".
TEST_F(SpecTest, ASendAtMoreThanFiveMinutesPastIsRefused) {
  auto at = [&](const char* when) {
    return errors(R"({"audience": {}, "template": "announcement", "variables": {"subject": "s", "details": "d"}, "channels": ["sms"], "send_at": ")" +
                  std::string(when) + "\"}");
  };
  EXPECT_THAT(at("2020-01-01T10:00:00+05:30"),
              ElementsAre("/send_at: is more than five minutes in the past (now is 2026-11-22T12:00:00Z); leave it out to send at once"));
  EXPECT_THAT(at("2026-11-22T11:54:59Z"), ::testing::SizeIs(1));
  EXPECT_THAT(at("2026-11-22T11:55:00Z"), ::testing::IsEmpty()) << "a clock a little behind";
  EXPECT_THAT(at("2026-11-22T18:00:00+05:30"), ::testing::IsEmpty());
}

TEST_F(SpecTest, PromotionalSmsIsScheduledForTenInTheMorningIst) {
  catalog_ = with_promotional_template();
  const std::string offer = R"({"audience": {"units": ["RJ"]}, "template": "membership_offer",
      "variables": {"subject": "सदस्यता", "details": "आज से"}, "channels": ["whatsapp", "sms"])";
  auto send_at = [&](const std::string& extra, const char* now) -> std::string {
    auto parsed = parse(offer + extra + "}", *parse_rfc3339(now));
    if (!std::holds_alternative<Spec>(parsed)) return "error";
    auto& spec = std::get<Spec>(parsed);
    return spec.send_at ? format_rfc3339(*spec.send_at) : "now";
  };
  EXPECT_EQ(send_at("", "2026-11-22T21:30:00+05:30"), "2026-11-23T04:30:00Z") << "after 21:00 IST: 10:00 IST the next day";
  EXPECT_EQ(send_at("", "2026-11-22T06:00:00+05:30"), "2026-11-22T04:30:00Z") << "before 10:00 IST: 10:00 the same day";
  EXPECT_EQ(send_at("", "2026-11-22T10:00:00+05:30"), "now") << "inside the window";
  EXPECT_EQ(send_at(R"(, "send_at": "2026-11-22T23:00:00+05:30")", "2026-11-22T12:00:00+05:30"), "2026-11-23T04:30:00Z");
  EXPECT_EQ(send_at(R"(, "send_at": "2026-11-22T15:00:00+05:30")", "2026-11-22T12:00:00+05:30"), "2026-11-22T09:30:00Z");
  // Without SMS in the policy nothing waits; a service template never does.
  auto whatsapp_only = offer;
  whatsapp_only.replace(whatsapp_only.find(R"(["whatsapp", "sms"])"), 19, R"(["whatsapp"])");
  EXPECT_TRUE(std::holds_alternative<Spec>(parse(whatsapp_only + "}", *parse_rfc3339("2026-11-22T23:00:00+05:30"))));
  EXPECT_FALSE(std::get<Spec>(parse(whatsapp_only + "}", *parse_rfc3339("2026-11-22T23:00:00+05:30"))).send_at);
  EXPECT_THAT(errors(offer + R"(, "expires_at": "2026-11-23T08:00:00+05:30"})", *parse_rfc3339("2026-11-22T23:00:00+05:30")),
              ElementsAre("/expires_at: must be later than 10:00 IST, when this promotional SMS may first be sent"));
}

}  // namespace
