// Meetings: a summons to a unit through the pipeline, and the answers that
// come back by WhatsApp (signed webhooks from fake-whatsapp's API) counted
// for the person: with the meeting's code, or to their only open summons;
// the last answer wins; someone not summoned counts for nothing.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "adapters/whatsapp_cloud/whatsapp_cloud_adapter.hpp"
#include "support/daemon_under_test.hpp"
#include "support/fake_provider.hpp"
#include "support/generated_directory.hpp"
#include "support/http_client.hpp"
#include "support/json_body.hpp"
#include "support/provider_sim_process.hpp"
#include "support/redis_server.hpp"

using namespace orgcast::testing;
using namespace std::chrono_literals;
namespace json = boost::json;

namespace {

std::string utc_in(std::chrono::hours from_now) {
  const auto t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now() + from_now);
  char out[32];
  std::strftime(out, sizeof out, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
  return out;
}

class Meetings : public ::testing::Test {
 protected:
  void SetUp() override {
    const int port = free_port();
    const std::string webhook = "http://127.0.0.1:" + std::to_string(port) + "/v1/webhooks/whatsapp";
    whatsapp_ = std::make_unique<FakeProvider>("fake-whatsapp",
                                               std::vector<std::string>{"--token", "EAAG-test", "--app-secret", "s3cret", "--callback", webhook});
    sms_ = std::make_unique<ProviderSim>(std::vector<std::string>{"--report-delay-ms", "20"});
    const auto secrets = temp_dir("meetings-secrets");
    daemon_ = std::make_unique<DaemonUnderTest>(
        shared_redis_port(), prefix_,
        "dispatch:\n  callback_base_url: http://127.0.0.1:" + std::to_string(port) + "\n"
            "providers:\n"
            "  - name: whatsapp\n    type: whatsapp_cloud\n    channels: [whatsapp]\n    url: " + whatsapp_->url() +
            "\n    phone_number_id: \"1234567890\"\n    access_token_file: " + secret_file(secrets, "token", "EAAG-test") +
            "\n    app_secret_file: " + secret_file(secrets, "secret", "s3cret") +
            "\n    verify_token_file: " + secret_file(secrets, "verify", "verify-me") +
            "\n  - name: sim\n    type: sim\n    channels: [sms]\n    url: " + sms_->url("") + "\n",
        port);
    daemon_->start();
    ASSERT_TRUE(daemon_->wait_ready(10s)) << daemon_->process().log();
    ASSERT_EQ(import_sample_directory(*daemon_), "");
  }
  int reply(const std::string& from, const std::string& text) {
    const std::string body = R"({"object":"whatsapp_business_account","entry":[{"changes":[{"value":{"messages":[{"from":")" + from +
                             R"(","id":"wamid.M)" + std::to_string(++sent_) + R"(","timestamp":"1","type":"text","text":{"body":)" +
                             json::serialize(json::string(text)) + "}}]}}]}]}";
    return http("POST", daemon_->url("/v1/webhooks/whatsapp"), body, "application/json",
                {{"X-Hub-Signature-256", orgcast::adapters::whatsapp_signature("s3cret", body)}})
        .status;
  }
  HttpResult create(const std::string& organiser, const std::string& more = "") {
    return http("POST", daemon_->url("/v1/meetings"),
                R"({"title": "ज़िला बैठक", "venue": "ज़िला कार्यालय", "starts_at": ")" + utc_in(48h) + R"(", "ends_at": ")" + utc_in(50h) +
                    R"(", "organiser": ")" + organiser + "\"" + more + "}");
  }
  json::object tally(const std::string& id) { return object_of(daemon_->get("/v1/meetings/" + id))["tally"].as_object(); }

  std::unique_ptr<FakeProvider> whatsapp_;
  std::unique_ptr<ProviderSim> sms_;
  std::unique_ptr<DaemonUnderTest> daemon_;
  std::string prefix_ = unique_prefix();
  int sent_ = 0;
};

TEST_F(Meetings, AnswersAreCountedForThePersonTheLastOneWinning) {
  auto made = create("RJ");
  ASSERT_EQ(made.status, 201) << made.body << daemon_->process().log();
  auto m = object_of(made);
  const std::string id(m["id"].as_string());
  const auto code = m["code"].as_int64();
  EXPECT_GE(code, 10);
  EXPECT_LE(code, 999);
  EXPECT_EQ(number(m, "summoned"), 11) << "the sample's 11 people in RJ";
  auto summons = std::string(m["summons"].as_string());
  ASSERT_TRUE(eventually([&] { return number(object_of(daemon_->get("/v1/broadcasts/" + summons))["counts"].as_object(), "queued") <= 0; }, 20s));

  ASSERT_EQ(reply("919829000001", "YES " + std::to_string(code)), 200);  // by its code
  ASSERT_EQ(reply("919829000004", "नहीं, नहीं आ पाऊँगा"), 200);          // no code: their only open summons
  ASSERT_EQ(reply("919829000010", "haan"), 200);
  ASSERT_EQ(reply("919829000010", "NO"), 200);                            // the last answer wins
  ASSERT_EQ(reply("919800000000", "YES"), 200);                           // not summoned: counts for nothing
  auto t = tally(id);
  std::cout << "tally: " << json::serialize(t) << "\n";
  EXPECT_EQ(number(t, "summoned"), 11);
  EXPECT_EQ(number(t, "yes"), 1);
  EXPECT_EQ(number(t, "no"), 2);
  EXPECT_EQ(number(t, "no_answer"), 8);

  // A second meeting for the same people: a reply without a code is no
  // longer theirs to guess, and is not counted; with a code it is.
  auto second = object_of(create("RJ"));
  const std::string id2(second["id"].as_string());
  EXPECT_NE(second["code"].as_int64(), code) << "codes are not shared by open meetings";
  ASSERT_EQ(reply("919829000011", "YES"), 200);
  EXPECT_EQ(number(tally(id), "yes"), 1);
  EXPECT_EQ(number(tally(id2), "yes"), 0);
  ASSERT_EQ(reply("919829000011", std::to_string(second["code"].as_int64()) + " yes"), 200);
  EXPECT_EQ(number(tally(id2), "yes"), 1);

  // Listed by unit and day, with their tallies.
  auto all = object_of(daemon_->get("/v1/meetings?unit=RJ"));
  EXPECT_EQ(number(all, "total"), 2) << json::serialize(all);
  EXPECT_EQ(number(object_of(daemon_->get("/v1/meetings?unit=D-JAI")), "total"), 0) << "organised above D-JAI, not in it";
  EXPECT_EQ(number(object_of(daemon_->get("/v1/meetings?date=2020-01-01")), "total"), 0);
  auto paged = object_of(daemon_->get("/v1/meetings?per_page=1&page=2"));
  ASSERT_EQ(paged["meetings"].as_array().size(), 1u);
  EXPECT_EQ(paged["meetings"].as_array()[0].as_object()["id"].as_string(), id2);
  EXPECT_EQ(daemon_->get("/v1/meetings?day=today").status, 400);
  EXPECT_EQ(daemon_->get("/v1/meetings?date=1-2-3").status, 400);
}

TEST_F(Meetings, BadMeetingsAreRefusedSayingWhere) {
  auto bad = http("POST", daemon_->url("/v1/meetings"),
                  R"({"title": "", "venue": "x", "starts_at": "2020-01-01T10:00:00Z", "ends_at": "soon", "organiser": "NOWHERE", "agenda": 1})");
  EXPECT_EQ(bad.status, 400);
  for (const char* where : {"/title", "/starts_at", "/ends_at", "/organiser", "/agenda"})
    EXPECT_NE(bad.body.find(where), std::string::npos) << where << " in " << bad.body;
  auto channels = create("RJ", R"(, "channels": ["pigeon"])");
  EXPECT_EQ(channels.status, 400);
  EXPECT_NE(channels.body.find("/channels"), std::string::npos) << channels.body;
  auto nobody = create("RJ", R"(, "audience": {"units": ["BT-4"], "tags": ["it_cell"]})");
  EXPECT_EQ(nobody.status, 422) << nobody.body;
  EXPECT_NE(nobody.body.find("/audience"), std::string::npos) << nobody.body;
  auto endless = http("POST", daemon_->url("/v1/meetings"),
                      R"({"title": "t", "venue": "v", "starts_at": ")" + utc_in(1h) + R"(", "ends_at": ")" + utc_in(24 * 30h) + R"(", "organiser": "RJ"})");
  EXPECT_EQ(endless.status, 400);
  EXPECT_NE(endless.body.find("7 days"), std::string::npos) << endless.body;
  EXPECT_EQ(daemon_->get("/v1/meetings/m999999").status, 404);
  // Every code held (990 meetings within 30 days): 409, and nothing made.
  std::vector<std::string> fill{"redis-cli", "-p", std::to_string(shared_redis_port()), "ZADD", prefix_ + "mt:codes"};
  for (int c = 10; c <= 999; ++c) fill.push_back("4102444800000"), fill.push_back(std::to_string(c));  // held until 2100
  ASSERT_EQ(run_command(fill, 5s).code, 0);
  auto full = create("RJ");
  EXPECT_EQ(full.status, 409) << full.body;
  EXPECT_EQ(number(object_of(daemon_->get("/v1/meetings")), "total"), 0);
  EXPECT_EQ(daemon_->get("/v1/meetings/seq").status, 404);
}

}  // namespace
