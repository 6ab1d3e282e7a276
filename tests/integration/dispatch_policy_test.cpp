// What stops or redirects a broadcast after it was queued: cancel, expiry,
// a delivery report saying "undelivered", and no report at all in time.
#include <gtest/gtest.h>

#include <algorithm>
#include <iostream>
#include <sstream>
#include <thread>

#include "broadcast/spec.hpp"
#include "integration/dispatch_fixture.hpp"

using namespace orgcast::testing;

namespace {

long long terminal(json::object b) {
  long long sum = 0;
  for (const char* s : {"delivered", "read", "failed", "skipped", "expired", "cancelled"}) sum += DispatchTest::count_in(b, "counts", s);
  return sum;
}

TEST_F(DispatchTest, CancelStopsWhatIsNotYetSent) {
  // 4 messages a second: the 11 recipients take about 3 s, time to cancel midway.
  start({"--report-delay-ms", "10"}, "  rate_per_second: 4\n");
  auto id = broadcast(R"(["sms"])");
  ASSERT_TRUE(eventually([&] { return count(id, "delivered") >= 2; }, 10s)) << json::serialize(info(id));
  auto cancelled = http("POST", daemon_->url("/v1/broadcasts/" + id + "/cancel"));
  ASSERT_EQ(cancelled.status, 202) << cancelled.body;
  EXPECT_NE(cancelled.body.find("\"state\":\"cancelled\""), std::string::npos);
  ASSERT_TRUE(eventually([&] { return terminal(info(id)) == 11; }, 10s)) << json::serialize(info(id));
  auto b = info(id);
  EXPECT_EQ(b["state"].as_string(), "cancelled");
  const auto cancelled_count = count_in(b, "counts", "cancelled");
  EXPECT_GT(cancelled_count, 0) << json::serialize(b);
  EXPECT_EQ(count_in(b, "by_channel", "sms:cancelled"), cancelled_count);
  EXPECT_EQ(count_in(b, "counts", "queued"), 0);
  std::this_thread::sleep_for(600ms);
  EXPECT_EQ(sim_stats()["accepted"].as_int64(), 11 - cancelled_count) << "nothing cancelled reached the provider";
  // Cancelling again changes nothing; an unknown broadcast is 404.
  EXPECT_EQ(http("POST", daemon_->url("/v1/broadcasts/" + id + "/cancel")).status, 202);
  EXPECT_EQ(count(id, "cancelled"), cancelled_count);
  EXPECT_EQ(http("POST", daemon_->url("/v1/broadcasts/b999999/cancel")).status, 404);
}

TEST_F(DispatchTest, CancelledBeforeSendAtSendsNothing) {
  start({"--report-delay-ms", "10"});
  auto send_at = orgcast::broadcast::format_rfc3339(std::chrono::system_clock::now() + 60s);
  auto id = broadcast(R"(["sms"])", R"(, "send_at": ")" + send_at + "\"");
  ASSERT_EQ(http("POST", daemon_->url("/v1/broadcasts/" + id + "/cancel")).status, 202);
  // Nobody was queued yet (its audience is resolved when it starts): it is cancelled, and nothing is sent.
  EXPECT_EQ(info(id)["state"].as_string(), "cancelled");
  EXPECT_EQ(count(id, "queued"), 0);
  EXPECT_EQ(sim_stats()["requests"].as_int64(), 0);
}

TEST_F(DispatchTest, WhatIsLeftAtExpiresAtExpires) {
  start({"--report-delay-ms", "10"}, "  rate_per_second: 2\n");
  // expires_at has whole seconds: 2 to 3 s from now, while 11 at 2/s need ~5 s.
  auto expires_at = orgcast::broadcast::format_rfc3339(std::chrono::system_clock::now() + 3s);
  auto id = broadcast(R"(["sms"])", R"(, "expires_at": ")" + expires_at + "\"");
  ASSERT_TRUE(eventually([&] { return terminal(info(id)) == 11; }, 15s)) << json::serialize(info(id));
  auto b = info(id);
  const auto expired = count_in(b, "counts", "expired");
  EXPECT_GT(expired, 0) << json::serialize(b);
  EXPECT_LT(expired, 11) << json::serialize(b);
  EXPECT_EQ(count_in(b, "counts", "delivered") + expired, 11);
  EXPECT_EQ(sim_stats()["accepted"].as_int64(), 11 - expired);
}

TEST_F(DispatchTest, UndeliveredReportFallsBackToTheNextChannel) {
  start({"--report-delay-ms", "10", "--undelivered-rate", "1"});
  auto id = broadcast(R"(["whatsapp", "sms"])");
  ASSERT_TRUE(eventually([&] { return count(id, "failed") == 11; }, 15s)) << json::serialize(info(id));
  auto b = info(id);
  // The 8 with WhatsApp were reported undelivered there, then tried by SMS.
  EXPECT_EQ(sim_stats()["accepted"].as_int64(), 19);
  EXPECT_EQ(count_in(b, "by_channel", "sms:failed"), 11);
  EXPECT_EQ(count_in(b, "by_channel", "whatsapp:failed"), 0);
  EXPECT_EQ(count_in(b, "by_channel", "whatsapp:sent"), 0);
}

TEST_F(DispatchTest, NoReportInTimeFallsBackToTheNextChannel) {
  // Nothing is ever reported; after 1 s without a report, the next channel;
  // on the last one, after 1 s more, `unconfirmed`, and the broadcast is done.
  start({"--silent-rate", "1"}, "  report_timeout_s: 1\n");
  auto id = broadcast(R"(["whatsapp", "sms"])");
  ASSERT_TRUE(eventually([&] { return count_in(info(id), "by_channel", "sms:unconfirmed") == 11; }, 15s)) << json::serialize(info(id));
  auto b = info(id);
  EXPECT_EQ(count_in(b, "by_channel", "whatsapp:sent"), 0);
  EXPECT_EQ(count_in(b, "counts", "sent"), 0);
  EXPECT_EQ(count_in(b, "counts", "unconfirmed"), 11);
  EXPECT_EQ(b["state"].as_string(), "done");
  EXPECT_EQ(sim_stats()["accepted"].as_int64(), 8 + 11) << "WhatsApp for the 8 who have it, then SMS for all";
}

// Every recipient ends: a provider that drops some reports leaves exactly
// that many `unconfirmed` after the report timeout, and the broadcast done.
TEST_F(DispatchTest, DroppedReportsEndUnconfirmedAndTheBroadcastDone) {
  start({"--silent-rate", "0.3", "--report-delay-ms", "10", "--seed", "7"}, "  report_timeout_s: 1\n", true);
  auto r = http("POST", daemon_->url("/v1/broadcasts"),
                R"({"audience": {}, "template": "announcement", "variables": {"subject": "Hello", "details": "at the office"}, "channels": ["sms"]})");
  ASSERT_EQ(r.status, 202) << r.body;
  auto accepted = json::parse(r.body).as_object();
  const std::string id(accepted["id"].as_string());
  const auto total = accepted["recipients"].as_int64();
  ASSERT_TRUE(eventually([&] { return info(id)["state"].as_string() == "done"; }, 30s)) << json::serialize(info(id));
  auto b = info(id);
  const auto silenced = sim_stats()["silenced"].to_number<long long>();
  std::cout << "dropped reports: " << total << " recipients, " << silenced << " reports dropped by the provider, "
            << count_in(b, "counts", "unconfirmed") << " unconfirmed, " << count_in(b, "counts", "delivered") << " delivered\n";
  EXPECT_GT(silenced, 0);
  EXPECT_EQ(count_in(b, "counts", "unconfirmed"), silenced);
  EXPECT_EQ(count_in(b, "counts", "delivered"), total - silenced);
  EXPECT_EQ(count_in(b, "counts", "sent"), 0);
}

}  // namespace

namespace {

TEST_F(DispatchTest, EventsStreamProgressUntilDone) {
  start({"--report-delay-ms", "10"}, "  rate_per_second: 8\n");
  auto id = broadcast(R"(["sms"])");
  // The stream ends by itself once every recipient is settled (~1.5 s here).
  auto r = daemon_->get("/v1/broadcasts/" + id + "/events");
  ASSERT_EQ(r.status, 200) << r.error;
  EXPECT_EQ(r.content_type, "text/event-stream");
  std::vector<long long> delivered;
  std::istringstream lines(r.body);
  std::string line, last_data;
  while (std::getline(lines, line)) {
    if (line.rfind("data: ", 0) != 0) continue;
    last_data = line.substr(6);
    delivered.push_back(count_in(json::parse(last_data).as_object(), "counts", "delivered"));
  }
  ASSERT_GE(delivered.size(), 3u) << r.body;
  EXPECT_TRUE(std::is_sorted(delivered.begin(), delivered.end())) << r.body;
  EXPECT_LT(delivered.front(), 11) << "the first event comes at once, not at the end";
  EXPECT_EQ(delivered.back(), 11);
  EXPECT_NE(r.body.find("event: done\n"), std::string::npos) << r.body;
  EXPECT_EQ(daemon_->get("/v1/broadcasts/b999999/events").status, 404);
}

}  // namespace
