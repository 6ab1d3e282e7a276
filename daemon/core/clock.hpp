#pragma once
// Where time comes from: injected into the parts whose rules depend on it
// (dispatch windows, retries, leases, expiry, report timeouts), so those
// rules are tested by moving a clock, not by sleeping.
#include <chrono>
#include <memory>

namespace orgcast {

class Clock {
 public:
  virtual ~Clock() = default;
  /// For durations and deadlines inside one process.
  virtual std::chrono::steady_clock::time_point steady_now() const = 0;
  /// For times stored in Redis or shown to people (expires_at, report due times).
  virtual std::chrono::system_clock::time_point system_now() const = 0;
};

class SystemClock final : public Clock {
 public:
  std::chrono::steady_clock::time_point steady_now() const override { return std::chrono::steady_clock::now(); }
  std::chrono::system_clock::time_point system_now() const override { return std::chrono::system_clock::now(); }
};

/// A clock that moves only when told (tests).
class ManualClock final : public Clock {
 public:
  explicit ManualClock(std::chrono::system_clock::time_point start = std::chrono::system_clock::now()) : system_(start) {}
  std::chrono::steady_clock::time_point steady_now() const override { return steady_; }
  std::chrono::system_clock::time_point system_now() const override { return system_; }
  void advance(std::chrono::milliseconds by) {
    steady_ += by;
    system_ += by;
  }

 private:
  std::chrono::steady_clock::time_point steady_{};
  std::chrono::system_clock::time_point system_;
};

inline std::shared_ptr<const Clock> system_clock() {
  static const auto clock = std::make_shared<const SystemClock>();
  return clock;
}

}  // namespace orgcast
