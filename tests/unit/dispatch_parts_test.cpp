// Pure pieces of dispatch: the token bucket against a fake clock, retry
// backoff, and the closed set of send failures.
#include <gtest/gtest.h>

#include "adapters/core/send_result.hpp"
#include "core/clock.hpp"
#include "dispatch/backoff.hpp"
#include "dispatch/token_bucket.hpp"

using namespace orgcast;
using namespace std::chrono_literals;
using Steady = dispatch::TokenBucket::Clock;

namespace {

// A greedy sender that takes a token whenever the bucket allows, for `span`.
std::size_t greedy_sends(double rate, double burst, Steady::duration span) {
  Steady::time_point start{};
  dispatch::TokenBucket bucket(rate, burst, start);
  std::size_t sent = 0;
  for (auto now = start; now < start + span;) {
    auto wait = bucket.take(now);
    if (wait == Steady::duration::zero()) ++sent;
    else now += wait;
  }
  return sent;
}

TEST(TokenBucket, HoldsTheRateOverAMinute) {
  // The goal: 500/s measured over 60 s within 5%; the bucket itself
  // is exact but for its initial burst.
  auto sent = greedy_sends(500, 50, 60s);
  EXPECT_GE(sent, 30000u);
  EXPECT_LE(sent, 30050u);
  EXPECT_NEAR(static_cast<double>(greedy_sends(10000, 100, 10s)), 100000.0, 101.0);
  EXPECT_NEAR(static_cast<double>(greedy_sends(0.5, 1, 100s)), 50.0, 1.0);
}

TEST(TokenBucket, SaysHowLongToWait) {
  Steady::time_point t0{};
  dispatch::TokenBucket bucket(10, 1, t0);
  EXPECT_EQ(bucket.take(t0), Steady::duration::zero());
  auto wait = bucket.take(t0);
  EXPECT_GE(wait, 99ms);
  EXPECT_LE(wait, 101ms);
  EXPECT_EQ(bucket.take(t0 + wait), Steady::duration::zero());
  bucket.set_rate(1, t0 + wait);
  EXPECT_GE(bucket.take(t0 + wait), 999ms);
}

TEST(TokenBucket, A429PausesEverySendOfTheAccountUntilRetryAfter) {
  ManualClock clock;
  dispatch::TokenBucket bucket(1000, 100, clock.steady_now());
  EXPECT_EQ(bucket.take(clock.steady_now()), Steady::duration::zero());
  bucket.pause_until(clock.steady_now() + 2000ms);  // Retry-After: 2
  EXPECT_EQ(bucket.take(clock.steady_now()), 2000ms) << "tokens are there, but the provider said to wait";
  clock.advance(1500ms);
  EXPECT_EQ(bucket.take(clock.steady_now()), 500ms);
  bucket.pause_until(clock.steady_now() + 100ms);  // a shorter pause does not cut the longer one
  EXPECT_EQ(bucket.take(clock.steady_now()), 500ms);
  clock.advance(500ms);
  EXPECT_EQ(bucket.take(clock.steady_now()), Steady::duration::zero());
}

TEST(Backoff, GrowsWithJitterUpToTheCapAndHonoursRetryAfter) {
  dispatch::BackoffPolicy policy{1000ms, 60000ms, 8};
  EXPECT_EQ(dispatch::retry_delay(policy, 1, std::nullopt, 0.0), 500ms);
  EXPECT_EQ(dispatch::retry_delay(policy, 1, std::nullopt, 0.999), 999ms);
  EXPECT_EQ(dispatch::retry_delay(policy, 4, std::nullopt, 0.0), 4000ms);
  EXPECT_EQ(dispatch::retry_delay(policy, 20, std::nullopt, 0.0), 30000ms);
  EXPECT_LT(dispatch::retry_delay(policy, 20, std::nullopt, 0.999), 60000ms + 1ms);
  EXPECT_EQ(dispatch::retry_delay(policy, 1, 7000ms, 0.5), 7000ms);
  EXPECT_EQ(dispatch::retry_delay(policy, 10, 1000ms, 0.0), 30000ms) << "Retry-After is a floor, not a ceiling";
}

TEST(SendResult, HttpStatusesAndRetryability) {
  using adapters::SendFailure;
  struct Row {
    long status;
    SendFailure failure;
    bool retryable;
  };
  const Row rows[] = {{200, SendFailure::none, false},          {202, SendFailure::none, false},
                      {429, SendFailure::throttled, true},      {500, SendFailure::transient, true},
                      {503, SendFailure::transient, true},      {408, SendFailure::transient, true},
                      {401, SendFailure::unauthorized, false},  {403, SendFailure::unauthorized, false},
                      {404, SendFailure::invalid_recipient, false}, {400, SendFailure::bad_request, false},
                      {422, SendFailure::bad_request, false}};
  for (const auto& row : rows) {
    EXPECT_EQ(adapters::failure_for_http_status(row.status), row.failure) << row.status;
    EXPECT_EQ(adapters::retryable(row.failure), row.retryable) << row.status;
  }
  EXPECT_TRUE(adapters::retryable(SendFailure::timeout));
  EXPECT_TRUE(adapters::may_have_been_sent(SendFailure::timeout));
  EXPECT_TRUE(adapters::retryable(SendFailure::unreachable));
  EXPECT_FALSE(adapters::may_have_been_sent(SendFailure::unreachable));
  EXPECT_STREQ(adapters::name(SendFailure::rejected_content), "rejected_content");
}

TEST(SendResult, RetryAfterHeader) {
  EXPECT_EQ(adapters::parse_retry_after("3"), std::chrono::milliseconds(3000));
  EXPECT_FALSE(adapters::parse_retry_after(""));
  EXPECT_FALSE(adapters::parse_retry_after("soon"));
  EXPECT_FALSE(adapters::parse_retry_after("-1"));
}

}  // namespace
