#include "auth/login_throttle.hpp"

#include <algorithm>

namespace orgcast::auth {

LoginDelay login_delay(LoginFailures failures) {
  LoginDelay out;
  out.wait = std::chrono::milliseconds(std::clamp(failures.account, 0L, 20L) * 100);
  if (failures.pair >= kFailuresBeforeLock) {
    const long doublings = std::min(failures.pair - kFailuresBeforeLock, 7L);  // 30 s * 2^7 > 1 h
    out.locked_for = std::min(std::chrono::seconds(30L << doublings), std::chrono::seconds(3600));
  }
  return out;
}

}  // namespace orgcast::auth
