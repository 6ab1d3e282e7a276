#pragma once
// Who may call each route (pure logic): one table for the whole API, so
// that what is open without credentials is one short list anyone can read.
// A route not in the table is refused to everyone (the daemon also refuses
// to start with one: api/auth_guard.cpp).
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/permissions.hpp"

namespace orgcast::auth {

struct Access {
  bool open = false;                      // no credentials: health, metrics, logging in, the reply link, provider webhooks
  std::optional<Permission> permission;  // else what the caller needs (none: any caller, e.g. who am I)
};

/// By method and route pattern ("GET", "/v1/meetings/{id}"); nullopt when the table has no row.
std::optional<Access> access_for(std::string_view method, std::string_view pattern);

/// The routes open without credentials, "METHOD pattern" (for tests and docs).
std::vector<std::string> open_routes();

}  // namespace orgcast::auth
