// Broadcasts posted with a send_at to come, on real daemons sending to the
// provider simulator: the audience is resolved when the broadcast starts
// (a person added meanwhile is reached), it is changed with PATCH and
// If-Match until then, it starts once across two instances and a restart,
// and one that could not start within its grace, or whose author was
// revoked meanwhile, ends not_sent saying why. Duplicates are counted by
// the simulator. Time is moved by writing a start's due time into the
// scheduler's keys, as tests/integration/schedules_test.cpp does; one test
// lets a few seconds pass for real, so that it means the same on code that
// froze the audience when the broadcast was posted.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <thread>

#include "broadcast/spec.hpp"
#include "integration/dispatch_fixture.hpp"
#include "support/json_body.hpp"
#include "support/scheduler_time.hpp"
#include "support/utc_in.hpp"

using namespace orgcast::testing;
using namespace std::chrono_literals;
using ::testing::HasSubstr;

namespace {


std::string to_rj(const std::string& more = "") {
  return R"({"audience": {"units": ["RJ"]}, "template": "announcement", "variables": {"subject": "Sabha", "details": "at the office"}, "channels": ["sms"])" +
         more + "}";
}

class ScheduledBroadcasts : public DispatchTest {
 protected:
  // The planned starts of broadcast `id`, as the durable scheduler holds them.
  std::vector<std::string> starts(const std::string& id) { return scheduled_items(prefix_, "broadcast:" + id + "@"); }
  // The start comes due at `at`, as the clock would bring it.
  void due_at(const std::string& item, std::chrono::system_clock::time_point at) { make_due(prefix_, item, at); }
  // The broadcast was planned for `at` (as if it had been posted long ago), and its start comes due now.
  void planned_for(const std::string& id, std::chrono::system_clock::time_point at) {
    for (const auto& item : starts(id)) {
      auto message = json::parse(shared_redis({"HGET", prefix_ + "bc:" + id, "message"}).at(0)).as_object();
      message["send_at"] = orgcast::broadcast::format_rfc3339(at);
      shared_redis({"HSET", prefix_ + "bc:" + id, "message", json::serialize(message)});
      auto payload = json::parse(shared_redis({"HGET", prefix_ + "sch:item:" + item, "payload"}).at(0)).as_object();
      payload["send_at_ms"] = ms_since_epoch(orgcast::broadcast::parse_rfc3339(orgcast::broadcast::format_rfc3339(at)).value());
      shared_redis({"HSET", prefix_ + "sch:item:" + item, "payload", json::serialize(payload)});
      due_at(item, std::chrono::system_clock::now());
    }
  }
  HttpResult patch(const std::string& id, const std::string& body, const std::string& if_match) {
    std::vector<std::pair<std::string, std::string>> headers;
    if (!if_match.empty()) headers.emplace_back("If-Match", if_match);
    return http("PATCH", daemon_->url("/v1/broadcasts/" + id), body, "application/json", headers);
  }
  std::string state(const std::string& id) { return std::string(info(id)["state"].as_string()); }
};

// The ETag header's value ("" none).
std::string etag_of(const HttpResult& r) {
  std::string lower = r.headers;
  for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  const auto at = lower.find("\netag: ");
  if (at == std::string::npos) return "";
  const auto end = r.headers.find_first_of("\r\n", at + 7);
  return r.headers.substr(at + 7, end - at - 7);
}

TEST_F(ScheduledBroadcasts, ItsAudienceIsResolvedWhenItStartsNotWhenItWasPosted) {
  start({"--report-delay-ms", "10"});
  auto id = post(to_rj(R"(, "send_at": ")" + orgcast::broadcast::format_rfc3339(std::chrono::system_clock::now() + 4s) + "\""));
  ASSERT_FALSE(id.empty());
  EXPECT_EQ(info(id)["state"].as_string(), "scheduled");
  // Someone joins a booth of the state before it starts.
  auto added = http("PUT", daemon_->url("/v1/directory/contacts/C99"),
                    R"({"name": "Dinesh Verma", "mobile": "98290 00099", "unit_id": "BT-2", "role": "secretary"})");
  ASSERT_EQ(added.status, 200) << added.body;
  ASSERT_TRUE(eventually([&] { return daemon_->get("/readyz").body.find("\"directory_version\":1,") == std::string::npos; }, 5s))
      << daemon_->get("/readyz").body;
  ASSERT_TRUE(eventually([&] { return count(id, "delivered") == 12; }, 20s)) << json::serialize(info(id));
  EXPECT_EQ(info(id)["total"].as_int64(), 12) << "the 11 of the directory when it was posted, and the one added before it started";
  auto stats = sim_stats();
  EXPECT_EQ(stats["accepted"].as_int64(), 12);
  EXPECT_EQ(stats["duplicates"].as_int64(), 0);
}

TEST_F(ScheduledBroadcasts, ItIsChangedWithIfMatchUntilItStartsAndThenNot) {
  start({"--report-delay-ms", "10"});
  auto made = http("POST", daemon_->url("/v1/broadcasts"), to_rj(R"(, "send_at": ")" + utc_in(3600s) + "\""));
  ASSERT_EQ(made.status, 202) << made.body;
  const std::string id(object_of(made)["id"].as_string());
  EXPECT_EQ(object_of(made)["recipients"].as_int64(), 11) << "whom it matches now";
  EXPECT_EQ(etag_of(made), "\"v1\"");
  EXPECT_EQ(etag_of(daemon_->get("/v1/broadcasts/" + id)), "\"v1\"");

  const std::string to_jodhpur = R"({"audience": {"units": ["D-JOD"]}, "variables": {"subject": "Sabha", "details": "moved to Thursday"}})";
  struct Row {
    std::string body, if_match;
    int status;
    std::string says;
  };
  const std::vector<Row> refused = {
      {to_jodhpur, "", 428, "If-Match: \\\"v1\\\""},
      {to_jodhpur, "\"v7\"", 412, "it is now \\\"v1\\\""},
      {to_jodhpur, "W/\"v1\"", 412, "read it again"},
      {R"({"send_at": "2100-01-01T00:00:00Z"})", "\"v1\"", 400, "more than a year ahead"},
      {"{}", "\"v1\"", 400, "at least 1 field"},
      {R"({"channels": ["whatsapp"]})", "\"v1\"", 400, "/channels"},
      {R"({"send_at": "2020-01-01T10:00:00+05:30"})", "\"v1\"", 400, "/send_at"},
      {R"({"send_at": 5})", "\"v1\"", 400, "/send_at"},
      {R"({"audience": {"units": ["NOWHERE"]}})", "\"v1\"", 400, "/audience/units/0"},
      {R"({"audience": {"units": ["BT-4"], "tags": ["it_cell"]}})", "\"v1\"", 422, "tags"},
      {R"({"variables": {"subject": "s"}})", "\"v1\"", 400, "details"},
  };
  for (const auto& row : refused) {
    auto r = patch(id, row.body, row.if_match);
    EXPECT_EQ(r.status, row.status) << row.body << " If-Match " << row.if_match << ": " << r.body;
    EXPECT_THAT(r.body, HasSubstr(row.says)) << row.body;
  }
  EXPECT_EQ(patch("b999999", to_jodhpur, "\"v1\"").status, 404);
  // Sent in its author's name: another who may send but not approve does not change it.
  const auto scheduler = daemon_->cli_token("cron", "scheduler", "*");
  auto not_theirs = http("PATCH", daemon_->url("/v1/broadcasts/" + id), to_jodhpur, "application/json",
                         {{"If-Match", "\"v1\""}, {"Authorization", "Bearer " + scheduler}});
  EXPECT_EQ(not_theirs.status, 403) << not_theirs.body;
  EXPECT_EQ(patch("b4:c", to_jodhpur, "\"v1\"").status, 404);

  auto changed = patch(id, to_jodhpur, "\"v9\", \"v1\"");  // a list of tags: one is enough (RFC 9110)
  ASSERT_EQ(changed.status, 200) << changed.body;
  EXPECT_EQ(etag_of(changed), "\"v2\"");
  EXPECT_EQ(object_of(changed)["recipients"].as_int64(), 4);
  auto shown = info(id);
  EXPECT_EQ(shown["version"].as_int64(), 2);
  EXPECT_EQ(shown["message"].as_object()["variables"].as_object()["details"].as_string(), "moved to Thursday");
  EXPECT_EQ(patch(id, to_jodhpur, "\"v1\"").status, 412) << "a second change from the same reading is refused";
  EXPECT_THAT(daemon_->get("/v1/audit?action=broadcast_edit").body, HasSubstr(id));

  // Both starts come due: the first version's finds it changed and does nothing; the second sends to Jodhpur, once.
  auto planned = starts(id);
  ASSERT_EQ(planned.size(), 2u);
  for (const auto& item : planned) due_at(item, std::chrono::system_clock::now());
  ASSERT_TRUE(eventually([&] { return count(id, "delivered") == 4; }, 15s)) << json::serialize(info(id));
  std::this_thread::sleep_for(500ms);
  EXPECT_EQ(sim_stats()["accepted"].as_int64(), 4);
  EXPECT_EQ(count_in(info(id), "by_unit", "D-JOD:delivered") + count_in(info(id), "by_unit", "B-JOD-1:delivered"), 4) << "all in Jodhpur";
  EXPECT_TRUE(etag_of(daemon_->get("/v1/broadcasts/" + id)).empty()) << "started: no longer changed";
  auto late = patch(id, to_jodhpur, "\"v2\"");
  EXPECT_EQ(late.status, 409) << late.body;

  // A broadcast sent at once is not changed either.
  auto now = post(to_rj());
  EXPECT_EQ(patch(now, to_jodhpur, "\"v1\"").status, 409);
}

TEST_F(ScheduledBroadcasts, ItStartsOnceAcrossTwoInstancesAndARestart) {
  start({"--report-delay-ms", "10"});
  const int port = free_port();
  auto second = std::make_unique<DaemonUnderTest>(
      shared_redis_port(), prefix_,
      dispatch_section(*sim_, port, "  workers: 2\n  concurrency: 8\n  retry_base_ms: 20\n  retry_cap_ms: 200\n  max_attempts: 10\n"), port);
  second->start();
  ASSERT_TRUE(second->wait_ready(10s)) << second->process().log();
  ASSERT_TRUE(eventually([&] { return second->get("/readyz").body.find("\"directory_version\":1") != std::string::npos; }, 5s));
  std::vector<std::string> ids;
  for (int n = 0; n < 7; ++n) ids.push_back(post(to_rj(R"(, "send_at": ")" + utc_in(3600s) + "\"")));
  // A time with milliseconds (as JavaScript writes one) is kept, and started, in whole seconds.
  auto with_ms = utc_in(3600s);
  with_ms.insert(with_ms.size() - 1, ".250");
  ids.push_back(post(to_rj(R"(, "send_at": ")" + with_ms + "\"")));
  // One instance restarts before they come due.
  second.reset();
  second = std::make_unique<DaemonUnderTest>(
      shared_redis_port(), prefix_,
      dispatch_section(*sim_, port, "  workers: 2\n  concurrency: 8\n  retry_base_ms: 20\n  retry_cap_ms: 200\n  max_attempts: 10\n"), port);
  second->start();
  ASSERT_TRUE(second->wait_ready(10s)) << second->process().log();
  for (const auto& id : ids)
    for (const auto& item : starts(id)) due_at(item, std::chrono::system_clock::now());
  for (const auto& id : ids) ASSERT_TRUE(eventually([&] { return count(id, "delivered") == 11; }, 20s)) << id << json::serialize(info(id));
  std::this_thread::sleep_for(500ms);
  auto stats = sim_stats();
  // The eight go to the same 11 people: the provider's count of what it took says each was started once.
  EXPECT_EQ(stats["accepted"].as_int64(), 88) << "8 broadcasts of 11, each started once";
}

TEST_F(ScheduledBroadcasts, OneThatCannotStartInTimeOrWhoseAuthorIsGoneIsNotSentAndSaysWhy) {
  start({"--report-delay-ms", "10"});
  // Two hours late (the service was down at its time): over the grace.
  auto late = post(to_rj(R"(, "send_at": ")" + utc_in(3600s) + "\""));
  ASSERT_FALSE(late.empty());
  planned_for(late, std::chrono::system_clock::now() - 2h);
  ASSERT_TRUE(eventually([&] { return state(late) == "not_sent"; }, 10s)) << json::serialize(info(late));
  EXPECT_THAT(std::string(info(late)["not_sent_because"].as_string()), HasSubstr("over the grace of 30 min"));
  auto cancel_late = http("POST", daemon_->url("/v1/broadcasts/" + late + "/cancel"));
  EXPECT_EQ(cancel_late.status, 409) << "not sent is final: " << cancel_late.body;
  EXPECT_EQ(state(late), "not_sent");

  // Its author's token revoked before it starts.
  auto token = http("POST", daemon_->url("/v1/tokens"), R"({"name": "nightly job", "profile": "scheduler", "scope": ["RJ"], "expires_in_days": 30})");
  ASSERT_EQ(token.status, 201) << token.body;
  const std::string secret(object_of(token)["token"].as_string()), token_id(object_of(token)["id"].as_string());
  auto made = http("POST", daemon_->url("/v1/broadcasts"), to_rj(R"(, "send_at": ")" + utc_in(3600s) + "\""), "application/json",
                   {{"Authorization", "Bearer " + secret}});
  ASSERT_EQ(made.status, 202) << made.body;
  const std::string orphan(object_of(made)["id"].as_string());
  ASSERT_EQ(http("POST", daemon_->url("/v1/tokens/" + token_id + "/revoke")).status, 200);
  for (const auto& item : starts(orphan)) due_at(item, std::chrono::system_clock::now());
  ASSERT_TRUE(eventually([&] { return state(orphan) == "not_sent"; }, 10s)) << json::serialize(info(orphan));
  EXPECT_THAT(std::string(info(orphan)["not_sent_because"].as_string()), HasSubstr("can no longer send"));

  // Cancelled before it starts: its start does nothing.
  auto cancelled = post(to_rj(R"(, "send_at": ")" + utc_in(3600s) + "\""));
  ASSERT_EQ(http("POST", daemon_->url("/v1/broadcasts/" + cancelled + "/cancel")).status, 202);
  for (const auto& item : starts(cancelled)) due_at(item, std::chrono::system_clock::now());
  ASSERT_TRUE(eventually([&] { return starts(cancelled).empty(); }, 10s)) << "claimed and done";
  EXPECT_EQ(state(cancelled), "cancelled");
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(sim_stats()["requests"].as_int64(), 0) << "none of the three sent anything";
  EXPECT_THAT(daemon_->get("/v1/audit?action=send").body, HasSubstr("scheduled broadcast not sent"));
}

}  // namespace
