#include "dispatch/token_bucket.hpp"

#include <algorithm>
#include <cmath>

namespace orgcast::dispatch {

TokenBucket::TokenBucket(double rate, double burst, Clock::time_point now)
    : rate_(rate), burst_(std::max(1.0, burst)), tokens_(std::max(1.0, burst)), last_(now) {}

void TokenBucket::refill(Clock::time_point now) {
  if (now <= last_) return;
  double elapsed = std::chrono::duration<double>(now - last_).count();
  tokens_ = std::min(burst_, tokens_ + elapsed * rate_);
  last_ = now;
}

TokenBucket::Clock::duration TokenBucket::take(Clock::time_point now) {
  if (now < paused_until_) return paused_until_ - now;
  refill(now);
  if (tokens_ >= 1.0) {
    tokens_ -= 1.0;
    return Clock::duration::zero();
  }
  double missing = 1.0 - tokens_;
  auto wait = std::chrono::duration<double>(missing / rate_);
  // Round up, so that waiting exactly this long is always enough.
  return std::max<Clock::duration>(Clock::duration(1), std::chrono::ceil<Clock::duration>(wait));
}

void TokenBucket::set_rate(double rate, Clock::time_point now) {
  refill(now);
  rate_ = rate;
}

}  // namespace orgcast::dispatch
