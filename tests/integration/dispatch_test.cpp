// The pipeline end to end against the provider simulator: a broadcast is
// queued, dispatched under the channel policy, reported delivered, and
// counted; retries, fallback and permanent failures end where they should.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <thread>

#include "broadcast/spec.hpp"
#include "support/daemon_under_test.hpp"
#include "support/provider_sim_process.hpp"
#include "support/redis_server.hpp"
#include "support/sample_directory.hpp"

using namespace orgcast::testing;
using namespace std::chrono_literals;
namespace json = boost::json;

namespace {

class DispatchTest : public ::testing::Test {
 protected:
  void start(const std::vector<std::string>& sim_flags, const std::string& extra_dispatch = "") {
    sim_ = std::make_unique<ProviderSim>(sim_flags);
    int port = free_port();
    daemon_ = std::make_unique<DaemonUnderTest>(
        shared_redis_port(), prefix_,
        "dispatch:\n  provider_url: " + sim_->url("") + "\n  callback_base_url: http://127.0.0.1:" + std::to_string(port) +
            "\n  workers: 2\n  concurrency: 8\n  retry_base_ms: 20\n  retry_cap_ms: 200\n  max_attempts: 10\n" + extra_dispatch,
        port);
    daemon_->start();
    ASSERT_TRUE(daemon_->wait_ready(10s)) << daemon_->process().log();
    auto imported = http_multipart(daemon_->url("/v1/directory/import"),
                                   {{"units", orgcast::fixtures::kSampleUnits}, {"contacts", orgcast::fixtures::kSampleContacts}});
    ASSERT_EQ(imported.status, 200) << imported.body;
    ASSERT_TRUE(eventually([&] { return daemon_->get("/readyz").body.find("\"directory_version\":1") != std::string::npos; }, 5s));
  }

  std::string broadcast(const std::string& channels) {
    auto r = http("POST", daemon_->url("/v1/broadcasts"),
                  R"({"audience": {"units": ["RJ"]}, "message": {"text": "बैठक कल 10 बजे"}, "channels": )" + channels + "}");
    EXPECT_EQ(r.status, 202) << r.body;
    return std::string(json::parse(r.body).as_object()["id"].as_string());
  }

  json::object info(const std::string& id) { return json::parse(daemon_->get("/v1/broadcasts/" + id).body).as_object(); }
  long long count(const std::string& id, const char* state) {
    auto counts = info(id)["counts"].as_object();
    return counts.contains(state) ? counts[state].as_int64() : 0;
  }
  json::object sim_stats() { return json::parse(http("GET", sim_->url("/stats")).body).as_object(); }

  std::string prefix_ = unique_prefix();
  std::unique_ptr<ProviderSim> sim_;
  std::unique_ptr<DaemonUnderTest> daemon_;
};

TEST_F(DispatchTest, EveryoneDeliveredOnceOnTheFirstChannelTheyHave) {
  start({"--report-delay-ms", "20"});
  auto id = broadcast(R"(["whatsapp", "sms"])");
  ASSERT_TRUE(eventually([&] { return count(id, "delivered") == 11; }, 15s)) << json::serialize(info(id)) << daemon_->process().log();
  auto b = info(id);
  EXPECT_EQ(b["counts"].as_object()["queued"].as_int64(), 0);
  EXPECT_EQ(b["counts"].as_object()["sent"].as_int64(), 0);
  EXPECT_EQ(b["by_channel"].as_object()["whatsapp:delivered"].as_int64(), 8);
  EXPECT_EQ(b["by_channel"].as_object()["sms:delivered"].as_int64(), 3) << "C2, C5, C9 have no WhatsApp";
  EXPECT_EQ(b["by_unit"].as_object()["D-JAI:delivered"].as_int64(), 6);
  EXPECT_EQ(b["by_unit"].as_object()["D-JOD:delivered"].as_int64(), 4);
  EXPECT_TRUE(eventually([&] { return info(id)["state"].as_string() == "dispatched"; }, 5s));
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
  EXPECT_EQ(info(id)["by_channel"].as_object()["sms:failed"].as_int64(), 11);
}

}  // namespace

namespace {

TEST_F(DispatchTest, ScheduledBroadcastWaitsForSendAt) {
  start({"--report-delay-ms", "10"});
  auto send_at = orgcast::broadcast::format_rfc3339(std::chrono::system_clock::now() + 3s);
  auto r = http("POST", daemon_->url("/v1/broadcasts"),
                R"({"audience": {"units": ["RJ"]}, "message": {"text": "x"}, "channels": ["sms"], "send_at": ")" + send_at + "\"}");
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
  auto all = json::parse(daemon_->get("/v1/broadcasts/" + id + "/recipients?state=failed&per_page=100").body).as_object();
  ASSERT_EQ(all["recipients"].as_array().size(), 11u);
  auto first = all["recipients"].as_array()[0].as_object();
  EXPECT_EQ(first["contact_id"].as_string(), "C1");
  EXPECT_EQ(first["mobile"].as_string(), "+919829000001");
  EXPECT_THAT(std::string(first["reason"].as_string()), ::testing::HasSubstr("sms: invalid_recipient (invalid_recipient)"));
  auto csv = daemon_->get("/v1/broadcasts/" + id + "/recipients?state=failed&format=csv");
  EXPECT_THAT(csv.content_type, ::testing::HasSubstr("text/csv"));
  EXPECT_EQ(std::count(csv.body.begin(), csv.body.end(), '\n'), 12) << csv.body;
  EXPECT_THAT(csv.body, ::testing::HasSubstr("C1,Ramesh Sharma,रमेश शर्मा,+919829000001,RJ,president,sms,failed,"));
  EXPECT_EQ(daemon_->get("/v1/broadcasts/" + id + "/recipients?state=lost").status, 400);
}

}  // namespace
