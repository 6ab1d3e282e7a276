// Templates end to end: each recipient gets the template in their
// language with their name, SMS with the DLT fields, WhatsApp as an approved
// template with its parameters; previews render and price; the estimate
// before sending equals the cost reported after; invalid templates stop the
// start and a reload keeps the valid set.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>

#include "integration/dispatch_fixture.hpp"

using namespace orgcast::testing;
using namespace std::chrono_literals;
using ::testing::HasSubstr;

namespace {

const std::string kMeetingVariables =
    R"("variables": {"meeting.title": "ज़िला बैठक", "meeting.venue": "ज़िला कार्यालय", "meeting.time": "2026-11-25T10:00:00+05:30"})";

// The provider's copy of the message sent to `to`.
json::object sent_to(const json::array& messages, const std::string& to) {
  for (const auto& m : messages)
    if (m.as_object().at("to").as_string() == to) return m.as_object();
  ADD_FAILURE() << "nothing was sent to " << to;
  return {};
}

class TemplateTest : public DispatchTest {
 protected:
  json::array sim_messages() { return json::parse(http("GET", sim_->url("/messages")).body).as_array(); }
  json::object post_json(const std::string& path, const std::string& body, int expected = 200) {
    auto r = http("POST", daemon_->url(path), body);
    EXPECT_EQ(r.status, expected) << r.body;
    return r.status == expected ? json::parse(r.body).as_object() : json::object{};
  }
};

TEST_F(TemplateTest, SmsInEachRecipientsLanguageWithDltFieldsAndTheEstimateIsTheCost) {
  start({"--report-delay-ms", "20"});
  const std::string audience = R"("template": "meeting_reminder", "channels": ["sms"], )" + kMeetingVariables;
  auto preview = post_json("/v1/audiences/preview", R"({"selector": {"units": ["RJ"]}, )" + audience + "}");
  EXPECT_EQ(preview["count"].as_int64(), 11);
  auto estimate = preview["estimate"].as_object();
  EXPECT_EQ(estimate["by_channel"].as_object()["sms"].as_object()["messages"].as_int64(), 11);

  auto id = post(R"({"audience": {"units": ["RJ"]}, )" + audience + "}");
  ASSERT_TRUE(eventually([&] { return count(id, "delivered") == 11; }, 15s)) << json::serialize(info(id));
  auto messages = sim_messages();
  ASSERT_EQ(messages.size(), 11u);
  auto ramesh = sent_to(messages, "+919829000001");  // Hindi
  EXPECT_EQ(ramesh["text"].as_string(),
            "रमेश शर्मा जी, याद दिला दें: ज़िला बैठक बुधवार, 25 नवंबर 2026 को सुबह 10:00 बजे, ज़िला कार्यालय। "
            "कृपया YES या NO भेजें। -संगठन कार्यालय");
  EXPECT_EQ(ramesh["language"].as_string(), "hi");
  EXPECT_EQ(ramesh["dlt"].as_object()["template_id"].as_string(), "1107172300000000031");
  EXPECT_EQ(ramesh["dlt"].as_object()["sender"].as_string(), "ORGCST");
  auto anita = sent_to(messages, "+919829000003");  // English
  EXPECT_EQ(anita["text"].as_string(),
            "Reminder, Anita Gupta: ज़िला बैठक on Wednesday, 25 November 2026, 10:00 AM IST at ज़िला कार्यालय. "
            "Please reply YES or NO. -Party Office");
  EXPECT_EQ(anita["dlt"].as_object()["template_id"].as_string(), "1107172300000000032");

  // What was sent cost what the estimate said.
  auto cost = info(id)["cost"].as_object();
  EXPECT_EQ(cost["currency"].as_string(), "INR");
  EXPECT_EQ(cost["sms_segments"].as_int64(), estimate["by_channel"].as_object()["sms"].as_object()["segments"].as_int64());
  EXPECT_GE(cost["sms_segments"].as_int64(), 22) << "a Hindi reminder is longer than one UCS-2 segment";
  EXPECT_EQ(cost["total"], estimate["total"]);
  EXPECT_NEAR(std::stod(std::string(cost["total"].as_string())), 0.13 * cost["sms_segments"].to_number<double>(), 1e-9);
}

TEST_F(TemplateTest, WhatsAppIsTheApprovedTemplateWithItsParameters) {
  start({"--report-delay-ms", "20"});
  auto id = post(R"({"audience": {"units": ["RJ"]}, "template": "meeting_reminder", "channels": ["whatsapp"], )" + kMeetingVariables + "}");
  ASSERT_TRUE(eventually([&] { return count(id, "delivered") == 8; }, 15s)) << json::serialize(info(id));
  auto anita = sent_to(sim_messages(), "+919829000003");
  auto t = anita["template"].as_object();
  EXPECT_EQ(t["name"].as_string(), "meeting_reminder");
  EXPECT_EQ(t["language"].as_string(), "en");
  EXPECT_EQ(json::serialize(t["parameters"]),
            R"(["Anita Gupta","ज़िला बैठक","Wednesday, 25 November 2026, 10:00 AM IST","ज़िला कार्यालय"])");
  EXPECT_EQ(info(id)["cost"].as_object()["total"].as_string(), "0.92") << "8 x 0.115";
}

TEST_F(TemplateTest, PreviewsRenderEveryVariantOrOneContact) {
  start({});
  auto listed = json::parse(daemon_->get("/v1/templates").body).as_object()["templates"].as_array();
  EXPECT_EQ(listed.size(), 11u);
  // One template, with its texts as registered: what a scheduler fills.
  auto one = daemon_->get("/v1/templates/meeting_summons");
  ASSERT_EQ(one.status, 200) << one.body;
  auto summons = json::parse(one.body).as_object();
  EXPECT_EQ(summons["kind"].as_string(), "summons");
  EXPECT_TRUE(summons["texts"].as_object()["sms"].as_object().contains("hi")) << one.body;
  EXPECT_FALSE(summons["texts"].as_object()["whatsapp"].as_object().empty());
  EXPECT_EQ(daemon_->get("/v1/templates/no_such").status, 404);

  auto samples = post_json("/v1/templates/meeting_summons/preview", "{}");
  auto variants = samples["variants"].as_array();
  ASSERT_EQ(variants.size(), 6u) << "sms, whatsapp and push, each in hi and en";
  EXPECT_EQ(variants[0].as_object()["language"].as_string(), "en");  // per channel, languages in order: en, hi
  auto sms = variants[1].as_object();
  EXPECT_EQ(sms["language"].as_string(), "hi");
  EXPECT_EQ(sms["channel"].as_string(), "sms");
  EXPECT_EQ(sms["encoding"].as_string(), "UCS-2");
  EXPECT_EQ(sms["dlt_check"].as_string(), "passes");
  EXPECT_THAT(std::string(sms["text"].as_string()), HasSubstr("रमेश कुमार जी, ज़िला कार्यसमिति की बैठक"));
  EXPECT_NEAR(std::stod(std::string(sms["cost"].as_string())), 0.13 * sms["segments"].to_number<double>(), 1e-9);

  auto contact = post_json("/v1/templates/announcement/preview",
                           R"({"contact": "C3", "variables": {"subject": "Membership drive", "details": "from Monday"}, "channels": ["sms", "push"]})");
  auto v = contact["variants"].as_array();
  ASSERT_EQ(v.size(), 2u);
  EXPECT_EQ(v[0].as_object()["text"].as_string(), "Dear Anita Gupta, Membership drive: from Monday. -Party Office");
  EXPECT_EQ(v[0].as_object()["encoding"].as_string(), "GSM-7");
  EXPECT_EQ(v[0].as_object()["segments"].as_int64(), 1);
  EXPECT_EQ(v[1].as_object()["title"].as_string(), "Membership drive");

  auto bad = http("POST", daemon_->url("/v1/templates/announcement/preview"), R"({"variables": {"subjet": "x"}, "contact": "C99"})");
  EXPECT_EQ(bad.status, 400);
  EXPECT_THAT(bad.body, HasSubstr(R"("pointer":"/contact")"));
  EXPECT_EQ(http("POST", daemon_->url("/v1/templates/nope/preview"), "{}").status, 404);
}

TEST(TemplateFiles, InvalidTemplatesStopTheStartAndAReloadKeepsTheValidSet) {
  namespace fs = std::filesystem;
  const auto dir = temp_dir("templates");
  fs::copy_file(ORGCAST_SOURCE_DIR "/templates/announcement.yaml", dir + "/announcement.yaml");
  {
    std::ofstream broken(dir + "/broken.yaml");
    broken << "id: broken\nkind: announcement\ndlt_category: service\nsms:\n  hi:\n    text: \"{{nobody}}\"\n";
  }
  const std::string section = "templates:\n  dir: " + dir + "\n";
  DaemonUnderTest refused(shared_redis_port(), unique_prefix(), section);
  auto run = run_command({build_dir() + "/orgcastd", "--config", refused.config_path()}, 20s);
  EXPECT_EQ(run.code, 1);
  EXPECT_THAT(run.output, HasSubstr("broken.yaml:6: sms.hi: text: unknown variable \"nobody\""));
  EXPECT_THAT(run.output, HasSubstr("broken.yaml:6: sms.hi: dlt_template_id: missing"));
  EXPECT_THAT(run.output, HasSubstr("broken.yaml:4: sms: no content in \"en\""));
  // The same checks offline.
  auto check = run_command({build_dir() + "/orgcast", "templates", "check", "--dir", dir}, 20s);
  EXPECT_EQ(check.code, 1);
  EXPECT_THAT(check.output, HasSubstr(dir + "/broken.yaml:6: sms.hi: text: unknown variable \"nobody\""));
  auto shipped = run_command({build_dir() + "/orgcast", "templates", "check", "--dir", ORGCAST_SOURCE_DIR "/templates"}, 20s);
  EXPECT_EQ(shipped.code, 0) << shipped.output;
  EXPECT_THAT(shipped.output, HasSubstr("valid: 11 template(s)"));

  fs::remove(dir + "/broken.yaml");
  DaemonUnderTest daemon(shared_redis_port(), unique_prefix(), section);
  daemon.start();
  ASSERT_TRUE(daemon.wait_ready(10s)) << daemon.process().log();
  auto ids = [&] {
    std::string out;
    const auto listed = json::parse(daemon.get("/v1/templates").body);
    for (const auto& t : listed.as_object().at("templates").as_array())
      out += std::string(t.as_object().at("id").as_string()) + " ";
    return out;
  };
  EXPECT_EQ(ids(), "announcement ");
  // A valid addition is taken on reload...
  fs::copy_file(ORGCAST_SOURCE_DIR "/templates/help_reply.yaml", dir + "/help_reply.yaml");
  daemon.process().signal(SIGHUP);
  EXPECT_TRUE(eventually([&] { return ids() == "announcement help_reply "; }, 5s)) << ids();
  // ...a broken one refuses the whole reload.
  fs::copy_file(ORGCAST_SOURCE_DIR "/templates/rsvp_ack.yaml", dir + "/rsvp_ack.yaml");
  std::ofstream(dir + "/broken.yaml") << "id: [\n";
  daemon.process().signal(SIGHUP);
  EXPECT_TRUE(eventually([&] { return daemon.process().log().find("reload refused: the templates in force are kept") != std::string::npos; }, 5s));
  EXPECT_EQ(ids(), "announcement help_reply ");
}

}  // namespace
