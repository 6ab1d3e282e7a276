// orgcastd as a process: config errors stop it with their position, /readyz
// follows Redis going away and coming back, SIGHUP reloads (or refuses a bad
// config and keeps running), SIGTERM stops it cleanly.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

#include "support/daemon_under_test.hpp"
#include "support/redis_server.hpp"

using namespace orgcast::testing;
using namespace std::chrono_literals;
using ::testing::HasSubstr;

namespace {

TEST(DaemonLifecycle, ConfigErrorsStopStartWithFileLineAndColumn) {
  auto dir = temp_dir("badconfig");
  std::string path = dir + "/orgcast.yaml";
  std::ofstream(path) << "server:\n  thraeds: 4\nredis:\n  port: many\n";
  auto result = run_command({build_dir() + "/orgcastd", "--config", path});
  EXPECT_EQ(result.code, 2);
  EXPECT_THAT(result.output, HasSubstr(path + ":2:3: server.thraeds: unknown key; did you mean \"threads\"?"));
  EXPECT_THAT(result.output, HasSubstr(path + ":4:9: redis.port: expected an integer, got \"many\""));
  EXPECT_THAT(result.output, HasSubstr("not starting"));
}

TEST(DaemonLifecycle, ReadyzFollowsRedisAndMetricsAreServed) {
  PrivateRedis redis;
  DaemonUnderTest daemon(redis.port(), unique_prefix());
  daemon.start();
  ASSERT_TRUE(daemon.wait_ready(10s)) << daemon.process().log();
  EXPECT_EQ(daemon.get("/healthz").status, 200);
  auto metrics = daemon.get("/metrics");
  EXPECT_THAT(metrics.body, HasSubstr("orgcast_redis_connected 1"));
  EXPECT_THAT(metrics.content_type, HasSubstr("text/plain"));

  redis.stop();
  ASSERT_TRUE(eventually([&] { return daemon.get("/readyz").status == 503; }, 5s));
  auto not_ready = daemon.get("/readyz");
  EXPECT_THAT(not_ready.body, HasSubstr("reconnecting"));
  EXPECT_EQ(daemon.get("/healthz").status, 200) << "alive while Redis is away";
  EXPECT_THAT(daemon.get("/metrics").body, HasSubstr("orgcast_redis_connected 0"));

  redis.start();
  EXPECT_TRUE(daemon.wait_ready(10s)) << daemon.get("/readyz").body;
  EXPECT_THAT(daemon.process().log(), HasSubstr("connected to 127.0.0.1"));
}

TEST(DaemonLifecycle, SighupReloadsOrRefusesABadConfig) {
  DaemonUnderTest daemon(shared_redis_port(), unique_prefix());
  daemon.start();
  ASSERT_TRUE(daemon.wait_ready(10s));

  daemon.write_config("directory:\n  levelz: [a, b]\n");
  daemon.process().signal(SIGHUP);
  ASSERT_TRUE(eventually([&] { return daemon.process().log().find("reload refused") != std::string::npos; }, 5s));
  EXPECT_THAT(daemon.process().log(), HasSubstr("directory.levelz: unknown key; did you mean \"levels\"?"));
  EXPECT_EQ(daemon.get("/readyz").status, 200) << "a bad reload keeps the running configuration";

  daemon.write_config("directory:\n  roles: [president, coordinator]\n");
  daemon.process().signal(SIGHUP);
  ASSERT_TRUE(eventually([&] { return daemon.process().log().find("reloaded") != std::string::npos; }, 5s));
  // The new vocabulary is in force: importing a contact with the new role works.
  auto r = http_multipart(daemon.url("/v1/directory/import?report_only=true"),
                          {{"units", "id,parent_id,level,name\nRJ,,state,Rajasthan\n"},
                           {"contacts", "id,name,mobile,unit_id,role\nC1,A,9829000001,RJ,coordinator\n"}});
  EXPECT_EQ(r.status, 200) << r.body;
}

TEST(DaemonLifecycle, SigtermStopsCleanly) {
  DaemonUnderTest daemon(shared_redis_port(), unique_prefix());
  daemon.start();
  ASSERT_TRUE(daemon.wait_ready(10s));
  auto started = std::chrono::steady_clock::now();
  daemon.process().signal(SIGTERM);
  auto code = daemon.process().wait(10s);
  ASSERT_TRUE(code.has_value()) << "orgcastd did not stop";
  EXPECT_EQ(*code, 0);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 3s);
  EXPECT_THAT(daemon.process().log(), HasSubstr("stopped"));
}

}  // namespace
