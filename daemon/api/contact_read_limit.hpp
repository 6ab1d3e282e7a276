#pragma once
// Reading people one at a time is rate-limited per caller (auth.contact_reads_per_minute):
// a contact, its consent, inbound messages and attendance, and a template
// rendered for a contact. A stolen token cannot walk the directory number
// by number. Per instance, in memory (a token bucket per caller, at most
// 10,000 callers kept). Thread-safe.
#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "dispatch/token_bucket.hpp"
#include "http/message.hpp"

namespace orgcast::api {

class ContactReadLimit {
 public:
  /// `per_minute` reads a minute, in bursts of at most that many; 0: no limit.
  explicit ContactReadLimit(int per_minute) : per_minute_(per_minute) {}
  /// nullopt when this read may go; else the 429 that says when to come back.
  std::optional<http::Response> take(const std::string& caller, std::chrono::steady_clock::time_point now = std::chrono::steady_clock::now(),
                                     std::size_t count = 1);

 private:
  int per_minute_;
  std::mutex mutex_;
  std::unordered_map<std::string, dispatch::TokenBucket> buckets_;
};

struct Context;
/// The request's caller takes `count` reads: nullopt when it may go, else the 429.
std::optional<http::Response> contact_read_refused(const Context& context, const http::Request& request, std::size_t count = 1);

}  // namespace orgcast::api
