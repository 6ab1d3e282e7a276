// The pipeline end to end against the provider simulator: a broadcast is
// queued, dispatched under the channel policy, reported delivered, and
// counted; retries, fallback and permanent failures end where they should.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <algorithm>
#include <thread>

#include "broadcast/spec.hpp"
#include "integration/dispatch_fixture.hpp"

using namespace orgcast::testing;
using namespace std::chrono_literals;

namespace {

TEST_F(DispatchTest, EveryoneDeliveredOnceOnTheFirstChannelTheyHave) {
  start({"--report-delay-ms", "20"});
  auto id = broadcast(R"(["whatsapp", "sms"])");
  ASSERT_TRUE(eventually([&] { return count(id, "delivered") == 11; }, 15s)) << json::serialize(info(id)) << daemon_->process().log();
  auto b = info(id);
  EXPECT_EQ(b["counts"].as_object()["queued"].as_int64(), 0);
  EXPECT_EQ(count_in(b, "counts", "sent"), 0);
  EXPECT_EQ(count_in(b, "by_channel", "whatsapp:delivered"), 8);
  EXPECT_EQ(count_in(b, "by_channel", "sms:delivered"), 3) << "C2, C5, C9 have no WhatsApp";
  EXPECT_EQ(count_in(b, "by_unit", "D-JAI:delivered"), 6);
  EXPECT_EQ(count_in(b, "by_unit", "D-JOD:delivered"), 4);
  for (const auto& [key, value] : b["by_channel"].as_object()) EXPECT_GE(value.as_int64(), 0) << key;
  EXPECT_TRUE(eventually([&] { return info(id)["state"].as_string() == "done"; }, 5s));
  auto stats = sim_stats();
  EXPECT_EQ(stats["accepted"].as_int64(), 11);
  EXPECT_EQ(stats["duplicates"].as_int64(), 0);
}

TEST_F(DispatchTest, TransientErrorsAndThrottlingAreRetried) {
  start({"--report-delay-ms", "10", "--transient-rate", "0.3", "--throttle-rate", "0.2", "--seed", "7"});
  auto id = broadcast(R"(["sms"])");
  ASSERT_TRUE(eventually([&] { return count(id, "delivered") == 11; }, 20s)) << json::serialize(info(id));
  auto stats = sim_stats();
  EXPECT_GT(stats["requests"].as_int64(), 11) << "some sends needed retries";
  EXPECT_EQ(stats["duplicates"].as_int64(), 0);
}

TEST_F(DispatchTest, PermanentFailuresFallBackThenFailWithTheReason) {
  start({"--permanent-rate", "1"});
  auto id = broadcast(R"(["whatsapp", "sms"])");
  ASSERT_TRUE(eventually([&] { return count(id, "failed") == 11; }, 15s)) << json::serialize(info(id));
  // The 8 with WhatsApp tried it first, then SMS: 8 + 11 requests.
  EXPECT_EQ(sim_stats()["requests"].as_int64(), 19);
  EXPECT_EQ(count_in(info(id), "by_channel", "sms:failed"), 11);
}

}  // namespace

namespace {

TEST_F(DispatchTest, ScheduledBroadcastWaitsForSendAt) {
  start({"--report-delay-ms", "10"});
  auto send_at = orgcast::broadcast::format_rfc3339(std::chrono::system_clock::now() + 3s);
  auto r = http("POST", daemon_->url("/v1/broadcasts"),
                R"({"audience": {"units": ["RJ"]}, "template": "announcement", "variables": {"subject": "x", "details": "at the office"}, "channels": ["sms"], "send_at": ")" + send_at + "\"}");
  ASSERT_EQ(r.status, 202) << r.body;
  std::string id(json::parse(r.body).as_object()["id"].as_string());
  EXPECT_EQ(info(id)["state"].as_string(), "scheduled");
  std::this_thread::sleep_for(1500ms);  // well before send_at (whole seconds): nothing may have gone out
  EXPECT_EQ(sim_stats()["requests"].as_int64(), 0);
  ASSERT_TRUE(eventually([&] { return count(id, "delivered") == 11; }, 15s)) << json::serialize(info(id));
}

}  // namespace

namespace {

TEST_F(DispatchTest, FailedRecipientsAreListedWithTheirReason) {
  start({"--permanent-rate", "1"});
  auto id = broadcast(R"(["sms"])");
  ASSERT_TRUE(eventually([&] { return count(id, "failed") == 11; }, 15s));
  auto listed = json::parse(daemon_->get("/v1/broadcasts/" + id + "/recipients?state=failed&per_page=5&page=3").body).as_object();
  ASSERT_EQ(listed["recipients"].as_array().size(), 1u) << "11 failures, pages of 5: the third has one";
  EXPECT_EQ(listed["total"].as_int64(), 11);
  EXPECT_TRUE(listed["next"].is_null()) << "the last page";
  auto second = json::parse(daemon_->get("/v1/broadcasts/" + id + "/recipients?state=failed&per_page=5&page=2").body).as_object();
  EXPECT_EQ(second["next"].as_string(), "/v1/broadcasts/" + id + "/recipients?per_page=5&state=failed&cursor=o10");
  auto third = json::parse(daemon_->get(std::string(second["next"].as_string())).body).as_object();
  EXPECT_EQ(third["recipients"].as_array().size(), 1u) << "the `next` link is the page after";
  EXPECT_TRUE(third["next"].is_null());
  EXPECT_EQ(daemon_->get("/v1/broadcasts/" + id + "/recipients?cursor=zz").status, 400);
  EXPECT_EQ(daemon_->get("/v1/broadcasts/" + id + "/recipients?page=2&cursor=o5").status, 400) << "one or the other";
  EXPECT_EQ(daemon_->get("/v1/broadcasts/" + id + "/recipients?page=2x").status, 400) << "a number is a number";
  auto all = json::parse(daemon_->get("/v1/broadcasts/" + id + "/recipients?state=failed&per_page=100").body).as_object();
  ASSERT_EQ(all["recipients"].as_array().size(), 11u);
  auto first = all["recipients"].as_array()[0].as_object();
  EXPECT_EQ(first["contact_id"].as_string(), "C1");
  EXPECT_EQ(first["mobile"].as_string(), "+919829000001");
  EXPECT_THAT(std::string(first["reason"].as_string()), ::testing::HasSubstr("sms: invalid_recipient (invalid_recipient)"));
  auto csv = daemon_->get("/v1/broadcasts/" + id + "/recipients?state=failed&format=csv");
  EXPECT_THAT(csv.content_type, ::testing::HasSubstr("text/csv"));
  EXPECT_TRUE(csv.body.starts_with("\xEF\xBB\xBF")) << "a byte-order mark, or Excel garbles the Hindi names";
  EXPECT_EQ(std::count(csv.body.begin(), csv.body.end(), '\n'), 12) << csv.body;
  EXPECT_THAT(csv.body, ::testing::HasSubstr("C1,Ramesh Sharma,रमेश शर्मा,+919829000001,RJ,president,sms,failed,"));
  EXPECT_EQ(daemon_->get("/v1/broadcasts/" + id + "/recipients?state=lost").status, 400);
}

}  // namespace

namespace {

// A report is believed only at the account's own callback URL, with its
// secret in the path: a forged one (no secret, a wrong one, a past or a
// future message id) is refused with 403, counted, and changes nothing;
// the genuine reports, which carry the secret, still apply.
TEST_F(DispatchTest, ForgedReportsAreRefusedCountedAndChangeNothing) {
  start({"--hold-reports", "1"});
  auto id = broadcast(R"(["sms"])");
  ASSERT_TRUE(eventually([&] { return count(id, "sent") == 11; }, 15s)) << json::serialize(info(id));
  int forged = 0;
  for (const std::string path : {"/v1/webhooks/sim", "/v1/webhooks/sim/00000000000000000000000000000000", "/v1/webhooks/sim/x"})
    for (const std::string message : {"sim-1", "sim-5", "sim-99"}) {
      auto r = http("POST", daemon_->url(path),
                    R"({"message_id": ")" + message + R"(", "status": "undelivered", "error_code": "absent_subscriber", "timestamp": "2026-11-22T21:00:00Z"})",
                    "application/json", {{"Authorization", ""}});
      EXPECT_EQ(r.status, 403) << path << " " << message << ": " << r.body;
      EXPECT_THAT(r.body, ::testing::HasSubstr("secret")) << path;
      ++forged;
    }
  auto b = info(id);
  EXPECT_EQ(count_in(b, "counts", "sent"), 11);
  EXPECT_EQ(count_in(b, "counts", "failed"), 0);
  EXPECT_THAT(daemon_->get("/metrics").body, ::testing::HasSubstr("orgcast_webhook_forged_total{provider=\"sim\"} " + std::to_string(forged)));
  http("POST", sim_->url("/reports/release"));
  ASSERT_TRUE(eventually([&] { return count(id, "delivered") == 11; }, 15s)) << "the genuine reports come with the secret: " << json::serialize(info(id));
  EXPECT_EQ(count(id, "failed"), 0);
}

}  // namespace

namespace {

// A CSV export is every recipient, however many (not a page of them), streamed.
TEST_F(DispatchTest, ARecipientsCsvIsEveryRecipientStreamed) {
  start({"--report-delay-ms", "10"}, "", true);
  auto id = post(R"({"audience": {}, "template": "announcement", "variables": {"subject": "x", "details": "y"}, "channels": ["sms"]})");
  ASSERT_FALSE(id.empty());
  const auto total = info(id)["total"].as_int64();
  ASSERT_GT(total, 1000) << "more than a page of JSON (100) and of what a page may be (10,000 is the cap; the export has none)";
  auto csv = http("GET", daemon_->url("/v1/broadcasts/" + id + "/recipients?format=csv"));
  ASSERT_EQ(csv.status, 200) << csv.body.substr(0, 300);
  EXPECT_TRUE(csv.body.starts_with("\xEF\xBB\xBF" "contact_id,name,name_hi,mobile,unit_id,role,channel,state,reason,channels_tried\r\n"));
  EXPECT_EQ(static_cast<long long>(std::count(csv.body.begin(), csv.body.end(), '\n')), total + 1) << "a header and every recipient";
  EXPECT_NE(csv.headers.find("chunked"), std::string::npos) << csv.headers;
}

}  // namespace
