#include "auth/request_limiter.hpp"

#include <algorithm>
#include <cmath>

namespace orgcast::auth {

RequestLimiter::RequestLimiter(double per_second, double burst, std::size_t most_keys)
    : per_second_(per_second), burst_(std::max(1.0, burst)), most_keys_(std::max<std::size_t>(1, most_keys)) {}

double RequestLimiter::refilled(const Bucket& bucket, Clock::time_point now) const {
  const double elapsed = std::chrono::duration<double>(now - bucket.at).count();
  return std::min(burst_, bucket.tokens + std::max(0.0, elapsed) * per_second_);
}

std::optional<std::chrono::milliseconds> RequestLimiter::take(std::string_view key, Clock::time_point now) {
  if (per_second_ <= 0) return std::nullopt;
  std::lock_guard lock(mutex_);
  auto it = buckets_.find(std::string(key));
  if (it == buckets_.end()) {
    if (buckets_.size() >= most_keys_) {
      // Many clients at once: forget those whose bucket has filled again
      // (they are owed nothing); should that free nothing, forget all
      // rather than grow without bound.
      std::erase_if(buckets_, [&](const auto& entry) { return refilled(entry.second, now) >= burst_; });
      if (buckets_.size() >= most_keys_) buckets_.clear();
    }
    it = buckets_.emplace(std::string(key), Bucket{burst_, now}).first;
  }
  auto& bucket = it->second;
  bucket.tokens = refilled(bucket, now);
  bucket.at = now;
  if (bucket.tokens >= 1.0) {
    bucket.tokens -= 1.0;
    return std::nullopt;
  }
  const double wait_s = (1.0 - bucket.tokens) / per_second_;
  return std::chrono::milliseconds(static_cast<long long>(std::ceil(wait_s * 1000)));
}

std::size_t RequestLimiter::keys() const {
  std::lock_guard lock(mutex_);
  return buckets_.size();
}

}  // namespace orgcast::auth
