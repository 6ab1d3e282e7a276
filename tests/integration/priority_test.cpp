// Priorities: an urgent broadcast overtakes a running bulk one within
// 2 seconds; two normal ones progress side by side.
#include <gtest/gtest.h>

#include <thread>

#include "integration/dispatch_fixture.hpp"

using namespace orgcast::testing;

namespace {

constexpr const char* kEveryone = R"({"audience": {}, "template": "announcement", "variables": {"subject": "Hello", "details": "at the office"}, "channels": ["sms"], "priority": ")";

TEST_F(DispatchTest, UrgentOvertakesARunningBulkBroadcast) {
  // 200/s: the 1,326 bulk recipients need ~6.6 s.
  start({"--report-delay-ms", "10"}, "  rate_per_second: 200\n", true);
  auto bulk = post(std::string(kEveryone) + "bulk\"}");
  ASSERT_TRUE(eventually([&] { return reached(bulk) >= 100; }, 10s)) << json::serialize(info(bulk));
  const auto posted = std::chrono::steady_clock::now();
  auto urgent = post(R"({"audience": {"units": ["D1"], "levels": ["district"]}, "template": "announcement", "variables": {"subject": "Now", "details": "at the office"}, "channels": ["sms"],
                          "priority": "urgent"})");
  ASSERT_TRUE(eventually([&] { return reached(urgent) >= 1; }, 10s)) << json::serialize(info(urgent));
  const auto started = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - posted);
  const auto bulk_left = count(bulk, "queued");
  std::cout << "urgent started delivering " << started.count() << " ms after its POST; bulk had " << bulk_left << " left\n";
  EXPECT_LT(started, 2s);
  EXPECT_GT(bulk_left, 0) << "the bulk broadcast finished first: the test proves nothing";
}

TEST_F(DispatchTest, TwoNormalBroadcastsProgressSideBySide) {
  start({"--report-delay-ms", "10"}, "  rate_per_second: 400\n", true);
  auto first = post(std::string(kEveryone) + "normal\"}");
  auto second = post(std::string(kEveryone) + "normal\"}");
  // When the first is a third done, the second is well under way too.
  ASSERT_TRUE(eventually([&] { return reached(first) >= 442; }, 20s));
  const auto a = reached(first), b = reached(second);
  std::cout << "side by side: first " << a << ", second " << b << " of 1,326 each\n";
  EXPECT_GT(b, a / 2) << "the second broadcast waited for the first";
  ASSERT_TRUE(eventually([&] { return count(first, "queued") == 0 && count(second, "queued") == 0; }, 30s));
}

}  // namespace
