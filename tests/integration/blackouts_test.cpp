// Blackouts made through the API (/v1/blackouts) hold their region at the
// moment of sending, on a real daemon sending to provider-sim: the rest of
// a state-wide broadcast goes, the region's part waits and goes once the
// blackout is ended. Each change is audited; another district's cannot be
// seen or ended; with time_rules.refuse_into_blackout a broadcast posted
// into one is refused naming it.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "support/daemon_under_test.hpp"
#include "support/generated_directory.hpp"
#include "support/http_client.hpp"
#include "support/json_body.hpp"
#include "support/provider_sim_process.hpp"
#include "support/redis_server.hpp"
#include "support/utc_in.hpp"

using namespace orgcast::testing;
using namespace std::chrono_literals;
namespace json = boost::json;

namespace {

const std::string kToTheState =
    R"({"audience": {"units": ["RJ"]}, "template": "announcement", "variables": {"subject": "Sabha", "details": "at the office"}, "channels": ["sms"]})";

HttpResult as(const DaemonUnderTest& daemon, const std::string& token, const std::string& method, const std::string& path, const std::string& body = "") {
  return http(method, daemon.url(path), body, "application/json", {{"Authorization", token.empty() ? "" : "Bearer " + token}});
}

std::string blackout_body(const std::string& units, const std::string& from, const std::string& to) {
  return R"({"name": "Phase 1 poll", "units": )" + units + R"(, "from": ")" + from + R"(", "to": ")" + to + "\"}";
}

TEST(Blackouts, MadeThroughTheApiTheyHoldTheirRegionUntilEndedAndAreAudited) {
  ProviderSim sim({"--report-delay-ms", "10"});
  const int port = free_port();
  DaemonUnderTest daemon(shared_redis_port(), unique_prefix(), dispatch_section(sim, port), port);
  daemon.start();
  ASSERT_TRUE(daemon.wait_ready(10s));
  ASSERT_EQ(import_sample_directory(daemon), "");

  auto made = http("POST", daemon.url("/v1/blackouts"), blackout_body(R"(["D-JOD"])", utc_in(-60s), utc_in(3600s)));
  ASSERT_EQ(made.status, 201) << made.body;
  const std::string id(object_of(made)["id"].as_string());
  EXPECT_EQ(object_of(made)["state"].as_string(), "in_force");
  std::this_thread::sleep_for(1500ms);  // every instance reads the blackouts each second

  auto posted = http("POST", daemon.url("/v1/broadcasts"), kToTheState);
  ASSERT_EQ(posted.status, 202) << posted.body << " (held, not refused: time_rules.refuse_into_blackout is off)";
  const std::string b(object_of(posted)["id"].as_string());
  const auto total = number(object_of(posted), "recipients");
  auto counts = [&] { return object_of(daemon.get("/v1/broadcasts/" + b)); };
  auto jodhpur_queued = [&] { return number(counts()["by_unit"].as_object(), "D-JOD:queued"); };
  auto accepted = [&] { return number(object_of(http("GET", sim.url("/stats"))), "accepted"); };
  ASSERT_TRUE(eventually([&] { return jodhpur_queued() > 0 && accepted() == total - jodhpur_queued(); }, 10s))
      << json::serialize(counts()) << " accepted " << accepted();
  std::this_thread::sleep_for(500ms);
  const auto held = jodhpur_queued();
  EXPECT_EQ(accepted(), total - held) << "nobody in Jodhpur during its blackout";
  EXPECT_EQ(number(counts()["counts"].as_object(), "queued"), held);

  // Jaipur's administrator neither sees nor ends Jodhpur's blackout.
  const auto jaipur = daemon.cli_token("jaipur admin", "state_admin", "D-JAI");
  ASSERT_FALSE(jaipur.empty());
  EXPECT_EQ(object_of(as(daemon, jaipur, "GET", "/v1/blackouts"))["blackouts"].as_array().size(), 0u);
  EXPECT_EQ(as(daemon, jaipur, "DELETE", "/v1/blackouts/" + id).status, 404);
  EXPECT_EQ(as(daemon, jaipur, "POST", "/v1/blackouts", blackout_body(R"(["D-JOD"])", utc_in(0s), utc_in(3600s))).status, 403);
  auto listed = object_of(daemon.get("/v1/blackouts"))["blackouts"].as_array();
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].as_object().at("source").as_string(), "api");

  ASSERT_EQ(http("DELETE", daemon.url("/v1/blackouts/" + id)).status, 200);
  ASSERT_TRUE(eventually([&] { return accepted() == total; }, 20s)) << "the held part goes once it is ended: " << json::serialize(counts());
  EXPECT_EQ(number(object_of(http("GET", sim.url("/stats"))), "duplicates"), 0);
  EXPECT_EQ(http("DELETE", daemon.url("/v1/blackouts/" + id)).status, 404) << "ended once";

  const auto trail = daemon.get("/v1/audit?action=blackout_create").body + daemon.get("/v1/audit?action=blackout_delete").body;
  EXPECT_NE(trail.find("\"blackout_create\""), std::string::npos) << trail;
  EXPECT_NE(trail.find("\"blackout_delete\""), std::string::npos) << trail;
  EXPECT_NE(trail.find("Phase 1 poll"), std::string::npos) << trail;
}

TEST(Blackouts, BadOnesAreRefusedSayingWhere) {
  DaemonUnderTest daemon(shared_redis_port(), unique_prefix());
  daemon.start();
  ASSERT_TRUE(daemon.wait_ready(10s));
  ASSERT_EQ(import_sample_directory(daemon), "");
  struct Row {
    std::string token, method, path, body;
    int status;
    std::string names;
  };
  const std::vector<Row> rows = {
      {"", "GET", "/v1/blackouts", "", 401, "unauthenticated"},
      {"", "POST", "/v1/blackouts", blackout_body(R"(["D-JOD"])", utc_in(0s), utc_in(60s)), 401, "unauthenticated"},
      {"admin", "POST", "/v1/blackouts", blackout_body(R"(["NOWHERE"])", utc_in(0s), utc_in(60s)), 400, "/units/0"},
      {"admin", "POST", "/v1/blackouts", blackout_body(R"(["D-JOD"])", utc_in(60s), utc_in(0s)), 400, "/to"},
      {"admin", "POST", "/v1/blackouts", blackout_body(R"(["D-JOD"])", utc_in(-7200s), utc_in(-3600s)), 400, "past"},
      {"admin", "POST", "/v1/blackouts", blackout_body(R"(["D-JOD"])", "tomorrow", utc_in(60s)), 400, "/from"},
      // A year the clock cannot hold once stopped the daemon (an overflow).
      {"admin", "POST", "/v1/blackouts", blackout_body(R"(["D-JOD"])", "0000-01-01T00:00:00Z", "9999-12-31T23:59:59Z"), 400, "/from"},
      {"admin", "POST", "/v1/blackouts", blackout_body(R"(["D-JOD"])", utc_in(0s), "2030-05-07T18:00:00+23:60"), 400, "/to"},
      {"admin", "POST", "/v1/blackouts", blackout_body(R"([])", utc_in(0s), utc_in(60s)), 400, "/units"},
      {"admin", "POST", "/v1/blackouts", R"({"name": "x", "units": ["RJ"], "from": "2030-01-01T00:00:00Z", "to": "2030-01-02T00:00:00Z", "kinds": ["reply"]})", 400, "/kinds/0"},
      {"admin", "POST", "/v1/blackouts", R"({"name": "x", "units": ["RJ"], "from": "2030-01-01T00:00:00Z", "to": "2030-01-02T00:00:00Z", "region": 1})", 400, "/region"},
      {"admin", "DELETE", "/v1/blackouts/bo999", "", 404, "bo999"},
      {"admin", "DELETE", "/v1/blackouts/config:1", "", 404, "blackout"},
  };
  for (const auto& row : rows) {
    auto r = as(daemon, row.token == "admin" ? daemon.token() : "", row.method, row.path, row.body);
    EXPECT_EQ(r.status, row.status) << row.method << " " << row.path << " " << row.body << ": " << r.body;
    EXPECT_NE(r.body.find(row.names), std::string::npos) << row.method << " " << row.path << ": " << r.body;
  }
  EXPECT_EQ(object_of(daemon.get("/v1/blackouts"))["blackouts"].as_array().size(), 0u) << "nothing made";
}

TEST(Blackouts, WithRefuseIntoBlackoutABroadcastPostedIntoOneIs409NamingIt) {
  const std::string config = "time_rules:\n  refuse_into_blackout: true\n  blackouts:\n    - {name: \"Jodhpur poll\", units: [D-JOD], from: \"" + utc_in(-3600s) +
                             "\", to: \"" + utc_in(3600s) + "\", kinds: [announcement]}\n";
  DaemonUnderTest daemon(shared_redis_port(), unique_prefix(), config);
  daemon.start();
  ASSERT_TRUE(daemon.wait_ready(10s)) << daemon.process().log();
  ASSERT_EQ(import_sample_directory(daemon), "");
  auto refused = http("POST", daemon.url("/v1/broadcasts"), kToTheState);
  EXPECT_EQ(refused.status, 409) << refused.body;
  EXPECT_NE(refused.body.find("Jodhpur poll"), std::string::npos) << refused.body;
  EXPECT_NE(refused.body.find("config:1"), std::string::npos) << refused.body;
  auto jaipur = http("POST", daemon.url("/v1/broadcasts"),
                     R"({"audience": {"units": ["D-JAI"]}, "template": "announcement", "variables": {"subject": "Sabha", "details": "at the office"}, "channels": ["sms"]})");
  EXPECT_EQ(jaipur.status, 202) << "another region: " << jaipur.body;
  // A broadcast planned for later, changed so that its audience lies in the blackout when it would be sent: refused as a new one is.
  auto planned = http("POST", daemon.url("/v1/broadcasts"),
                      R"({"audience": {"units": ["D-JAI"]}, "template": "announcement", "variables": {"subject": "Sabha", "details": "at the office"}, "channels": ["sms"], "send_at": ")" +
                          utc_in(1800s) + R"("})");
  ASSERT_EQ(planned.status, 202) << planned.body;
  auto moved = http("PATCH", daemon.url("/v1/broadcasts/" + std::string(object_of(planned)["id"].as_string())), R"({"audience": {"units": ["D-JOD"]}})",
                    "application/json", {{"If-Match", "\"v1\""}});
  EXPECT_EQ(moved.status, 409) << moved.body;
  EXPECT_NE(moved.body.find("Jodhpur poll"), std::string::npos) << moved.body;
  auto listed = object_of(daemon.get("/v1/blackouts"))["blackouts"].as_array();
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].as_object().at("source").as_string(), "config");
  EXPECT_EQ(listed[0].as_object().at("state").as_string(), "in_force");
}

}  // namespace
