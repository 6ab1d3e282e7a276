// Replies through the real inbound path: signed WhatsApp webhooks from
// fake-whatsapp's API (and the office's own record), read by the keyword
// engine, matched to the person, kept with what was done with each; STOP
// takes a person off the channel it came on, and the next broadcast skips
// them there and reaches them through the policy's next channel; START
// puts them back; "STOP please" is only kept for a person to read.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <fstream>

#include "adapters/whatsapp_cloud/whatsapp_cloud_adapter.hpp"
#include "support/daemon_under_test.hpp"
#include "support/fake_provider.hpp"
#include "support/whatsapp_and_sms.hpp"
#include "support/generated_directory.hpp"
#include "support/http_client.hpp"
#include "support/json_body.hpp"
#include "support/provider_sim_process.hpp"
#include "support/redis_server.hpp"
#include "support/sample_directory.hpp"

using namespace orgcast::testing;
using namespace std::chrono_literals;
namespace json = boost::json;

namespace {

class Replies : public ::testing::Test {
 protected:
  void SetUp() override {
    rig_.start(unique_prefix(), "  report_timeout_s: 2\n");
    daemon_ = rig_.daemon.get();
    whatsapp_ = rig_.whatsapp.get();
    sms_ = rig_.sms.get();
  }
  int reply(const std::string& from, const std::string& text, const std::string& id = "") { return rig_.reply(from, text, id); }
  json::object latest() { return json::parse(daemon_->get("/v1/inbound?limit=1").body).as_object()["messages"].as_array().at(0).as_object(); }
  json::object consent(const std::string& contact) { return object_of(daemon_->get("/v1/directory/contacts/" + contact + "/consent")); }
  // Broadcasts an announcement to everyone on WhatsApp, then SMS; waits until nobody is queued or sending.
  json::object broadcast() {
    auto r = http("POST", daemon_->url("/v1/broadcasts"),
                  R"({"audience": {"units": ["RJ"]}, "template": "announcement", "variables": {"subject": "बैठक", "details": "कल 10 बजे"}, "channels": ["whatsapp", "sms"]})");
    EXPECT_EQ(r.status, 202) << r.body;
    const std::string id(object_of(r)["id"].as_string());
    json::object b;
    EXPECT_TRUE(eventually([&] {
      b = object_of(daemon_->get("/v1/broadcasts/" + id));
      auto& c = b["counts"].as_object();
      return number(c, "queued") <= 0 && number(c, "sending") <= 0;  // -1: none
    }, 20s)) << json::serialize(b);
    return b;
  }
  // How many requests each provider had for `number` (digits): a broadcast reached them if it grew.
  std::pair<std::size_t, std::size_t> requests_for(const std::string& number) {
    auto count = [&](const std::string& messages) {
      std::size_t n = 0;
      for (auto at = messages.find(number); at != std::string::npos; at = messages.find(number, at + 1)) ++n;
      return n;
    };
    return {count(http("GET", whatsapp_->url("/messages")).body), count(http("GET", sms_->url("/messages")).body)};
  }

  WhatsAppAndSms rig_;
  DaemonUnderTest* daemon_ = nullptr;
  FakeProvider* whatsapp_ = nullptr;
  ProviderSim* sms_ = nullptr;
};

TEST_F(Replies, EachReplyIsReadAndKeptWithWhatWasDone) {
  ASSERT_EQ(reply("919829000004", "Haan ji aaunga"), 200);
  auto yes = latest();
  EXPECT_EQ(yes["outcome"].as_string(), "answer");
  EXPECT_EQ(yes["intent"].as_string(), "yes");
  EXPECT_EQ(yes["mobile"].as_string(), "+919829000004") << "E.164, as every other answer spells a number";
  ASSERT_EQ(reply("919829000004", "नहीं 47"), 200);
  EXPECT_EQ(latest()["intent"].as_string(), "no");
  EXPECT_EQ(latest()["code"].as_int64(), 47) << "a number, as a meeting's code is";
  ASSERT_EQ(reply("919829000011", "STOP please"), 200);
  EXPECT_EQ(latest()["outcome"].as_string(), "for_a_person");
  EXPECT_TRUE(consent("C11")["opted_out"].as_object().empty()) << "STOP with other words is no opt-out";
  ASSERT_EQ(reply("919800000000", "hello"), 200);
  EXPECT_EQ(latest()["outcome"].as_string(), "unknown_sender");
  ASSERT_EQ(reply("919829000002", "REPORT 5 booth meetings today"), 200);  // a district president: may report
  EXPECT_EQ(latest()["outcome"].as_string(), "report");
  EXPECT_EQ(latest()["report"].as_string(), "5 booth meetings today");
  ASSERT_EQ(reply("919829000010", "yesterday was busy"), 200);
  EXPECT_EQ(latest()["outcome"].as_string(), "unrecognised");

  // A person's history through any of their posts (C4 and C7 are one person).
  auto mohan = object_of(daemon_->get("/v1/directory/contacts/C7/inbound"));
  ASSERT_EQ(mohan["messages"].as_array().size(), 2u) << json::serialize(mohan);
  EXPECT_EQ(mohan["messages"].as_array()[0].as_object()["text"].as_string(), "नहीं 47") << "newest first";
  // Paged by message id: one written meanwhile does not shift the next page.
  auto newest = object_of(daemon_->get("/v1/directory/contacts/C7/inbound?limit=1"));
  EXPECT_EQ(newest["total"].as_int64(), 2);
  ASSERT_TRUE(newest["next"].is_string()) << json::serialize(newest);
  ASSERT_EQ(reply("919829000004", "thank you"), 200);
  auto older = object_of(daemon_->get(std::string(newest["next"].as_string())));
  ASSERT_EQ(older["messages"].as_array().size(), 1u) << json::serialize(older);
  EXPECT_EQ(older["messages"].as_array()[0].as_object()["text"].as_string(), "Haan ji aaunga");
  EXPECT_TRUE(older["next"].is_null()) << "the oldest: no page after";
  // Listed by outcome; a typo in a parameter is named.
  auto answers = object_of(daemon_->get("/v1/inbound?outcome=answer"));
  EXPECT_EQ(answers["messages"].as_array().size(), 2u);
  auto typo = daemon_->get("/v1/inbound?outcom=answer");
  EXPECT_EQ(typo.status, 400);
  EXPECT_NE(typo.body.find("outcom"), std::string::npos) << typo.body;
  EXPECT_EQ(daemon_->get("/v1/inbound?outcome=maybe").status, 400);
  // Paged newest first by the `next` link: one answer a page, then none after the second.
  auto first_answer = object_of(daemon_->get("/v1/inbound?outcome=answer&limit=1"));
  ASSERT_EQ(first_answer["messages"].as_array().size(), 1u);
  ASSERT_TRUE(first_answer["next"].is_string()) << json::serialize(first_answer);
  auto second_answer = object_of(daemon_->get(std::string(first_answer["next"].as_string())));
  ASSERT_EQ(second_answer["messages"].as_array().size(), 1u) << json::serialize(second_answer);
  EXPECT_NE(second_answer["messages"].as_array()[0].as_object()["id"], first_answer["messages"].as_array()[0].as_object()["id"]);
  EXPECT_EQ(answers["messages"].as_array()[1].as_object()["id"], second_answer["messages"].as_array()[0].as_object()["id"]) << "the one after";
  EXPECT_EQ(daemon_->get("/v1/inbound?cursor=abc").status, 400);
  EXPECT_EQ(daemon_->get("/v1/inbound?cursor=1-2-3").status, 400);

  // Without a provider id, the same text from the same sender is kept once.
  const auto before = object_of(daemon_->get("/v1/inbound?limit=1000"))["messages"].as_array().size();
  ASSERT_EQ(reply("919829000012", "haan", "none"), 200);
  ASSERT_EQ(reply("919829000012", "haan", "none"), 200);
  ASSERT_EQ(reply("919829000012", "nahi", "none"), 200);
  EXPECT_EQ(object_of(daemon_->get("/v1/inbound?limit=1000"))["messages"].as_array().size(), before + 2);
}

TEST_F(Replies, StopTakesAPersonOffThatChannelAndStartPutsThemBack) {
  ASSERT_EQ(reply("919829000001", "STOP"), 200);
  EXPECT_EQ(latest()["outcome"].as_string(), "opted_out");
  auto c1 = consent("C1");
  EXPECT_TRUE(c1["opted_out"].as_object().contains("whatsapp")) << json::serialize(c1);
  EXPECT_FALSE(c1["opted_out"].as_object().contains("sms")) << "only the channel it came on";
  EXPECT_EQ(c1["history"].as_array().size(), 1u);
  // The office records that Vikram wants nothing at all.
  auto put = http("PUT", daemon_->url("/v1/directory/contacts/C11/consent"), R"({"consent": "out", "channel": "all", "note": "asked by phone"})");
  ASSERT_EQ(put.status, 200) << put.body;
  // Recorded again: the first record stays, and nothing changed is not logged twice.
  ASSERT_EQ(http("PUT", daemon_->url("/v1/directory/contacts/C11/consent"), R"({"consent": "out", "channel": "all", "note": "again"})").status, 200);
  auto c11 = consent("C11");
  EXPECT_EQ(c11["history"].as_array().size(), 1u) << json::serialize(c11);
  EXPECT_NE(json::serialize(c11["opted_out"]).find("asked by phone"), std::string::npos);
  EXPECT_EQ(http("PUT", daemon_->url("/v1/directory/contacts/C11/consent"), R"({"consent": "maybe", "channel": "fax"})").status, 400);
  EXPECT_EQ(http("PUT", daemon_->url("/v1/directory/contacts/NOPE/consent"), R"({"consent": "out", "channel": "all"})").status, 404);

  // Previews count who opted out of each channel.
  auto preview = object_of(http("POST", daemon_->url("/v1/audiences/preview"), R"({"selector": {"units": ["RJ"]}})"));
  auto opted = preview["opted_out"].as_object();
  EXPECT_EQ(number(opted, "whatsapp"), 2) << json::serialize(preview);
  EXPECT_EQ(number(opted, "sms"), 1);
  const auto ramesh = requests_for("9829000001"), vikram = requests_for("9829000011");
  auto b = broadcast();
  std::cout << "after STOP: " << json::serialize(b["counts"]) << "\n";
  EXPECT_EQ(requests_for("9829000001").first, ramesh.first) << "opted out of WhatsApp";
  EXPECT_EQ(requests_for("9829000001").second, ramesh.second + 1) << "the policy's next channel reaches him";
  EXPECT_EQ(requests_for("9829000011"), vikram) << "opted out of everything";
  EXPECT_EQ(number(b["counts"].as_object(), "skipped"), 1) << "opted out of every channel: skipped, not failed";
  EXPECT_LE(number(b["counts"].as_object(), "failed"), 0);
  auto skipped = object_of(daemon_->get("/v1/broadcasts/" + std::string(b["id"].as_string()) + "/recipients?state=skipped"));
  EXPECT_NE(json::serialize(skipped).find("opted out"), std::string::npos) << json::serialize(skipped);

  ASSERT_EQ(reply("919829000001", "START"), 200);
  EXPECT_EQ(latest()["outcome"].as_string(), "opted_in");
  EXPECT_TRUE(consent("C1")["opted_out"].as_object().empty());
  EXPECT_EQ(consent("C1")["history"].as_array().size(), 2u);
  const auto before = requests_for("9829000001");
  broadcast();
  EXPECT_EQ(requests_for("9829000001").first, before.first + 1) << "back on WhatsApp";
}

// Daily reports: REPORT from a district president is kept for the day;
// from anyone else it is for a person to read; the office sees who has not
// reported and reminds exactly them.
TEST_F(Replies, DailyReportsAreKeptAndTheMissingReminded) {
  ASSERT_EQ(reply("919829000003", "REPORT 5 booth meetings today"), 200);  // Anita, president of D-JOD
  ASSERT_EQ(reply("919829000004", "REPORT mandal work"), 200);             // Mohan, a mandal president: not a report
  EXPECT_EQ(latest()["outcome"].as_string(), "for_a_person");
  auto today = object_of(daemon_->get("/v1/reports"));
  ASSERT_EQ(today["reports"].as_array().size(), 1u) << json::serialize(today);
  auto report = today["reports"].as_array()[0].as_object();
  EXPECT_EQ(report["text"].as_string(), "5 booth meetings today");
  EXPECT_EQ(report["unit_id"].as_string(), "D-JOD");
  EXPECT_EQ(report["mobile"].as_string(), "+919829000003");
  EXPECT_EQ(report["channel"].as_string(), "whatsapp");
  EXPECT_EQ(number(object_of(daemon_->get("/v1/reports?unit=D-JAI")), "total"), 0);

  auto missing = object_of(daemon_->get("/v1/reports/missing?level=district&role=president"));
  EXPECT_EQ(number(missing, "expected"), 2);
  EXPECT_EQ(number(missing, "reported"), 1);
  ASSERT_EQ(missing["missing"].as_array().size(), 1u) << json::serialize(missing);
  EXPECT_EQ(missing["missing"].as_array()[0].as_object()["contact_id"].as_string(), "C2");

  const std::string body = R"({"level": "district", "role": "president", "channels": ["sms"]})";
  auto reminded = http("POST", daemon_->url("/v1/reports/remind"), body, "application/json", {{"Idempotency-Key", "reports-today"}});
  ASSERT_EQ(reminded.status, 202) << reminded.body;
  EXPECT_EQ(number(object_of(reminded), "people"), 1);
  const std::string reminder(object_of(reminded)["reminder"].as_string());
  auto again = http("POST", daemon_->url("/v1/reports/remind"), body, "application/json", {{"Idempotency-Key", "reports-today"}});
  EXPECT_EQ(object_of(again)["reminder"].as_string(), reminder) << "the same key: the same reminder";
  auto sent_to_suresh = [&] {
    int n = 0;
    const auto all = json::parse(http("GET", sms_->url("/messages")).body);
    for (const auto& m : all.as_array())
      n += m.as_object().at("to").as_string() == "+919829000002" && m.as_object().at("reference").as_string().starts_with(reminder + ":");
    return n;
  };
  ASSERT_TRUE(eventually([&] { return sent_to_suresh() == 1; }, 10s));
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(sent_to_suresh(), 1) << "reminded once";
  EXPECT_EQ(daemon_->get("/v1/reports/missing?level=nowhere&role=president").status, 400);
  EXPECT_EQ(daemon_->get("/v1/reports/missing").status, 400) << "level and role are needed";
  EXPECT_EQ(daemon_->get("/v1/reports?date=27-11-2026").status, 400);
}

}  // namespace
