#pragma once
// When to retry a failed send: capped exponential backoff with full jitter
// (so a provider outage does not make every instance retry in lock step),
// never earlier than the provider's Retry-After.
#include <chrono>
#include <cstdint>
#include <optional>

namespace orgcast::dispatch {

struct BackoffPolicy {
  std::chrono::milliseconds base{1000};
  std::chrono::milliseconds cap{300000};
  int max_attempts = 8;
};

/// Delay before attempt `attempt + 1`, after `attempt` failed attempts (>= 1).
/// `random01` is a uniform draw in [0, 1) supplied by the caller (tests pin it).
std::chrono::milliseconds retry_delay(const BackoffPolicy& policy, int attempt,
                                      std::optional<std::chrono::milliseconds> retry_after, double random01);

}  // namespace orgcast::dispatch
