#pragma once
// One of the password hashing pool's places (auth.login_hashes_at_once:
// each Argon2id hash takes 64 MiB), held while a password is hashed and
// given back however the request ends; none when all are in use.
#include <atomic>
#include <memory>

namespace orgcast::api {

class HashingSlot {
 public:
  HashingSlot(std::shared_ptr<std::atomic<int>> in_flight, int most) : in_flight_(std::move(in_flight)) {
    taken_ = in_flight_->fetch_add(1) < most;
    if (!taken_) in_flight_->fetch_sub(1);
  }
  ~HashingSlot() {
    if (taken_) in_flight_->fetch_sub(1);
  }
  HashingSlot(const HashingSlot&) = delete;
  HashingSlot& operator=(const HashingSlot&) = delete;
  bool taken() const { return taken_; }

 private:
  std::shared_ptr<std::atomic<int>> in_flight_;
  bool taken_ = false;
};

}  // namespace orgcast::api
