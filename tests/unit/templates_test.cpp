// Template files: the shipped examples load, every kind of mistake is
// reported with its file and line, and rendering is plain substitution.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/text.hpp"
#include "core/utc_time.hpp"
#include "sms/dlt_match.hpp"
#include "sms/segments.hpp"
#include "support/sample_index.hpp"
#include "templates/contact_values.hpp"
#include "templates/link_check.hpp"
#include "templates/loader.hpp"
#include "templates/render.hpp"

using namespace orgcast::templates;
using ::testing::HasSubstr;

namespace {

// A valid template; the table below breaks one thing at a time.
const std::string kValid = R"(id: notice
kind: announcement
dlt_category: service
variables:
  - {name: name, example: Ramesh, max_length: 20}
  - {name: subject, required: true, example: Drive, max_length: 30}
  - {name: meeting.time, type: time, required: true, example: "2026-11-25T10:00:00+05:30"}
sms:
  hi:
    sender: ORGCST
    dlt_template_id: "1107000000000000001"
    text: "{{name}} जी, {{subject}} {{meeting.time|date}} को। -कार्यालय"
    registered: "{#var#} जी, {#var#} {#var#} को। -कार्यालय"
  en:
    sender: ORGCST
    dlt_template_id: "1107000000000000002"
    text: "Dear {{name}}, {{subject}} on {{meeting.time|date}}. -Office"
    registered: "Dear {#var#}, {#var#} on {#var#}. -Office"
whatsapp:
  hi: {template: notice, language: hi, body: "नमस्ते {{1}}: {{2}}", parameters: [name, subject]}
  en: {template: notice, language: en, body: "Hello {{1}}: {{2}}", parameters: [name, subject]}
push:
  hi: {title: "{{subject}}", body: "{{name}} जी"}
  en: {title: "{{subject}}", body: "Dear {{name}}"}
)";

std::string replaced(std::string text, const std::string& from, const std::string& to) {
  auto at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

TEST(Templates, ShippedExamplesAreValid) {
  auto loaded = load_templates(ORGCAST_SOURCE_DIR "/templates", Rules{});
  for (const auto& e : loaded.errors) ADD_FAILURE() << e.to_string();
  EXPECT_EQ(loaded.catalog.by_id.size(), 11u);
  for (const char* id : {"announcement", "meeting_summons", "meeting_reminder", "rsvp_ack", "help_reply", "opt_out_ack", "opt_in_ack",
                         "which_meeting", "meeting_cancelled", "meeting_rescheduled", "report_reminder"})
    EXPECT_NE(loaded.catalog.find(id), nullptr) << id;
  const auto& summons = *loaded.catalog.find("meeting_summons")->value;
  EXPECT_EQ(summons.kind, Kind::summons);
  EXPECT_TRUE(summons.sms.contains("hi") && summons.sms.contains("en"));
  EXPECT_EQ(summons.whatsapp.at("hi").parameters.size(), 4u);
}

// The shipped summons writes its reply link as registered (the example
// host, up to /r/, then the token): no warning until the deployment's link
// address differs; a link given whole as a variable is warned of (a URL
// written in the text is in the registered text: the loader checks they match).
TEST(Templates, LinksInSmsAreCheckedAgainstDltAndTheLinkAddress) {
  auto loaded = load_templates(ORGCAST_SOURCE_DIR "/templates", Rules{});
  EXPECT_THAT(link_warnings(loaded.catalog, ""), ::testing::IsEmpty());
  EXPECT_THAT(link_warnings(loaded.catalog, "https://orgcast.example.org"), ::testing::IsEmpty());
  auto moved = link_warnings(loaded.catalog, "https://sangathan.example.in");
  ASSERT_EQ(moved.size(), 2u) << "the summons' Hindi and English SMS";
  EXPECT_THAT(moved[0].to_string(), HasSubstr("meeting_summons.yaml:"));
  EXPECT_THAT(moved[0].message, HasSubstr("goes to https://orgcast.example.org/r/ but the links' base (replies.link_base_url, else dispatch.callback_base_url) is https://sangathan.example.in"));

  auto with_variables = replaced(kValid, "variables:\n", "variables:\n  - {name: meeting.link, example: \"https://x.example/r/AAAA\", default: \"\", max_length: 30}\n");
  auto linked = replaced(replaced(with_variables, "को। -कार्यालय\"", "को। {{meeting.link}} -कार्यालय\""), "को। -कार्यालय\"",
                         "को। {#var#} -कार्यालय\"");
  auto whole = parse_template(linked, "notice.yaml", Rules{});
  for (const auto& e : whole.errors) ADD_FAILURE() << e.to_string();
  ASSERT_TRUE(whole.value);
  Catalog one;
  one.by_id["notice"] = {std::make_shared<Template>(*whole.value), ""};
  auto warned = link_warnings(one, "");
  ASSERT_EQ(warned.size(), 1u);
  EXPECT_THAT(warned[0].message, HasSubstr("sms.hi: gives the link whole as {{meeting.link}}"));
}

TEST(Templates, ValidOneLoads) {
  auto parsed = parse_template(kValid, "notice.yaml", Rules{});
  for (const auto& e : parsed.errors) ADD_FAILURE() << e.to_string();
  ASSERT_TRUE(parsed.value);
  EXPECT_EQ(parsed.value->variables.size(), 3u);
}

TEST(Templates, MistakesNameFileLineAndProblem) {
  struct Row {
    const char* what;
    std::string yaml;
    int line;
    const char* message;
  } rows[] = {
      {"unknown variable", replaced(kValid, "{{subject}} {{meeting", "{{subjct}} {{meeting"), 12, "unknown variable \"subjct\"; did you mean \"subject\"?"},
      {"WhatsApp parameter count", replaced(kValid, "parameters: [name, subject]}\n  en", "parameters: [name]}\n  en"), 20,
       "the approved body has 2 parameter(s) but 1 are given"},
      {"SMS without a DLT template id", replaced(kValid, "    dlt_template_id: \"1107000000000000001\"\n", ""), 10, "dlt_template_id: missing"},
      {"text not the registered text", replaced(kValid, "को। -कार्यालय\"\n    registered", "को -कार्यालय\"\n    registered"), 12,
       "text differs from the registered DLT text at character"},
      {"a variable longer than DLT allows", replaced(kValid, "example: Drive, max_length: 30", "example: Drive, max_length: 40"), 12,
       "{{subject}} can be 40 characters; DLT allows 30 per variable"},
      {"a whole Hindi time is too long for DLT", replaced(kValid, "{{meeting.time|date}} को", "{{meeting.time}} को"), 12,
       "use {{meeting.time|date}} and {{meeting.time|clock}}"},
      {"English missing", replaced(kValid, "  en: {title", "  mr: {title"), 22, "push: no content in \"en\""},
      {"a |date on a text variable", replaced(kValid, "Dear {{name}}, {{subject}} on", "Dear {{name|date}}, {{subject}} on"), 17,
       "only a time variable takes |date or |clock"},
      {"a required variable with a default", replaced(kValid, "required: true, example: Drive", "required: true, default: x, example: Drive"), 6,
       "a required variable has no default"},
      {"a bad sender header", replaced(kValid, "sender: ORGCST\n    dlt_template_id: \"1107000000000000001\"", "sender: orgcast\n    dlt_template_id: \"1107000000000000001\""), 10,
       "a DLT header is 6 capital letters"},
      {"an unknown key", replaced(kValid, "dlt_category:", "dlt_categroy:"), 3, "unknown key \"dlt_categroy\"; did you mean \"dlt_category\"?"},
      {"not YAML", replaced(kValid, "kind: announcement", "kind: [announcement"), 3, "not valid YAML"},
  };
  for (const auto& row : rows) {
    SCOPED_TRACE(row.what);
    auto parsed = parse_template(row.yaml, "notice.yaml", Rules{});
    EXPECT_FALSE(parsed.value);
    ASSERT_FALSE(parsed.errors.empty());
    bool found = false;
    for (const auto& e : parsed.errors) found |= e.to_string().find(row.message) != std::string::npos;
    EXPECT_TRUE(found) << parsed.errors.front().to_string();
    EXPECT_EQ(parsed.errors.front().file, "notice.yaml");
    EXPECT_EQ(parsed.errors.front().line, row.line) << parsed.errors.front().to_string();
  }
}

TEST(Templates, SegmentLimitCountsEveryVariableAtItsLongest) {
  Rules one_segment;
  one_segment.max_sms_segments = 1;
  auto parsed = parse_template(kValid, "notice.yaml", one_segment);
  ASSERT_FALSE(parsed.errors.empty());
  EXPECT_THAT(parsed.errors.front().to_string(),
              HasSubstr("notice.yaml:12: sms.hi: with every variable at its maximum length the text is 2 UCS-2 segments; at most 1"));
  // English stays within one GSM-7 segment: no error names it.
  for (const auto& e : parsed.errors) EXPECT_THAT(e.message, ::testing::Not(HasSubstr("sms.en")));
}

struct Fixture {
  Template t = *parse_template(kValid, "notice.yaml", Rules{}).value;
  BoundValues bound;
  ContactValues contact{"रमेश कुमार", "अध्यक्ष", "अजमेर", "अजमेर"};
  Fixture() {
    bound.text.resize(3);
    bound.times.resize(3);
    bound.text[1] = "सदस्यता अभियान";
    bound.times[2] = orgcast::parse_rfc3339("2026-11-25T10:00:00+05:30");
  }
};

TEST(TemplateRendering, SubstitutesAndWritesTimesInTheLanguage) {
  Fixture f;
  auto sms = render(f.t, orgcast::adapters::Channel::sms, "hi", f.bound, f.contact);
  EXPECT_EQ(sms.text, "रमेश कुमार जी, सदस्यता अभियान बुधवार, 25 नवंबर 2026 को। -कार्यालय");
  EXPECT_EQ(sms.dlt_template_id, "1107000000000000001");
  EXPECT_EQ(sms.sender, "ORGCST");
  EXPECT_EQ(orgcast::sms::check_dlt(f.t.sms.at("hi").dlt, sms.text), "");
  auto en = render(f.t, orgcast::adapters::Channel::sms, "en", f.bound, {"Ramesh", "", "", ""});
  EXPECT_EQ(en.text, "Dear Ramesh, सदस्यता अभियान on Wednesday, 25 November 2026. -Office");
  auto wa = render(f.t, orgcast::adapters::Channel::whatsapp, "hi", f.bound, f.contact);
  EXPECT_EQ(wa.whatsapp_name, "notice");
  EXPECT_EQ(wa.parameters, (std::vector<std::string>{"रमेश कुमार", "सदस्यता अभियान"}));
  EXPECT_EQ(wa.text, "नमस्ते रमेश कुमार: सदस्यता अभियान");
  auto push = render(f.t, orgcast::adapters::Channel::push, "en", f.bound, {"Ramesh", "", "", ""});
  EXPECT_EQ(push.title, "सदस्यता अभियान");
  EXPECT_EQ(push.text, "Dear Ramesh");
}

TEST(TemplateRendering, ValuesCannotChangeTheStructure) {
  Fixture f;
  f.bound.text[1] = "{{name}} {#var#}\nline two\t end";
  auto sms = render(f.t, orgcast::adapters::Channel::sms, "en", f.bound, {"{{subject}}", "", "", ""});
  EXPECT_EQ(sms.text, "Dear {{subject}}, {{name}} {#var#} line two end on Wednesday, 25 November 2026. -Office");
  EXPECT_EQ(orgcast::sms::check_dlt(f.t.sms.at("en").dlt, sms.text), "");
}

TEST(TemplateRendering, ContactValuesAreShortenedWithoutBreakingALetter) {
  EXPECT_EQ(clean_value("abcdef", 4), "abcd");
  EXPECT_EQ(clean_value("  a   b  ", 10), "a b");
  // क्षि: क, virama, ष, vowel sign i. Cut after 3 code points would leave क्ष without its ि: drop ष too.
  EXPECT_EQ(clean_value("अक्षिता", 4), "अ");
  EXPECT_EQ(clean_value("रमेश", 2), "र");     // ेश: the matra belongs to म
  EXPECT_EQ(clean_value("रमेश", 3), "रमे");
  EXPECT_EQ(orgcast::characters("रमेश"), 4u);
  Fixture f;
  auto sms = render(f.t, orgcast::adapters::Channel::sms, "hi", f.bound, {std::string(40, 'x'), "", "", ""});
  EXPECT_EQ(sms.text.substr(0, 21), std::string(20, 'x') + " ");  // name's max_length is 20
}

TEST(TemplateRendering, LanguageFallsBackToTheDefault) {
  Fixture f;
  EXPECT_EQ(choose_language(f.t, orgcast::adapters::Channel::sms, "en", "hi"), "en");
  EXPECT_EQ(choose_language(f.t, orgcast::adapters::Channel::sms, "mr", "hi"), "hi");
  EXPECT_EQ(choose_language(f.t, orgcast::adapters::Channel::push, "", "en"), "en");
}

TEST(ContactVariables, NameRoleUnitAndPathInTheLanguage) {
  auto index = orgcast::fixtures::sample_index();
  orgcast::directory::ContactView c;
  c.name = "Mohan Lal";
  c.name_hi = "मोहन लाल";
  c.role = "general_secretary";
  c.unit_id = "BT-1";
  const ContactNeeds all{true, true, true, true};
  EXPECT_EQ(contact_values(c, "hi", all, &index->units()),
            (ContactValues{"मोहन लाल", "महामंत्री", "बूथ 1", "बूथ 1, सांगानेर मंडल 1, सांगानेर, जयपुर"}));
  EXPECT_EQ(contact_values(c, "en", all, &index->units()),
            (ContactValues{"Mohan Lal", "General secretary", "Booth 1", "Booth 1, Sanganer Mandal 1, Sanganer, Jaipur"}));
  // Only what the template uses is computed.
  EXPECT_EQ(contact_values(c, "hi", ContactNeeds{true, false, false, false}, &index->units()), (ContactValues{"मोहन लाल", "", "", ""}));
  c.unit_id = "RJ";  // the root: its own name
  EXPECT_EQ(contact_values(c, "en", all, &index->units())[3], "Rajasthan");
  c.name_hi = "";  // no Hindi name: the name as written
  EXPECT_EQ(contact_values(c, "hi", all, &index->units())[0], "Mohan Lal");
  EXPECT_EQ(role_name("booth_level_agent", "en"), "Booth level agent");
  EXPECT_EQ(role_name("district_coordinator", "hi"), "District coordinator");
}

TEST(TemplateTimes, LongestForms) {
  // "शुक्रवार, 30 दिसंबर 2026" style dates fit DLT's 30; whole Hindi times do not.
  EXPECT_LE(longest_time(TimePart::date, "hi"), 30u);
  EXPECT_LE(longest_time(TimePart::clock, "hi"), 30u);
  EXPECT_GT(longest_time(TimePart::full, "hi"), 30u);
  EXPECT_EQ(longest_time(TimePart::clock, "en"), std::string("12:30 PM IST").size());
}

}  // namespace
