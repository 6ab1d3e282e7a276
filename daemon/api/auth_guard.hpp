#pragma once
// Every route behind its access (auth/route_access.hpp): the open ones as
// they are; every other needs a Bearer token whose profile has the route's
// permission (401 without one that is valid, 403 without the permission).
#include <memory>
#include <string>
#include <vector>

#include "http/router.hpp"

namespace orgcast::auth {
class Authenticator;
}

namespace orgcast::api {

/// Guards every route of `router`; the routes the access table lacks (each
/// "METHOD pattern") are refused to everyone and returned, so that the
/// daemon refuses to start with one. `required` false (loopback only, for
/// benchmarks): every request is the whole directory's administrator.
std::vector<std::string> guard_routes(http::Router& router, std::shared_ptr<auth::Authenticator> authenticator, bool required);

}  // namespace orgcast::api
