// Nothing lost through kill -9: an instance is killed mid-broadcast, a new
// one takes its chunks over after the lease, and every recipient still ends
// in a terminal state; the duplicates the provider saw stay within what was
// in flight at the kill (DESIGN.md invariants 1 and 2).
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <sstream>

#include "support/daemon_under_test.hpp"
#include "support/generated_directory.hpp"
#include "support/json_body.hpp"
#include "support/provider_sim_process.hpp"
#include "support/redis_server.hpp"

using namespace orgcast::testing;
using namespace std::chrono_literals;
namespace json = boost::json;

namespace {

TEST(Crash, KilledInstanceLosesNothing) {
  ProviderSim sim({"--latency-ms", "5", "--report-delay-ms", "20"});
  const int port = free_port();
  const int concurrency = 16;
  const std::string prefix = unique_prefix();
  DaemonUnderTest daemon(shared_redis_port(), prefix,
                         dispatch_section(sim, port, "  workers: 2\n  concurrency: " + std::to_string(concurrency) +
                                                         "\n  rate_per_second: 2000\n  lease_ms: 1000\n  retry_base_ms: 20\n"),
                         port);
  ASSERT_EQ(import_small_directory(daemon), "");
  daemon.start();
  ASSERT_TRUE(daemon.wait_ready(10s));

  auto r = http("POST", daemon.url("/v1/broadcasts"), R"({"audience": {}, "template": "announcement", "variables": {"subject": "Hello", "details": "at the office"}, "channels": ["sms"]})");
  ASSERT_EQ(r.status, 202) << r.body;
  auto accepted = json::parse(r.body).as_object();
  const std::string id(accepted["id"].as_string());
  const auto total = accepted["recipients"].as_int64();
  ASSERT_GT(total, 1000);

  auto stats = [&] { return object_of(http("GET", sim.url("/stats"))); };
  // Kill it once some, not all, have been sent.
  ASSERT_TRUE(eventually([&] { return number(stats(), "accepted") >= total / 4; }, 20s));
  daemon.process().kill();
  auto at_kill = number(stats(), "accepted");
  ASSERT_LT(at_kill, total) << "the broadcast finished before the kill; the test proves nothing";

  daemon.start();  // a new instance on the same Redis and port
  auto counts = [&] {
    auto b = object_of(daemon.get("/v1/broadcasts/" + id));
    return b.contains("counts") && b["counts"].is_object() ? b["counts"].as_object() : json::object{};
  };
  ASSERT_TRUE(eventually([&] { return number(counts(), "delivered") == total; }, 60s))
      << json::serialize(counts()) << "\n" << daemon.process().log().substr(0, 3000);
  auto final_stats = stats();
  const auto duplicates = number(final_stats, "duplicates");
  std::cout << "crash test: " << total << " recipients, killed after " << at_kill << " accepted; unique "
            << number(final_stats, "unique_recipients") << ", duplicates " << duplicates << " (in-flight limit " << concurrency
            << ")\n";
  EXPECT_EQ(number(final_stats, "unique_recipients"), total) << "every recipient reached the provider";
  EXPECT_LE(duplicates, concurrency) << "duplicates stay within the in-flight window";
}

}  // namespace

namespace {

// Two instances on one Redis share a broadcast: both do part of the work and
// nothing is sent twice.
TEST(Crash, TwoInstancesShareTheWork) {
  ProviderSim sim({"--latency-ms", "5", "--report-delay-ms", "10"});
  const std::string prefix = unique_prefix();
  auto dispatch_yaml = [&](int port) { return dispatch_section(sim, port, "  workers: 2\n  concurrency: 8\n  rate_per_second: 2000\n"); };
  const int port_a = free_port(), port_b = free_port();
  DaemonUnderTest a(shared_redis_port(), prefix, dispatch_yaml(port_a), port_a);
  DaemonUnderTest b(shared_redis_port(), prefix, dispatch_yaml(port_b), port_b);
  ASSERT_EQ(import_small_directory(a), "");
  a.start();
  b.start();
  ASSERT_TRUE(a.wait_ready(10s) && b.wait_ready(10s));
  auto r = http("POST", a.url("/v1/broadcasts"), R"({"audience": {}, "template": "announcement", "variables": {"subject": "Hello", "details": "at the office"}, "channels": ["sms"]})");
  ASSERT_EQ(r.status, 202) << r.body;
  auto accepted = object_of(r);
  const std::string id(accepted["id"].as_string());
  const auto total = number(accepted, "recipients");
  auto delivered = [&] {
    auto body = object_of(b.get("/v1/broadcasts/" + id));
    return body.contains("counts") ? number(body["counts"].as_object(), "delivered") : -1;
  };
  ASSERT_TRUE(eventually([&] { return delivered() == total; }, 60s));
  auto sent_by = [](DaemonUnderTest& d) {
    auto metrics = d.get("/metrics").body;
    auto at = metrics.find("orgcast_dispatch_outcomes_total{state=\"sent\"} ");
    return at == std::string::npos ? 0L : std::stol(metrics.substr(at + 46));
  };
  auto from_a = sent_by(a), from_b = sent_by(b);
  std::cout << "two instances: " << total << " recipients, " << from_a << " sent by one, " << from_b << " by the other\n";
  EXPECT_GT(from_a, 0);
  EXPECT_GT(from_b, 0);
  EXPECT_EQ(from_a + from_b, total);
  auto stats = object_of(http("GET", sim.url("/stats")));
  EXPECT_EQ(number(stats, "unique_recipients"), total);
  EXPECT_EQ(number(stats, "duplicates"), 0);
}

}  // namespace
