// Several accounts of one channel: used in turn, each
// within its own limit of requests in flight, a slow one not holding back
// the others, nobody sent twice.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "support/daemon_under_test.hpp"
#include "support/generated_directory.hpp"
#include "support/http_client.hpp"
#include "support/provider_sim_process.hpp"
#include "support/redis_server.hpp"

using namespace orgcast::testing;
using namespace std::chrono_literals;
namespace json = boost::json;

namespace {

TEST(ProviderAccounts, TwoSmsAccountsShareTheWorkEachWithinItsConcurrency) {
  // The first account is small and slow (2 requests at once, 100 ms each:
  // 20/s at most), the second larger and quicker (5 at once, 10 ms each).
  ProviderSim first({"--latency-ms", "100", "--report-delay-ms", "10"});
  ProviderSim second({"--latency-ms", "10", "--report-delay-ms", "10"});
  const int daemon_port = free_port();
  DaemonUnderTest daemon(shared_redis_port(), unique_prefix(),
                         "dispatch:\n  callback_base_url: http://127.0.0.1:" + std::to_string(daemon_port) +
                             "\n  workers: 4\n  concurrency: 64\n"
                             "providers:\n"
                             "  - {name: first, type: sim, channels: [sms], url: \"" + first.url("") + "\", concurrency: 2}\n"
                             "  - {name: second, type: sim, channels: [sms], url: \"" + second.url("") + "\", concurrency: 5}\n",
                         daemon_port);
  ASSERT_EQ(import_small_directory(daemon), "");
  daemon.start();
  ASSERT_TRUE(daemon.wait_ready(10s)) << daemon.process().log();

  auto posted = http("POST", daemon.url("/v1/broadcasts"),
                     R"({"audience": {}, "template": "announcement", "variables": {"subject": "Hello", "details": "at the office"}, "channels": ["sms"]})");
  ASSERT_EQ(posted.status, 202) << posted.body;
  const auto body = json::parse(posted.body).as_object();
  const std::string id(body.at("id").as_string());
  const auto total = body.at("recipients").as_int64();
  auto delivered = [&] {
    auto counts = json::parse(daemon.get("/v1/broadcasts/" + id).body).as_object()["counts"].as_object();
    return counts.contains("delivered") ? counts["delivered"].as_int64() : 0;
  };
  ASSERT_TRUE(eventually([&] { return delivered() == total; }, 60s)) << daemon.get("/v1/broadcasts/" + id).body;

  auto a = json::parse(http("GET", first.url("/stats")).body).as_object();
  auto b = json::parse(http("GET", second.url("/stats")).body).as_object();
  std::cout << "accounts: first took " << a["accepted"].as_int64() << " (at most " << a["max_in_flight"].as_int64()
            << " at once), second " << b["accepted"].as_int64() << " (at most " << b["max_in_flight"].as_int64() << ")\n";
  EXPECT_EQ(a["unique_recipients"].as_int64() + b["unique_recipients"].as_int64(), total)
      << "everyone once, on one account or the other";
  EXPECT_EQ(a["duplicates"].as_int64() + b["duplicates"].as_int64(), 0);
  EXPECT_GT(a["accepted"].as_int64(), 0) << "both accounts are used";
  EXPECT_LT(a["accepted"].as_int64(), total / 4) << "the slow account does not get every other message, holding back the quick one";
  EXPECT_LE(a["max_in_flight"].as_int64(), 2);
  EXPECT_LE(b["max_in_flight"].as_int64(), 5);
  EXPECT_EQ(b["max_in_flight"].as_int64(), 5) << "the limit was reached: the test proves something";
}

}  // namespace
