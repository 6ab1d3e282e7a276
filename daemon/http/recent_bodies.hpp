#pragma once
// The latest request bodies a simulated provider accepted, for tests to read
// what was sent (GET /messages on provider-sim and the fakes): at most
// `kept`, oldest first, answered as one JSON array. Thread-safe.
#include <deque>
#include <mutex>
#include <string>

#include "http/message.hpp"

namespace orgcast::http {

class RecentBodies {
 public:
  explicit RecentBodies(std::size_t kept = 1000) : kept_(kept) {}

  void add(std::string body) {
    std::lock_guard lock(mutex_);
    if (bodies_.size() == kept_) bodies_.pop_front();
    bodies_.push_back(std::move(body));
  }
  void clear() {
    std::lock_guard lock(mutex_);
    bodies_.clear();
  }
  /// The bodies (each a JSON document) as a JSON array.
  Response json_array() const {
    std::lock_guard lock(mutex_);
    std::string out = "[";
    for (const auto& body : bodies_) out += (out.size() > 1 ? "," : "") + body;
    return json_response(200, out + "]");
  }

 private:
  const std::size_t kept_;
  mutable std::mutex mutex_;
  std::deque<std::string> bodies_;
};

}  // namespace orgcast::http
