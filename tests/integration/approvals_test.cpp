// The two-person rule: a broadcast over its author's profile's threshold
// waits, its audience frozen, until another person with `approve` over its
// units approves (it is sent, to the people frozen with it) or rejects it;
// the author never decides their own, another district cannot, and an
// undecided request expires (tested with an injected clock).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "approvals/approval_store.hpp"
#include "core/clock.hpp"
#include "core/log.hpp"
#include "redis/client.hpp"
#include "support/announcement.hpp"
#include "support/daemon_under_test.hpp"
#include "support/generated_directory.hpp"
#include "support/http_client.hpp"
#include "support/io_runner.hpp"
#include "support/json_body.hpp"
#include "support/redis_server.hpp"
#include "support/utc_in.hpp"

using namespace orgcast;
using namespace orgcast::testing;
using namespace std::chrono_literals;
using ::testing::HasSubstr;
namespace json = boost::json;

namespace {

class Approvals : public ::testing::Test {
 protected:
  void SetUp() override {
    // district_lead: a district president who may also make tokens.
    daemon_ = std::make_unique<DaemonUnderTest>(
        shared_redis_port(), unique_prefix(),
        "auth:\n  profiles:\n    district_lead: [view, view_contacts, send_announcement, send_summons, manage_meetings, approve, manage_tokens]\n"
        "  approval_over:\n    district_lead: 2\n");
    daemon_->start();
    ASSERT_TRUE(daemon_->wait_ready(10s)) << daemon_->process().log();
    ASSERT_EQ(import_sample_directory(*daemon_), "");
    // Each its own person: made by the CLI, not by one token (tokens a token makes are its maker's).
    jaipur_ = mint("Jaipur president", "D-JAI");
    jaipur_deputy_ = mint("Jaipur deputy", "D-JAI");
    jodhpur_ = mint("Jodhpur president", "D-JOD");
    made_by_jaipur_ = child(R"({"name": "Jaipur's other token", "profile": "district_lead", "scope": ["D-JAI"]})");
    cron_by_jaipur_ = child(R"({"name": "Jaipur's cron", "profile": "scheduler", "scope": ["D-JAI"]})");
  }
  std::string child(const std::string& body) {
    auto made = as(jaipur_, "POST", "/v1/tokens", body);
    EXPECT_EQ(made.status, 201) << made.body;
    return std::string(object_of(made)["token"].as_string());
  }
  std::string mint(const std::string& name, const std::string& scope) {
    auto token = daemon_->cli_token(name, "district_lead", scope);
    EXPECT_FALSE(token.empty());
    return token;
  }
  HttpResult as(const std::string& token, const std::string& method, const std::string& path, const std::string& body = "") {
    return http(method, daemon_->url(path), body, "application/json", {{"Authorization", "Bearer " + token}});
  }
  std::unique_ptr<DaemonUnderTest> daemon_;
  std::string jaipur_, jaipur_deputy_, jodhpur_, made_by_jaipur_, cron_by_jaipur_;
};

TEST_F(Approvals, ABroadcastOverTheThresholdWaitsForASecondPersonAndIsSentToItsFrozenAudience) {
  auto held = as(jaipur_, "POST", "/v1/broadcasts", R"({"audience": {}, )" + kAnnouncement + "}");
  ASSERT_EQ(held.status, 202) << held.body;
  auto h = object_of(held);
  EXPECT_EQ(h["state"].as_string(), "pending_approval");
  const std::string id(h["approval"].as_string());
  auto shown = as(jaipur_, "GET", "/v1/approvals/" + id);
  ASSERT_EQ(shown.status, 200) << "where the 202's Location points: " << shown.body;
  EXPECT_EQ(object_of(shown)["state"].as_string(), "pending_approval");
  auto frozen = h["frozen"].as_object();
  EXPECT_EQ(number(frozen, "count"), 6) << "Jaipur's six people";
  EXPECT_EQ(frozen["root"].as_string(), "D-JAI");
  EXPECT_EQ(number(frozen["by_unit"].as_object(), "B-JAI-1"), 5);
  EXPECT_THAT(std::string(frozen["sample"].as_object()["text"].as_string()), HasSubstr("बैठक"));
  EXPECT_TRUE(frozen["cost"].as_object().contains("total"));
  // Below the threshold: sent at once.
  EXPECT_NE(object_of(as(jaipur_, "POST", "/v1/broadcasts", R"({"audience": {"units": ["BT-1"]}, )" + kAnnouncement + "}")).count("id"), 0u);

  auto own = as(jaipur_, "POST", "/v1/approvals/" + id + "/approve");
  EXPECT_EQ(own.status, 403) << own.body;
  EXPECT_THAT(own.body, HasSubstr("author"));
  EXPECT_EQ(as(jodhpur_, "POST", "/v1/approvals/" + id + "/approve").status, 404) << "Jodhpur's president cannot see it";
  // A token the author made is the author's: it may neither approve nor escape the rule.
  EXPECT_EQ(as(made_by_jaipur_, "POST", "/v1/approvals/" + id + "/approve").status, 403);
  auto escaped = as(cron_by_jaipur_, "POST", "/v1/broadcasts", R"({"audience": {}, )" + kAnnouncement + "}");
  EXPECT_EQ(object_of(escaped)["state"].as_string(), "pending_approval") << "a scheduler token made by a president is held like the president: " << escaped.body;
  EXPECT_EQ(object_of(as(jodhpur_, "GET", "/v1/approvals"))["approvals"].as_array().size(), 0u);
  ASSERT_EQ(object_of(as(jaipur_deputy_, "GET", "/v1/approvals?state=pending_approval"))["approvals"].as_array().size(), 2u)
      << "the president's, and the one its cron made";
  auto one_page = object_of(as(jaipur_deputy_, "GET", "/v1/approvals?state=pending_approval&per_page=1"));
  ASSERT_EQ(one_page["approvals"].as_array().size(), 1u);
  EXPECT_EQ(number(one_page, "total"), 2);
  ASSERT_TRUE(one_page["next"].is_string()) << json::serialize(one_page);
  auto second_page = object_of(as(jaipur_deputy_, "GET", std::string(one_page["next"].as_string())));
  ASSERT_EQ(second_page["approvals"].as_array().size(), 1u) << "the page after, by the `next` link";
  EXPECT_NE(second_page["approvals"].as_array()[0].as_object().at("id"), one_page["approvals"].as_array()[0].as_object().at("id"));
  EXPECT_TRUE(second_page["next"].is_null());

  auto approved = as(jaipur_deputy_, "POST", "/v1/approvals/" + id + "/approve", R"({"reason": "checked with the office"})");
  ASSERT_EQ(approved.status, 202) << approved.body;
  const std::string broadcast(object_of(approved)["broadcast"].as_string());
  EXPECT_EQ(number(object_of(approved), "recipients"), 6);
  auto sent = object_of(as(jaipur_, "GET", "/v1/broadcasts/" + broadcast));
  EXPECT_EQ(number(sent, "total"), 6) << "the author sees what was sent for them";
  EXPECT_EQ(as(daemon_->token(), "POST", "/v1/approvals/" + id + "/approve").status, 409) << "decided once";
  auto listed = object_of(as(jaipur_, "GET", "/v1/approvals?state=sent"))["approvals"].as_array();
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].as_object().at("broadcast").as_string(), broadcast);

  // A rejection says why, and is final.
  auto second = object_of(as(jaipur_, "POST", "/v1/broadcasts", R"({"audience": {"units": ["D-JAI"]}, )" + kAnnouncement + "}"));
  const std::string other(second["approval"].as_string());
  EXPECT_EQ(as(jaipur_deputy_, "POST", "/v1/approvals/" + other + "/reject").status, 400) << "no reason";
  ASSERT_EQ(as(jaipur_deputy_, "POST", "/v1/approvals/" + other + "/reject", R"({"reason": "not before the rally"})").status, 200);
  EXPECT_EQ(as(daemon_->token(), "POST", "/v1/approvals/" + other + "/approve").status, 409);
  EXPECT_THAT(as(daemon_->token(), "GET", "/v1/audit?action=reject").body, HasSubstr("not before the rally"));
  EXPECT_EQ(as(daemon_->token(), "POST", "/v1/approvals/ap999/approve").status, 404);
}

// A meeting's summons, a reminder to those who have not answered and a
// reminder of missing reports are held like a broadcast; each runs, once
// approved, as its author asked; an Idempotency-Key names the held request.
TEST_F(Approvals, AMeetingItsReminderAndAReportReminderOverTheThresholdWaitForASecondPerson) {
  const std::string meeting_body = R"({"title": "Zila baithak", "venue": "Jaipur office", "starts_at": ")" + utc_in(48h) +
                                   R"(", "ends_at": ")" + utc_in(50h) + R"(", "organiser": "D-JAI"})";
  auto ask = [&](const std::string& key) {
    return http("POST", daemon_->url("/v1/meetings"), meeting_body, "application/json",
                {{"Authorization", "Bearer " + jaipur_}, {"Idempotency-Key", key}});
  };
  auto held = ask("zila-1");
  ASSERT_EQ(held.status, 202) << held.body;
  auto h = object_of(held);
  EXPECT_EQ(h["state"].as_string(), "pending_approval");
  EXPECT_EQ(h["kind"].as_string(), "meeting");
  const std::string id(h["approval"].as_string());
  auto again = object_of(ask("zila-1"));
  EXPECT_EQ(again["approval"].as_string(), id) << "the same key names the same held request, never a second";
  EXPECT_EQ(object_of(as(jaipur_, "GET", "/v1/meetings"))["meetings"].as_array().size(), 0u) << "no meeting before it is approved";
  EXPECT_EQ(as(jaipur_, "POST", "/v1/approvals/" + id + "/approve").status, 403) << "never by its author";

  auto approved = as(jaipur_deputy_, "POST", "/v1/approvals/" + id + "/approve");
  ASSERT_EQ(approved.status, 202) << approved.body;
  auto a = object_of(approved);
  const std::string meeting(a["meeting"].as_string());
  EXPECT_GT(number(a, "recipients"), 2);
  auto shown = object_of(as(jaipur_, "GET", "/v1/meetings/" + meeting));
  auto listed = object_of(as(jaipur_deputy_, "GET", "/v1/approvals"))["approvals"].as_array();
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(shown["author"], listed[0].as_object().at("author")) << "made in its author's name, not its approver's";
  EXPECT_EQ(shown["summons"].as_string(), a["broadcast"].as_string());

  // Everyone summoned is silent so far: a reminder to them is over the threshold too.
  auto remind = as(jaipur_, "POST", "/v1/meetings/" + meeting + "/remind");
  ASSERT_EQ(remind.status, 202) << remind.body;
  ASSERT_TRUE(object_of(remind)["kind"].is_string()) << remind.body;
  EXPECT_EQ(object_of(remind)["kind"].as_string(), "meeting_reminder");
  const std::string reminder(object_of(remind)["approval"].as_string());
  auto reminded = as(jaipur_deputy_, "POST", "/v1/approvals/" + reminder + "/approve");
  ASSERT_EQ(reminded.status, 202) << reminded.body;
  EXPECT_EQ(object_of(reminded)["meeting"].as_string(), meeting);
  EXPECT_TRUE(object_of(reminded)["broadcast"].is_string()) << reminded.body;

  // Jaipur's three booth presidents have not reported today.
  auto reports = as(jaipur_, "POST", "/v1/reports/remind", R"({"level": "booth", "role": "president"})");
  ASSERT_EQ(reports.status, 202) << reports.body;
  ASSERT_TRUE(object_of(reports)["kind"].is_string()) << reports.body;
  EXPECT_EQ(object_of(reports)["kind"].as_string(), "report_reminder");
  auto report_reminded = as(jaipur_deputy_, "POST", "/v1/approvals/" + std::string(object_of(reports)["approval"].as_string()) + "/approve");
  ASSERT_EQ(report_reminded.status, 202) << report_reminded.body;
  EXPECT_EQ(number(object_of(report_reminded), "recipients"), 3);
  EXPECT_EQ(object_of(as(jaipur_, "GET", "/v1/approvals?state=sent"))["approvals"].as_array().size(), 3u);
}

// An undecided request expires: read and decided as expired, never sent.
TEST(ApprovalStore, AnUndecidedRequestExpires) {
  Log log(LogLevel::error);
  IoRunner io;
  redis::Options o;
  o.port = shared_redis_port();
  auto client = redis::Client::create(io.executor(), o, log);
  client->start();
  ASSERT_TRUE(eventually([&] { return client->connected(); }, 5s));
  auto clock = std::make_shared<ManualClock>(std::chrono::system_clock::time_point(std::chrono::milliseconds(1'800'000'000'000)));
  approvals::ApprovalStore store(client, unique_prefix(), clock);
  const auto id = io.run(store.hold({{"kind", "broadcast"}, {"author", "token:tk1"}}, {919829000001ull}, std::chrono::hours(24))).value();
  EXPECT_EQ(io.run(store.get(id)).value()->field("state"), "pending_approval");
  clock->advance(std::chrono::hours(24) - std::chrono::milliseconds(1));
  EXPECT_EQ(io.run(store.get(id)).value()->field("state"), "pending_approval");
  clock->advance(std::chrono::milliseconds(1));
  EXPECT_EQ(io.run(store.get(id)).value()->field("state"), "expired");
  EXPECT_EQ(io.run(store.decide(id, "approved", "token:tk2", "")).value(), "expired");
  EXPECT_EQ(io.run(store.people(id)).value(), std::vector<std::uint64_t>{919829000001ull});
  client->stop();
  for (int turn = 0; turn < 2; ++turn) io.run([]() -> boost::asio::awaitable<void> { co_return; }());
}

}  // namespace

namespace {

// The daily quota: each user or token of a profile sends to so many
// recipients a day, a broadcast that would go over is refused whole.
TEST(SendQuota, ABroadcastOverTheDaysQuotaIsRefusedWhole) {
  DaemonUnderTest daemon(shared_redis_port(), unique_prefix(),
                         "auth:\n  profiles:\n    cron_lead: [view, send_announcement, send_summons, manage_tokens]\n  daily_quota:\n    cron_lead: 7\n");
  daemon.start();
  ASSERT_TRUE(daemon.wait_ready(10s)) << daemon.process().log();
  ASSERT_EQ(import_sample_directory(daemon), "");
  auto as = [&](const std::string& token, const std::string& method, const std::string& path, const std::string& body = "") {
    return http(method, daemon.url(path), body, "application/json", {{"Authorization", "Bearer " + token}});
  };
  auto mint = [&] { return daemon.cli_token("cron", "cron_lead", "RJ"); };  // each its own person (made by the CLI)
  const auto cron = mint(), other = mint();
  const std::string cron_child(
      object_of(as(cron, "POST", "/v1/tokens", R"({"name": "child", "profile": "cron_lead", "scope": ["RJ"]})"))["token"].as_string());
  auto send = [&](const std::string& token, const std::string& unit) {
    return as(token, "POST", "/v1/broadcasts", R"({"audience": {"units": [")" + unit + R"("]}, )" + kAnnouncement + "}");
  };
  EXPECT_EQ(send(cron, "B-JAI-1").status, 202) << "5 of 7";
  EXPECT_EQ(send(cron, "BT-1").status, 202) << "7 of 7";
  auto over = send(cron, "BT-2");
  EXPECT_EQ(over.status, 429) << over.body;
  EXPECT_THAT(over.body, HasSubstr("7 used"));
  EXPECT_EQ(send(cron_child, "BT-2").status, 429) << "a token it made shares its quota";
  EXPECT_EQ(send(other, "BT-2").status, 202) << "another person's quota is its own";
  EXPECT_EQ(send(daemon.token(), "RJ").status, 202) << "state_admin has no quota here";
  // A meeting's summons takes from the same quota.
  auto meeting = [&](const std::string& token) {
    return as(token, "POST", "/v1/meetings",
              R"({"title": "t", "venue": "v", "starts_at": ")" + utc_in(48h) + R"(", "ends_at": ")" + utc_in(50h) + R"(", "organiser": "B-JAI-1"})");
  };
  EXPECT_EQ(meeting(cron).status, 429) << "7 of 7 used";
  EXPECT_EQ(meeting(other).status, 201) << "1 + 5 of 7";
  EXPECT_EQ(meeting(other).status, 429) << "6 + 5 would be over 7";
}

}  // namespace
