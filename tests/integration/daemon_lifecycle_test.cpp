// orgcastd as a process: config errors stop it with their position, /readyz
// follows Redis going away and coming back, SIGHUP reloads (or refuses a bad
// config and keeps running), SIGTERM stops it cleanly, and connections that
// idle or stall are closed after server.idle_timeout_ms; SIGPIPE does not end it.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <thread>

#include "support/daemon_under_test.hpp"
#include "support/raw_connection.hpp"
#include "support/redis_server.hpp"

using namespace orgcast::testing;
using namespace std::chrono_literals;
using ::testing::HasSubstr;

namespace {

double seconds_since(std::chrono::steady_clock::time_point from) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - from).count();
}

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

// A write to a connection whose peer died (Redis killed while a command
// goes out; a provider that hung up) raises SIGPIPE, whose default action
// ends the process without a word: orgcastd ignores it and sees EPIPE.
// Found by Faults.RedisKilledTwiceLosesNothingAcknowledged, where orgcastd
// now and then vanished right after Redis was killed mid-dispatch.
TEST(DaemonLifecycle, SigpipeDoesNotEndTheDaemon) {
  DaemonUnderTest daemon(shared_redis_port(), unique_prefix());
  daemon.start();
  ASSERT_TRUE(daemon.wait_ready(10s));
  daemon.process().signal(SIGPIPE);
  std::this_thread::sleep_for(200ms);
  EXPECT_TRUE(daemon.process().running()) << "SIGPIPE ended orgcastd";
  EXPECT_EQ(daemon.get("/healthz").status, 200);
}

}  // namespace

namespace {

TEST(DaemonLifecycle, IdleAndStalledConnectionsAreClosedAfterTheIdleTimeout) {
  DaemonUnderTest daemon(shared_redis_port(), unique_prefix());
  daemon.set_server_settings("  idle_timeout_ms: 300\n");
  daemon.start();
  ASSERT_TRUE(daemon.wait_ready(10s)) << daemon.process().log();

  // Connected, never asked anything.
  {
    RawConnection idle(daemon.port());
    ASSERT_TRUE(idle.connected());
    const auto from = std::chrono::steady_clock::now();
    std::string received;
    ASSERT_TRUE(idle.read_until_closed(received)) << "still open after 5 s";
    EXPECT_GE(seconds_since(from), 0.25);
    EXPECT_LT(seconds_since(from), 2.0);
    EXPECT_EQ(received, "");
  }
  // Kept alive after an answer, then idle.
  {
    RawConnection kept(daemon.port());
    ASSERT_TRUE(kept.connected());
    kept.send_text("GET /healthz HTTP/1.1\r\nHost: test\r\n\r\n");
    const auto from = std::chrono::steady_clock::now();
    std::string received;
    ASSERT_TRUE(kept.read_until_closed(received)) << "still open after 5 s";
    EXPECT_THAT(received, HasSubstr("HTTP/1.1 200"));
    EXPECT_LT(seconds_since(from), 2.0);
  }
  // A body that stops coming halfway.
  {
    RawConnection stalled(daemon.port());
    ASSERT_TRUE(stalled.connected());
    stalled.send_text("POST /v1/audiences/preview HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n"
                      "Content-Length: 100\r\n\r\n{\"audience\":");
    const auto from = std::chrono::steady_clock::now();
    std::string received;
    ASSERT_TRUE(stalled.read_until_closed(received)) << "still open after 5 s";
    EXPECT_LT(seconds_since(from), 2.0);
  }
  // The daemon still answers.
  EXPECT_EQ(daemon.get("/healthz").status, 200);
}

}  // namespace
