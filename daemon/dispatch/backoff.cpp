#include "dispatch/backoff.hpp"

#include <algorithm>

namespace orgcast::dispatch {

std::chrono::milliseconds retry_delay(const BackoffPolicy& policy, int attempt,
                                      std::optional<std::chrono::milliseconds> retry_after, double random01) {
  const int exponent = std::clamp(attempt - 1, 0, 30);
  const auto ceiling = std::min<std::int64_t>(policy.cap.count(), policy.base.count() << exponent);
  // Full jitter, but never below half the ceiling: retries spread out yet
  // still back off.
  auto delay = std::chrono::milliseconds(ceiling / 2 + static_cast<std::int64_t>(random01 * static_cast<double>(ceiling / 2)));
  if (retry_after && *retry_after > delay) delay = *retry_after;
  return delay;
}

}  // namespace orgcast::dispatch
