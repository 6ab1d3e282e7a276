#include "api/contact_read_limit.hpp"

#include "api/context.hpp"
#include "auth/principal.hpp"
#include "http/problem.hpp"

namespace orgcast::api {

std::optional<http::Response> ContactReadLimit::take(const std::string& caller, std::chrono::steady_clock::time_point now, std::size_t count) {
  if (per_minute_ <= 0) return std::nullopt;
  std::chrono::steady_clock::duration wait{};
  {
    std::lock_guard lock(mutex_);
    if (buckets_.size() > 10000) buckets_.clear();  // bounded: a flood of callers cannot grow it; each starts full again
    auto it = buckets_.find(caller);
    if (it == buckets_.end()) it = buckets_.emplace(caller, dispatch::TokenBucket(per_minute_ / 60.0, per_minute_, now)).first;
    for (std::size_t n = 0; n < count && wait == std::chrono::steady_clock::duration::zero(); ++n) wait = it->second.take(now);
  }
  if (wait == std::chrono::steady_clock::duration::zero()) return std::nullopt;
  const auto seconds = std::max<long long>(1, std::chrono::duration_cast<std::chrono::seconds>(wait).count() + 1);
  auto refused = http::problem(429, "too-many-contact-reads", "Too many contacts read",
                               "you may read " + std::to_string(per_minute_) + " contacts a minute; try again in " + std::to_string(seconds) + " s");
  refused.headers.emplace_back("Retry-After", std::to_string(seconds));
  return refused;
}

std::optional<http::Response> contact_read_refused(const Context& context, const http::Request& request, std::size_t count) {
  if (!context.contact_reads || !request.principal) return std::nullopt;
  return context.contact_reads->take(request.principal->tag(), std::chrono::steady_clock::now(), count);
}

}  // namespace orgcast::api
