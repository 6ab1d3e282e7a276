#pragma once
// How many requests one client (an address, a token, a user) may make: a
// token bucket per key, refilled at `per_second` up to `burst`. So one
// client cannot take the daemon from the others, and a burst (a console
// page loading its parts) is not refused. Pure and clock-injected; the API
// asks it for each request (api/request_limits).
#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace orgcast::auth {

class RequestLimiter {
 public:
  using Clock = std::chrono::steady_clock;
  /// per_second 0: no limit. `most_keys` bounds memory: past it, keys whose
  /// bucket is full again are forgotten, and if that is not enough, all are.
  RequestLimiter(double per_second, double burst, std::size_t most_keys = 100000);

  /// Takes one request for `key`: nullopt when allowed, else how long until
  /// one is (the caller answers 429 with Retry-After).
  std::optional<std::chrono::milliseconds> take(std::string_view key, Clock::time_point now);

  std::size_t keys() const;

 private:
  struct Bucket {
    double tokens;
    Clock::time_point at;
  };
  double refilled(const Bucket& bucket, Clock::time_point now) const;

  const double per_second_, burst_;
  const std::size_t most_keys_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Bucket> buckets_;
};

}  // namespace orgcast::auth
