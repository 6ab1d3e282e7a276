#pragma once
// Failed logins (pure logic, docs/ACCESS.md): each failure for an account
// slows every later try for it, from anywhere; repeated failures from one
// address lock that account for that address only, for longer each time,
// so that a stranger elsewhere cannot lock the administrator out.
#include <chrono>

namespace orgcast::auth {

struct LoginFailures {
  long account = 0;  // failures for the account in the window, from any address
  long pair = 0;     // failures for the account from this address
};

struct LoginDelay {
  std::chrono::milliseconds wait{0};  // before the password is checked
  std::chrono::seconds locked_for{0};  // > 0: refused without checking
};

inline constexpr std::chrono::minutes kFailureWindow{15};
inline constexpr long kFailuresBeforeLock = 5;

/// 100 ms per account failure (at most 2 s); from the fifth failure of a
/// pair, locked for 30 s, doubling with each further one (at most an hour).
LoginDelay login_delay(LoginFailures failures);

}  // namespace orgcast::auth
