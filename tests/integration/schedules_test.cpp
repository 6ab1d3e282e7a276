// Recurring schedules on real daemons sharing one Redis: each occurrence
// runs once whichever instance claims it, across a restart, and makes its
// request in its author's name; one that comes later than its grace (an
// outage) is skipped and recorded, never sent. Time is moved by writing the
// occurrence's due time into the scheduler's keys (no sleeping for 09:00);
// when an occurrence runs against the clock is the pure plan_occurrence,
// tested on given times in tests/unit/cron_test.cpp.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "support/daemon_under_test.hpp"
#include "support/generated_directory.hpp"
#include "support/http_client.hpp"
#include "support/json_body.hpp"
#include "support/redis_server.hpp"
#include "support/scheduler_time.hpp"

using namespace orgcast::testing;
using namespace std::chrono_literals;
namespace json = boost::json;

namespace {


const std::string kEveryMorning =
    R"({"name": "Morning word to Jaipur", "cron": "0 9 * * *", "grace_minutes": 30,
        "broadcast": {"audience": {"units": ["D-JAI"]}, "template": "announcement", "variables": {"subject": "Sabha", "details": "at the office"}, "channels": ["sms"]}})";

class Schedules : public ::testing::Test {
 protected:
  void SetUp() override {
    for (auto& d : daemons_) {
      d = std::make_unique<DaemonUnderTest>(shared_redis_port(), prefix_);
      d->start();
      ASSERT_TRUE(d->wait_ready(10s));
    }
    ASSERT_EQ(import_sample_directory(*daemons_[0]), "");
    // Whichever instance runs an occurrence has the directory.
    for (auto& d : daemons_)
      ASSERT_TRUE(eventually([&] { return d->get("/readyz").body.find("\"directory_version\":1") != std::string::npos; }, 5s));
  }
  // The planned occurrences of schedule `id`, as the durable scheduler holds them.
  std::vector<std::string> planned(const std::string& id) { return scheduled_items(prefix_, "schedule:" + id + "@"); }
  // The occurrence comes due at `at` (the scheduler's due time, as the clock would bring it).
  void due_at(const std::string& item, std::chrono::system_clock::time_point at) { make_due(prefix_, item, at); }
  json::object schedule(const std::string& id) { return object_of(daemons_[1]->get("/v1/schedules/" + id)); }
  std::string last_outcome(const std::string& id) {
    auto s = schedule(id);
    return s["last"].is_object() ? std::string(s["last"].as_object()["outcome"].as_string()) : "";
  }
  std::size_t broadcasts() { return object_of(daemons_[0]->get("/v1/broadcasts"))["broadcasts"].as_array().size(); }

  std::string prefix_ = unique_prefix();
  std::unique_ptr<DaemonUnderTest> daemons_[2];
};

TEST_F(Schedules, EachOccurrenceRunsOnceAcrossTwoInstancesAndARestartAndALateOneIsSkipped) {
  auto made = http("POST", daemons_[0]->url("/v1/schedules"), kEveryMorning);
  ASSERT_EQ(made.status, 201) << made.body;
  const std::string id(object_of(made)["id"].as_string());
  EXPECT_FALSE(object_of(made)["next_at"].is_null());
  auto first = planned(id);
  ASSERT_EQ(first.size(), 1u) << "its first occurrence, named by its time";

  // On time (a few seconds late): both instances poll; one runs it, once.
  due_at(first[0], std::chrono::system_clock::now() - 5s);
  ASSERT_TRUE(eventually([&] { return last_outcome(id).starts_with("made b"); }, 10s)) << json::serialize(schedule(id));
  std::this_thread::sleep_for(500ms);
  EXPECT_EQ(broadcasts(), 1u) << "one broadcast for one occurrence, whichever instance ran it";
  auto listed = object_of(daemons_[0]->get("/v1/broadcasts"))["broadcasts"].as_array();
  EXPECT_EQ(listed[0].as_object().at("author").as_string(), "token:tk1") << "in its author's name";
  auto second = planned(id);
  ASSERT_EQ(second.size(), 1u) << "the next one planned";
  EXPECT_NE(second[0], first[0]);

  // A restart of one instance; then an occurrence two hours late (an
  // outage): skipped and recorded, never sent hours late.
  daemons_[0].reset();
  daemons_[0] = std::make_unique<DaemonUnderTest>(shared_redis_port(), prefix_);
  daemons_[0]->start();
  ASSERT_TRUE(daemons_[0]->wait_ready(10s));
  ASSERT_TRUE(eventually([&] { return daemons_[0]->get("/readyz").body.find("\"directory_version\":1") != std::string::npos; }, 5s));
  due_at(second[0], std::chrono::system_clock::now() - 2h);
  ASSERT_TRUE(eventually([&] { return last_outcome(id).starts_with("skipped"); }, 10s)) << json::serialize(schedule(id));
  EXPECT_NE(last_outcome(id).find("over its grace of 30 min"), std::string::npos) << last_outcome(id);
  EXPECT_EQ(broadcasts(), 1u) << "nothing sent for the skipped one";

  // The one after runs again, once.
  auto third = planned(id);
  ASSERT_EQ(third.size(), 1u);
  due_at(third[0], std::chrono::system_clock::now());
  ASSERT_TRUE(eventually([&] { return broadcasts() == 2u; }, 10s)) << json::serialize(schedule(id));
  std::this_thread::sleep_for(500ms);
  EXPECT_EQ(broadcasts(), 2u);

  // Ended: its planned occurrence finds nothing to do.
  ASSERT_EQ(http("DELETE", daemons_[0]->url("/v1/schedules/" + id)).status, 200);
  auto fourth = planned(id);
  ASSERT_EQ(fourth.size(), 1u);
  due_at(fourth[0], std::chrono::system_clock::now());
  ASSERT_TRUE(eventually([&] { return planned(id).empty(); }, 10s)) << "claimed and done, and no next one";
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(broadcasts(), 2u);
  EXPECT_EQ(daemons_[1]->get("/v1/schedules/" + id).status, 404);
  const auto trail = daemons_[0]->get("/v1/audit?action=schedule_create").body + daemons_[0]->get("/v1/audit?action=schedule_delete").body;
  EXPECT_NE(trail.find("schedule_create"), std::string::npos) << trail;
  EXPECT_NE(trail.find("schedule_delete"), std::string::npos) << trail;
}

TEST_F(Schedules, BadOnesAreRefusedSayingWhereAndAnothersIsNotSeen) {
  struct Row {
    std::string body;
    int status;
    std::string names;
  };
  const std::vector<Row> rows = {
      {R"({"name": "x", "cron": "0 25 * * *", "report_reminder": {"level": "district", "role": "president"}})", 400, "hour: values must be from 0 to 23"},
      {R"({"name": "x", "cron": "0 9 * *", "report_reminder": {"level": "district", "role": "president"}})", 400, "five fields"},
      {R"({"name": "x", "cron": "0 9 * * *"})", 400, "broadcast, report_reminder or meeting_reminder"},
      {R"({"name": "x", "cron": "0 9 * * *", "report_reminder": {"level": "district", "role": "president"}, "broadcast": {}})", 400, "give one of"},
      {R"({"name": "x", "cron": "0 9 * * *", "broadcast": {"audience": {}, "template": "announcement", "channels": ["fax"]}})", 400, "/broadcast/channels/0"},
      {R"({"name": "x", "cron": "0 9 * * *", "report_reminder": {"level": "district", "rol": "president"}})", 400, "/report_reminder/rol"},
      // A reminder's level, role, unit and meeting are looked up when it is made.
      {R"({"name": "x", "cron": "0 9 * * *", "report_reminder": {"level": "distrct", "role": "president"}})", 400, "no level"},
      {R"({"name": "x", "cron": "0 9 * * *", "report_reminder": {"level": "district", "role": "president", "unit": "NOWHERE"}})", 400, "no unit"},
      {R"({"name": "x", "cron": "0 9 * * *", "meeting_reminder": {"meeting": "m999"}})", 404, "m999"},
      {R"({"name": "x", "cron": "0 9 * * *", "meeting_reminder": {"meeting": "m1", "request": {"who": 5}}})", 400, "/meeting_reminder/request/who"},
      {R"({"name": "x", "cron": "0 9 * * *", "grace_minutes": -1, "report_reminder": {"level": "district", "role": "president"}})", 400, "/grace_minutes"},
      {R"({"name": "x", "cron": "0 0 31 2 *", "report_reminder": {"level": "district", "role": "president"}})", 400, "no time"},
      // What a broadcast means is checked when it is scheduled, not at 09:00 every day after.
      {R"({"name": "x", "cron": "0 9 * * *", "broadcast": {"audience": {"units": ["D-JAI"]}, "template": "nope", "channels": ["sms"]}})", 400, "/broadcast/template"},
      {R"({"name": "x", "cron": "0 9 * * *", "broadcast": {"audience": {"units": ["NOWHERE"]}, "template": "announcement", "variables": {"subject": "s", "details": "d"}, "channels": ["sms"]}})", 400, "/broadcast/audience/units/0"},
      {R"({"name": "x", "cron": "0 9 * * *", "broadcast": {"audience": {}, "template": "announcement", "variables": {"subject": "s", "details": "d"}, "channels": ["sms"], "send_at": "2030-01-01T09:00:00+05:30"}})", 400, "/broadcast/send_at"},
  };
  for (const auto& row : rows) {
    auto r = http("POST", daemons_[0]->url("/v1/schedules"), row.body);
    EXPECT_EQ(r.status, row.status) << row.body << ": " << r.body;
    EXPECT_NE(r.body.find(row.names), std::string::npos) << row.body << ": " << r.body;
  }
  EXPECT_EQ(http("POST", daemons_[0]->url("/v1/schedules"), kEveryMorning, "application/json", {{"Authorization", ""}}).status, 401);
  // A maker needs the permission of what it schedules.
  const auto viewer = daemons_[0]->cli_token("cron", "scheduler", "*");  // no manage_meetings
  ASSERT_FALSE(viewer.empty());
  const auto as_viewer = http("POST", daemons_[0]->url("/v1/schedules"),
                              R"({"name": "x", "cron": "0 9 * * *", "meeting_reminder": {"meeting": "m1"}})", "application/json",
                              {{"Authorization", "Bearer " + viewer}});
  EXPECT_EQ(as_viewer.status, 403) << as_viewer.body;
  // Another's schedule is not seen, nor ended.
  auto made = http("POST", daemons_[0]->url("/v1/schedules"), kEveryMorning);
  ASSERT_EQ(made.status, 201) << made.body;
  const std::string id(object_of(made)["id"].as_string());
  const auto other = daemons_[0]->cli_token("jaipur", "district_president", "D-JAI");
  ASSERT_FALSE(other.empty());
  auto as_other = [&](const std::string& method, const std::string& path) {
    return http(method, daemons_[0]->url(path), "", "application/json", {{"Authorization", "Bearer " + other}});
  };
  EXPECT_EQ(as_other("GET", "/v1/schedules/" + id).status, 404);
  EXPECT_EQ(as_other("DELETE", "/v1/schedules/" + id).status, 404);
  EXPECT_EQ(object_of(as_other("GET", "/v1/schedules"))["schedules"].as_array().size(), 0u);
  auto outside = http("POST", daemons_[0]->url("/v1/schedules"),
                      R"({"name": "x", "cron": "0 9 * * *", "broadcast": {"audience": {"units": ["D-JOD"]}, "template": "announcement", "variables": {"subject": "s", "details": "d"}, "channels": ["sms"]}})",
                      "application/json", {{"Authorization", "Bearer " + other}});
  EXPECT_EQ(outside.status, 403) << "another district's audience, refused when scheduled: " << outside.body;
  EXPECT_EQ(daemons_[0]->get("/v1/schedules/sc999").status, 404);
  EXPECT_EQ(daemons_[0]->get("/v1/schedules/b1").status, 404) << "not a schedule's id";
}

}  // namespace
