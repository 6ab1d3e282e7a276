// 100,000 recipients through the simulator while orgcastd is killed with
// SIGKILL at three random moments (and restarted each time), and Redis (AOF,
// appendfsync always, as the README prescribes) is restarted once and
// killed with SIGKILL once. At the end every recipient is in a terminal
// state, the simulator received every one at least once, and the extra
// sends stay within the in-flight limit per interruption.
#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json.hpp>
#include <random>
#include <sstream>
#include <thread>

#include "support/daemon_under_test.hpp"
#include "support/generated_directory.hpp"
#include "support/json_body.hpp"
#include "support/provider_sim_process.hpp"
#include "support/redis_server.hpp"

using namespace orgcast::testing;
using namespace std::chrono_literals;
namespace json = boost::json;

namespace {

TEST(Durability, HundredThousandThroughThreeKillsARedisRestartAndARedisCrash) {
  const auto data = temp_dir("durability");
  // 1,326 office-bearers and 98,674 members: 100,000 contacts (a few share a mobile).
  auto gen = run_command({build_dir() + "/orgcast-gen-directory", "--preset", "small", "--members", "98674", "--out", data});
  ASSERT_EQ(gen.code, 0) << gen.output;

  PrivateRedis redis(true, "always");
  ProviderSim sim({"--latency-ms", "2", "--report-delay-ms", "20", "--report-batch", "50"});
  const int port = free_port();
  const int concurrency = 64;
  DaemonUnderTest daemon(redis.port(), unique_prefix(),
                         dispatch_section(sim, port, "  workers: 4\n  concurrency: " + std::to_string(concurrency) +
                                                         "\n  rate_per_second: 100000\n  lease_ms: 1000\n  retry_base_ms: 50\n"
                                                         "  retry_cap_ms: 1000\n  max_attempts: 50\n"),
                         port);
  ASSERT_EQ(import_directory(daemon, data), "");
  daemon.start();
  ASSERT_TRUE(daemon.wait_ready(20s)) << daemon.process().log();

  auto r = http("POST", daemon.url("/v1/broadcasts"), R"({"audience": {}, "template": "announcement", "variables": {"subject": "Hello", "details": "at the office"}, "channels": ["sms"]})");
  ASSERT_EQ(r.status, 202) << r.body;
  const auto accepted = object_of(r);
  const std::string id(accepted.at("id").as_string());
  const auto total = number(accepted, "recipients");
  ASSERT_GE(total, 99000) << "about 100,000 (a few people hold two posts and are sent to once)";

  // Three kills, one Redis restart and one Redis crash at random points of the run (seed printed).
  const auto seed = std::random_device{}();
  std::mt19937 random(seed);
  std::uniform_int_distribution<long long> at(total / 10, total * 8 / 10);
  enum class Event { kill_orgcastd, restart_redis, kill_redis };
  std::vector<std::pair<long long, Event>> events;  // (provider-accepted count, what happens then)
  for (int i = 0; i < 3; ++i) events.emplace_back(at(random), Event::kill_orgcastd);
  events.emplace_back(at(random), Event::restart_redis);
  events.emplace_back(at(random), Event::kill_redis);
  std::sort(events.begin(), events.end());
  std::cout << "durability: seed " << seed << ", interruptions at";
  for (const auto& [count, event] : events)
    std::cout << " " << count << (event == Event::kill_orgcastd ? " (kill -9)" : event == Event::restart_redis ? " (redis restart)" : " (redis kill -9)");
  std::cout << "\n";

  auto accepted_so_far = [&] { return number(object_of(http("GET", sim.url("/stats"))), "accepted"); };
  for (const auto& [count, event] : events) {
    ASSERT_TRUE(eventually([&] { return accepted_so_far() >= count; }, 120s))
        << "stalled at " << accepted_so_far() << " accepted; broadcast: " << daemon.get("/v1/broadcasts/" + id).body
        << "\nlast of the daemon's log:\n"
        << [&] {
             auto log = daemon.process().log();
             return log.size() > 8000 ? log.substr(log.size() - 8000) : log;
           }();
    if (event != Event::kill_orgcastd) {
      if (event == Event::restart_redis) redis.stop();  // SIGTERM: Redis fsyncs its AOF on the way out
      else redis.kill();                              // SIGKILL: only what was fsynced (all it acknowledged) is kept
      std::this_thread::sleep_for(300ms);
      redis.start();
      ASSERT_TRUE(eventually([&] { return redis.answers(); }, 20s));
    } else {
      daemon.process().kill();
      daemon.start();
    }
  }

  auto counts = [&] {
    auto b = object_of(daemon.get("/v1/broadcasts/" + id));
    return b.contains("counts") && b["counts"].is_object() ? b["counts"].as_object() : json::object{};
  };
  ASSERT_TRUE(eventually([&] { return number(counts(), "delivered") == total; }, 150s))
      << json::serialize(counts()) << "\n" << daemon.process().log().substr(0, 4000);

  // Every recipient reached the provider at least once; extra sends counted.
  std::istringstream lines(http("GET", sim.url("/recipients")).body);
  std::string line;
  std::getline(lines, line);  // header
  long long unique = 0, extra = 0;
  while (std::getline(lines, line)) {
    ++unique;
    extra += std::stoll(line.substr(line.find(',') + 1)) - 1;
  }
  const long long bound = static_cast<long long>(events.size()) * concurrency;
  std::cout << "durability: " << total << " recipients, all delivered; provider saw " << unique << " unique, " << extra
            << " extra sends (bound " << bound << " = " << events.size() << " interruptions x " << concurrency << " in flight)\n";
  EXPECT_EQ(unique, total);
  EXPECT_LE(extra, bound);
}

}  // namespace
