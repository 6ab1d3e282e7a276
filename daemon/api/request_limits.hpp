#pragma once
// Requests per client: each route (but the providers' webhooks, which
// come from a few gateways in bursts of reports and prove who they are,
// and the reply link, tapped by many phones behind one carrier address)
// takes one request from its client address's bucket (the real address,
// through auth.trusted_proxies) before its credentials are checked, and one
// from its caller's (token or user) after. Over either: 429 with
// Retry-After, before the body is read.
#include <functional>
#include <memory>
#include <string>

#include "http/router.hpp"

namespace orgcast::auth {
class RequestLimiter;
}

namespace orgcast::api {

struct RequestLimits {
  std::shared_ptr<auth::RequestLimiter> by_address, by_caller;
  std::function<std::string(const http::Request&)> client_address;
};

/// Call after the access guard (api/auth_guard) has given the routes their prechecks.
void limit_requests(http::Router& router, RequestLimits limits);

}  // namespace orgcast::api
