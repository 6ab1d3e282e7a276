#pragma once
// A provider's message rate limit: a token bucket refilled at `rate` per
// second up to `burst` tokens. Pure: time is passed in, so tests drive it
// with a fake clock and the dispatcher with steady_clock. Not thread-safe:
// each limiter belongs to one strand.
#include <algorithm>
#include <chrono>

namespace orgcast::dispatch {

class TokenBucket {
 public:
  using Clock = std::chrono::steady_clock;

  /// rate: tokens per second (> 0); burst: bucket size (>= 1).
  TokenBucket(double rate, double burst, Clock::time_point now);

  /// Takes one token if there is one; otherwise says how long until there is.
  /// Returns zero when the token was taken.
  Clock::duration take(Clock::time_point now);

  /// The provider said to wait (429 with Retry-After): no token before `until`,
  /// for any send through this account, not only the one refused.
  void pause_until(Clock::time_point until) { paused_until_ = std::max(paused_until_, until); }

  double rate() const { return rate_; }
  void set_rate(double rate, Clock::time_point now);

 private:
  void refill(Clock::time_point now);
  double rate_, burst_, tokens_;
  Clock::time_point last_;
  Clock::time_point paused_until_{};
};

}  // namespace orgcast::dispatch
