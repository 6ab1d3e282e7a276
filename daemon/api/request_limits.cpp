#include "api/request_limits.hpp"

#include "auth/address_group.hpp"
#include "auth/principal.hpp"
#include "auth/request_limiter.hpp"
#include "http/problem.hpp"

namespace orgcast::api {

namespace {

http::Response too_many(std::chrono::milliseconds wait, const std::string& whose) {
  const auto seconds = std::max<long long>(1, (wait.count() + 999) / 1000);
  auto response = http::problem(429, "too-many-requests", "Too many requests",
                                "too many requests from " + whose + "; try again in " + std::to_string(seconds) + " s");
  response.headers.emplace_back("Retry-After", std::to_string(seconds));
  return response;
}

}  // namespace

void limit_requests(http::Router& router, RequestLimits limits) {
  auto shared = std::make_shared<RequestLimits>(std::move(limits));
  router.wrap_prechecks([shared](const std::string&, const std::string& pattern, http::Precheck inner) -> http::Precheck {
    // Providers' callbacks come from a few gateways in bursts; reply links
    // from many phones behind a carrier's shared address after a summons
    // (each link's signed token is its own credential).
    if (pattern.starts_with("/v1/webhooks/") || pattern.starts_with("/r/")) return inner;
    return [shared, inner = std::move(inner)](http::Request& request) -> boost::asio::awaitable<std::optional<http::Response>> {
      const auto now = auth::RequestLimiter::Clock::now();
      if (shared->by_address) {
        const auto address = shared->client_address ? shared->client_address(request) : request.peer;
        // An IPv6 client is counted by its /64: it may rotate through every address in it.
        if (auto wait = shared->by_address->take("address " + auth::address_group(address), now)) co_return too_many(*wait, "your address");
      }
      if (inner)
        if (auto refused = co_await inner(request)) co_return refused;
      if (shared->by_caller && request.principal) {
        if (auto wait = shared->by_caller->take(request.principal->tag(), now)) co_return too_many(*wait, "these credentials");
      }
      co_return std::nullopt;
    };
  });
}

}  // namespace orgcast::api
