// Automatic replies, end to end through the reply lane: an answer is
// acknowledged once, in the person's language, on the channel they used,
// and answers that arrive together are acknowledged by one broadcast;
// HELP is answered, anything unrecognised helped once a day, a YES without
// a code that could be for two meetings asked "which?"; a STOP is confirmed
// though the number just opted out; repeats, robots' auto-replies and
// strangers get nothing. Replies come as signed WhatsApp webhooks; what the
// daemon sends is read from fake-whatsapp's side.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <set>

#include "support/daemon_under_test.hpp"
#include "support/fake_provider.hpp"
#include "support/http_client.hpp"
#include "support/json_body.hpp"
#include "support/utc_in.hpp"
#include "support/provider_sim_process.hpp"
#include "support/whatsapp_and_sms.hpp"

using namespace orgcast::testing;
using namespace std::chrono_literals;
namespace json = boost::json;

namespace {

class AutoReplies : public ::testing::Test {
 protected:
  void SetUp() override {
    rig_.start(prefix_, "replies:\n  batch_ms: 200\n");
    daemon_ = rig_.daemon.get();
  }
  int reply(const std::string& from, const std::string& text) { return rig_.reply(from, text); }
  /// A meeting for RJ whose summons goes by SMS only (WhatsApp then carries only the replies); {id, code}.
  std::pair<std::string, long long> meeting(int hours_ahead = 48) {
    auto made = http("POST", daemon_->url("/v1/meetings"),
                     R"({"title": {"hi": "ज़िला कार्यसमिति की बैठक", "en": "District executive meeting"}, "venue": "ज़िला कार्यालय", "starts_at": ")" +
                         utc_in(std::chrono::hours(hours_ahead)) + R"(", "ends_at": ")" + utc_in(std::chrono::hours(hours_ahead + 2)) +
                         R"(", "organiser": "RJ", "channels": ["sms"]})");
    EXPECT_EQ(made.status, 201) << made.body;
    auto m = object_of(made);
    return {std::string(m["id"].as_string()), m["code"].as_int64()};
  }
  /// What fake-whatsapp was asked to send to `to` (digits), as {text, reference}.
  std::vector<std::pair<std::string, std::string>> sent_to(const std::string& to) {
    std::vector<std::pair<std::string, std::string>> out;
    const auto all = json::parse(http("GET", rig_.whatsapp->url() + "/messages").body);
    for (const auto& m : all.as_array()) {
      const auto& o = m.as_object();
      if (o.at("to").as_string() != to || !o.contains("text")) continue;
      out.emplace_back(std::string(o.at("text").as_object().at("body").as_string()), std::string(o.at("biz_opaque_callback_data").as_string()));
    }
    return out;
  }
  /// Waits until `to` got `n` messages, then a little longer for any extra one.
  std::vector<std::pair<std::string, std::string>> settled(const std::string& to, std::size_t n) {
    eventually([&] { return sent_to(to).size() >= n; }, 10s);
    std::this_thread::sleep_for(800ms);  // four lane intervals: time for a wrong extra reply to show
    return sent_to(to);
  }

  std::string prefix_ = unique_prefix();
  WhatsAppAndSms rig_;
  DaemonUnderTest* daemon_ = nullptr;
};

TEST_F(AutoReplies, AnAnswerIsAcknowledgedOnceInThePersonsLanguageAndTogetherInOneBroadcast) {
  auto [id, code] = meeting();
  const auto with_code = std::to_string(code);
  // Five answers within one lane interval; Ramesh's webhook is delivered twice.
  ASSERT_EQ(reply("919829000001", "YES " + with_code), 200);
  ASSERT_EQ(reply("919829000003", "no " + with_code), 200);
  for (const char* who : {"919829000004", "919829000006", "919829000008"}) ASSERT_EQ(reply(who, "haan " + with_code), 200);
  const std::string again = R"({"object":"whatsapp_business_account","entry":[{"changes":[{"value":{"messages":[{"from":"919829000001","id":"wamid.IN1","timestamp":"1","type":"text","text":{"body":"YES )" + with_code + R"("}}]}}]}]})";
  ASSERT_EQ(http("POST", daemon_->url("/v1/webhooks/whatsapp"), again, "application/json",
                 {{"X-Hub-Signature-256", orgcast::adapters::whatsapp_signature("s3cret", again)}})
                .status,
            200);

  const auto ramesh = settled("919829000001", 1);
  ASSERT_EQ(ramesh.size(), 1u) << "acknowledged once, though the webhook came twice";
  EXPECT_EQ(ramesh[0].first, "धन्यवाद रमेश शर्मा जी, ज़िला कार्यसमिति की बैठक के लिए आपका उत्तर \"आऊँगा\" दर्ज हो गया है।");
  const auto anita = settled("919829000003", 1);
  ASSERT_EQ(anita.size(), 1u);
  EXPECT_EQ(anita[0].first, "Thank you Anita Gupta, your answer \"not attending\" for District executive meeting is recorded.");
  // The three YES answers that came together went out as one broadcast (one reference prefix).
  std::set<std::string> broadcasts;
  for (const char* who : {"919829000004", "919829000006", "919829000008"}) {
    auto got = settled(who, 1);
    ASSERT_EQ(got.size(), 1u) << who;
    broadcasts.insert(got[0].second.substr(0, got[0].second.find(':')));
  }
  EXPECT_EQ(broadcasts.size(), 1u) << "one broadcast for the same acknowledgement, not one per reply";
  auto tally = object_of(daemon_->get("/v1/meetings/" + id))["tally"].as_object();
  EXPECT_EQ(number(tally, "yes"), 4);
  EXPECT_EQ(number(tally, "no"), 1);
}

TEST_F(AutoReplies, HelpOnceADayForTheUnrecognisedAndWhichMeetingForAnAmbiguousYes) {
  ASSERT_EQ(reply("919829000004", "HELP"), 200);
  auto help = settled("919829000004", 1);
  ASSERT_EQ(help.size(), 1u);
  EXPECT_NE(help[0].first.find("मोहन लाल जी, बैठक के उत्तर के लिए YES या NO"), std::string::npos) << help[0].first;

  ASSERT_EQ(reply("919829000006", "kya haal hai"), 200);
  ASSERT_EQ(reply("919829000006", "kal milte hain"), 200);
  EXPECT_EQ(settled("919829000006", 1).size(), 1u) << "help for the unrecognised at most once a day";

  auto first = meeting(48), second = meeting(72);
  ASSERT_EQ(reply("919829000010", "YES"), 200);
  auto which = settled("919829000010", 1);
  ASSERT_EQ(which.size(), 1u);
  EXPECT_NE(which[0].first.find("(" + std::to_string(first.second) + ", " + std::to_string(second.second) + ")"), std::string::npos)
      << which[0].first;
  EXPECT_EQ(number(object_of(daemon_->get("/v1/meetings/" + first.first))["tally"].as_object(), "yes"), 0) << "not counted until it says which";
}

TEST_F(AutoReplies, AStopIsConfirmedThoughTheNumberJustOptedOutAndAStartToo) {
  ASSERT_EQ(reply("919829000001", "STOP"), 200);
  auto stopped = settled("919829000001", 1);
  ASSERT_EQ(stopped.size(), 1u);
  EXPECT_EQ(stopped[0].first, "रमेश शर्मा जी, अब आपको WhatsApp पर संदेश नहीं भेजे जाएँगे। फिर शुरू करने के लिए START भेजें।");
  // A broadcast on WhatsApp now skips him.
  auto posted = http("POST", daemon_->url("/v1/broadcasts"),
                     R"({"audience": {"units": ["RJ"]}, "template": "announcement", "variables": {"subject": "x", "details": "y"}, "channels": ["whatsapp"]})");
  ASSERT_EQ(posted.status, 202) << posted.body;
  EXPECT_EQ(settled("919829000001", 1).size(), 1u) << "opted out: the announcement did not reach him";
  ASSERT_EQ(reply("919829000001", "START"), 200);
  auto started = settled("919829000001", 2);
  ASSERT_EQ(started.size(), 2u);
  EXPECT_EQ(started[1].first, "रमेश शर्मा जी, आपको फिर से संगठन के संदेश मिलेंगे। बंद करने के लिए STOP भेजें।");
}

TEST_F(AutoReplies, RepeatsRobotsAndStrangersGetNoReply) {
  auto [id, code] = meeting();
  const auto yes = "YES " + std::to_string(code);
  for (int n = 0; n < 4; ++n) {  // four messages, four provider ids, each in its own lane interval
    ASSERT_EQ(reply("919829000001", yes), 200);
    std::this_thread::sleep_for(400ms);
  }
  EXPECT_EQ(settled("919829000001", 2).size(), 2u) << "the third identical text within ten minutes gets no reply";
  ASSERT_EQ(reply("919829000003", "Auto-reply: I am out of office until Monday"), 200);
  ASSERT_EQ(reply("919800000077", "HELP"), 200);  // not in the directory
  std::this_thread::sleep_for(1s);
  EXPECT_TRUE(sent_to("919829000003").empty()) << "another robot's auto-reply is not answered";
  EXPECT_TRUE(sent_to("919800000077").empty()) << "a number not in the directory gets no reply";
}

}  // namespace
