// The whole reply story through real Kannel (fakesmsc as the phone network)
// and the WhatsApp fake: a summons to 40 mandal presidents; answers by SMS
// (a fakesmsc MO), WhatsApp text and button, and the one-tap link; the
// tally; a reminder that reaches only the silent; attendance; STOP and
// START by SMS moving a broadcast between SMS and WhatsApp; a cancellation
// notice to everyone. Who got what is counted from the providers' side.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <map>
#include <set>

#include "adapters/whatsapp_cloud/whatsapp_cloud_adapter.hpp"
#include "support/daemon_under_test.hpp"
#include "support/fake_provider.hpp"
#include "support/http_client.hpp"
#include "support/json_body.hpp"
#include "support/kannel.hpp"
#include "support/redis_server.hpp"
#include "support/utc_in.hpp"

using namespace orgcast::testing;
using namespace std::chrono_literals;
namespace json = boost::json;

namespace {

// 40 mandal presidents of one district, ten mandals in each of four blocks.
// Odd ones have WhatsApp (the summons goes there first), even ones SMS
// only; P02 and P04 read English, the rest Hindi.
std::string number_of(int n) {
  char out[16];
  std::snprintf(out, sizeof out, "91982910%04d", n);
  return out;
}

std::pair<std::string, std::string> district_of_forty() {
  std::string units = "id,parent_id,level,name,name_hi\nRJ,,state,Rajasthan,राजस्थान\nD-JAI,RJ,district,Jaipur,जयपुर\n";
  std::string contacts = "id,name,name_hi,mobile,whatsapp,language,unit_id,role,tags,app_token\n";
  for (int b = 1; b <= 4; ++b) units += "B-" + std::to_string(b) + ",D-JAI,block,Block " + std::to_string(b) + ",ब्लॉक " + std::to_string(b) + "\n";
  for (int n = 1; n <= 40; ++n) {
    const auto id = std::to_string(n);
    units += "M-" + id + ",B-" + std::to_string((n - 1) / 10 + 1) + ",mandal,Mandal " + id + ",मंडल " + id + "\n";
    contacts += "P" + id + ",Person " + id + ",व्यक्ति " + id + "," + number_of(n).substr(2) + "," + (n % 2 ? "yes" : "no") + "," +
                (n == 2 || n == 4 ? "en" : "hi") + ",M-" + id + ",president,,\n";
  }
  return {units, contacts};
}

class RepliesEndToEnd : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(kannel_installed()) << "tools/setup installs kannel and kannel-extras";
    const int port = free_port();
    const std::string base = "http://127.0.0.1:" + std::to_string(port);
    const auto secrets = temp_dir("e2e-secrets");
    kannel_ = std::make_unique<Kannel>(base + "/v1/webhooks/kannel/kannel-callback-0123456789");
    whatsapp_ = std::make_unique<FakeProvider>(
        "fake-whatsapp", std::vector<std::string>{"--token", "EAAG-test", "--app-secret", "s3cret", "--callback", base + "/v1/webhooks/whatsapp"});
    daemon_ = std::make_unique<DaemonUnderTest>(
        shared_redis_port(), unique_prefix(),
        "dispatch:\n  callback_base_url: " + base + "\n  retry_base_ms: 50\n  retry_cap_ms: 500\n"
        "replies:\n  sms_acknowledgements: false\n  batch_ms: 200\n"
        "providers:\n"
        "  - name: kannel\n    type: kannel\n    channels: [sms]\n    url: " + kannel_->sendsms_url() + "\n    username: " + Kannel::kUsername +
            "\n    password_file: " + kannel_->password_file() + "\n    callback_secret_file: " +
            secret_file(secrets, "callback", "kannel-callback-0123456789") + "\n    rate_per_second: 200\n"
        "  - name: whatsapp\n    type: whatsapp_cloud\n    channels: [whatsapp]\n    url: " + whatsapp_->url() +
            "\n    phone_number_id: \"1234567890\"\n    access_token_file: " + secret_file(secrets, "token", "EAAG-test") +
            "\n    app_secret_file: " + secret_file(secrets, "secret", "s3cret") + "\n    verify_token_file: " + secret_file(secrets, "verify", "v") + "\n",
        port);
    daemon_->start();
    ASSERT_TRUE(daemon_->wait_ready(10s)) << daemon_->process().log();
    const auto [units, contacts] = district_of_forty();
    auto imported = http_multipart(daemon_->url("/v1/directory/import"), {{"units", units}, {"contacts", contacts}});
    ASSERT_EQ(imported.status, 200) << imported.body;
    ASSERT_TRUE(eventually([&] { return daemon_->get("/readyz").body.find("\"directory_version\":1") != std::string::npos; }, 5s));
    kannel_->connect_phone_network();
  }

  // A WhatsApp message as Meta posts it, signed; `message` is the JSON of the message's own fields.
  int whatsapp_reply(const std::string& from, const std::string& message) {
    const std::string body = R"({"object":"whatsapp_business_account","entry":[{"changes":[{"value":{"messages":[{"from":")" + from +
                             R"(","id":"wamid.IN)" + std::to_string(++replies_) + R"(","timestamp":"1795400000",)" + message + "}]}}]}]}";
    return http("POST", daemon_->url("/v1/webhooks/whatsapp"), body, "application/json",
                {{"X-Hub-Signature-256", orgcast::adapters::whatsapp_signature("s3cret", body)}})
        .status;
  }
  // A broadcast's numbers on WhatsApp, from the fake's side (each as often as it got one).
  std::multiset<std::string> on_whatsapp(const std::string& broadcast) {
    std::multiset<std::string> out;
    const auto sent = json::parse(http("GET", whatsapp_->url() + "/messages").body);
    for (const auto& m : sent.as_array())
      if (m.as_object().at("biz_opaque_callback_data").as_string().starts_with(broadcast + ":")) out.insert(std::string(m.as_object().at("to").as_string()));
    return out;
  }
  // The SMS fakesmsc received from the `from`th on.
  std::vector<Kannel::Sms> sms_since(std::size_t from) {
    auto all = kannel_->messages();
    return {all.begin() + static_cast<std::ptrdiff_t>(std::min(from, all.size())), all.end()};
  }
  bool settled(const std::string& broadcast) {
    auto counts = object_of(daemon_->get("/v1/broadcasts/" + broadcast))["counts"].as_object();
    return number(counts, "queued") <= 0 && number(counts, "sending") <= 0;
  }
  json::object tally(const std::string& id) { return object_of(daemon_->get("/v1/meetings/" + id))["tally"].as_object(); }

  std::unique_ptr<Kannel> kannel_;
  std::unique_ptr<FakeProvider> whatsapp_;
  std::unique_ptr<DaemonUnderTest> daemon_;
  int replies_ = 0;
};

TEST_F(RepliesEndToEnd, SummonsAnswersReminderAttendanceConsentAndCancellation) {
  std::set<std::string> odd, even;
  for (int n = 1; n <= 40; ++n) (n % 2 ? odd : even).insert(number_of(n));

  // The summons: WhatsApp to those who have it, SMS through Kannel to the rest.
  auto made = http("POST", daemon_->url("/v1/meetings"),
                   R"({"title": {"hi": "मंडल अध्यक्ष बैठक", "en": "Mandal presidents' meeting"}, "venue": "ज़िला कार्यालय", "starts_at": ")" +
                       utc_in(48h) + R"(", "ends_at": ")" + utc_in(50h) + R"(", "organiser": "D-JAI"})");
  ASSERT_EQ(made.status, 201) << made.body << daemon_->process().log();
  auto meeting = object_of(made);
  const std::string id(meeting["id"].as_string()), summons(meeting["summons"].as_string());
  const auto code = std::to_string(meeting["code"].as_int64());
  EXPECT_EQ(number(meeting, "summoned"), 40);
  ASSERT_TRUE(eventually([&] { return settled(summons) && kannel_->messages().size() >= 20; }, 60s)) << kannel_->logs();
  const auto summons_whatsapp = on_whatsapp(summons);
  EXPECT_EQ(std::set<std::string>(summons_whatsapp.begin(), summons_whatsapp.end()), odd);
  EXPECT_EQ(summons_whatsapp.size(), 20u) << "nobody twice";
  std::map<std::string, std::string> summons_sms;
  for (const auto& m : kannel_->messages()) {
    EXPECT_FALSE(summons_sms.contains(m.to)) << "twice to " << m.to;
    summons_sms[m.to] = m.text;
  }
  EXPECT_EQ(summons_sms.size(), 20u);
  for (const auto& to : even) EXPECT_NE(summons_sms[to].find("YES " + code), std::string::npos) << to << ": " << summons_sms[to];

  // Four answers, one each way.
  kannel_->connect_phone_network(number_of(2) + " 5566 text YES " + code);  // SMS, through Kannel
  ASSERT_EQ(whatsapp_reply(number_of(1), R"("type":"text","text":{"body":"Haan ji aaunga"})"), 200);
  ASSERT_EQ(whatsapp_reply(number_of(3), R"("type":"button","button":{"payload":"NO )" + code + R"(","text":"नहीं"})"), 200);
  const auto& p4 = summons_sms[number_of(4)];
  const auto at = p4.find("/r/");
  ASSERT_NE(at, std::string::npos) << p4;
  const auto link = p4.substr(at, 3 + 16);
  for (int n = 0; n < 2; ++n) ASSERT_EQ(daemon_->get(link).status, 200);  // a preview, and the person looking: nothing recorded
  ASSERT_TRUE(eventually([&] { return number(tally(id), "yes") + number(tally(id), "no") == 3; }, 20s)) << json::serialize(tally(id));
  EXPECT_EQ(number(tally(id), "yes"), 2) << "the two GETs of the link recorded nothing";
  ASSERT_EQ(http("POST", daemon_->url(link), "answer=yes", "application/x-www-form-urlencoded").status, 200);
  auto t = tally(id);
  EXPECT_EQ(number(t, "yes"), 3);
  EXPECT_EQ(number(t, "no"), 1);
  EXPECT_EQ(number(t, "no_answer"), 36);
  EXPECT_EQ(t["by_unit"].as_array().size(), 4u) << "per block below the district: " << json::serialize(t);

  // A reminder reaches only the silent, each once.
  const auto before_reminder = kannel_->messages().size();
  auto reminded = http("POST", daemon_->url("/v1/meetings/" + id + "/remind"), "", "application/json", {{"Idempotency-Key", "e2e-remind"}});
  ASSERT_EQ(reminded.status, 202) << reminded.body;
  const std::string reminder(object_of(reminded)["reminder"].as_string());
  ASSERT_TRUE(eventually([&] { return settled(reminder) && sms_since(before_reminder).size() >= 18; }, 60s));
  auto silent_whatsapp = odd, silent_sms = even;
  for (int n : {1, 3}) silent_whatsapp.erase(number_of(n));
  for (int n : {2, 4}) silent_sms.erase(number_of(n));
  const auto reminder_whatsapp = on_whatsapp(reminder);
  EXPECT_EQ(std::set<std::string>(reminder_whatsapp.begin(), reminder_whatsapp.end()), silent_whatsapp);
  EXPECT_EQ(reminder_whatsapp.size(), 18u);
  std::multiset<std::string> reminder_sms;
  for (const auto& m : sms_since(before_reminder)) reminder_sms.insert(m.to);
  EXPECT_EQ(std::set<std::string>(reminder_sms.begin(), reminder_sms.end()), silent_sms);
  EXPECT_EQ(reminder_sms.size(), 18u);

  // Attendance: P1 said yes and came, P5 came without answering, P2 said yes and did not.
  auto came = http("POST", daemon_->url("/v1/meetings/" + id + "/attendance"), R"({"mobiles": ["+)" + number_of(1) + R"(", "+)" + number_of(5) + R"("]})");
  ASSERT_EQ(came.status, 200) << came.body;
  auto attendance = object_of(daemon_->get("/v1/meetings/" + id + "/attendance"));
  EXPECT_EQ(number(attendance, "came"), 2) << json::serialize(attendance);
  EXPECT_EQ(number(attendance, "said_yes_and_came"), 1);
  EXPECT_EQ(number(attendance, "said_yes_but_absent"), 2);
  EXPECT_EQ(number(attendance, "came_without_answering"), 1);

  // STOP by SMS: P5's next broadcast (SMS first) skips SMS and reaches them on WhatsApp; START brings SMS back.
  auto announce = [&] {
    auto posted = http("POST", daemon_->url("/v1/broadcasts"), R"({"audience": {"units": ["M-5"]}, "template": "announcement",
        "variables": {"subject": "बैठक", "details": "कल 10 बजे"}, "channels": ["sms", "whatsapp"]})");
    EXPECT_EQ(posted.status, 202) << posted.body;
    return std::string(object_of(posted)["id"].as_string());
  };
  kannel_->connect_phone_network(number_of(5) + " 5566 text STOP");
  ASSERT_TRUE(eventually([&] { return daemon_->get("/v1/inbound?outcome=opted_out").body.find(number_of(5)) != std::string::npos; }, 20s));
  auto before = kannel_->messages().size();
  const auto stopped = announce();
  ASSERT_TRUE(eventually([&] { return settled(stopped) && on_whatsapp(stopped).size() == 1; }, 30s));
  EXPECT_EQ(on_whatsapp(stopped).count(number_of(5)), 1u) << "opted out of SMS: reached on WhatsApp";
  EXPECT_TRUE(sms_since(before).empty()) << "no SMS after STOP";
  kannel_->connect_phone_network(number_of(5) + " 5566 text START");
  ASSERT_TRUE(eventually([&] { return daemon_->get("/v1/inbound?outcome=opted_in").body.find(number_of(5)) != std::string::npos; }, 20s))
      << daemon_->get("/v1/inbound").body << kannel_->logs().substr(0, 20000);
  before = kannel_->messages().size();
  const auto started = announce();
  ASSERT_TRUE(eventually([&] { return settled(started) && !sms_since(before).empty(); }, 30s))
      << daemon_->get("/v1/broadcasts/" + started).body << daemon_->get("/v1/broadcasts/" + started + "/recipients").body;
  EXPECT_EQ(sms_since(before).front().to, number_of(5)) << "START: SMS again";
  EXPECT_TRUE(on_whatsapp(started).empty());

  // Cancelled: a notice to all 40, each once, on their channel.
  before = kannel_->messages().size();
  auto cancelled = http("POST", daemon_->url("/v1/meetings/" + id + "/cancel"), R"({"reason": "चुनाव आयोग की बैठक"})");
  ASSERT_EQ(cancelled.status, 202) << cancelled.body;
  const std::string notice(object_of(cancelled)["notice"].as_string());
  ASSERT_TRUE(eventually([&] { return settled(notice) && sms_since(before).size() >= 20; }, 60s));
  EXPECT_EQ(on_whatsapp(notice).size(), 20u);
  std::set<std::string> notice_sms;
  for (const auto& m : sms_since(before)) EXPECT_TRUE(notice_sms.insert(m.to).second) << "twice to " << m.to;
  EXPECT_EQ(notice_sms, even);
}

}  // namespace
