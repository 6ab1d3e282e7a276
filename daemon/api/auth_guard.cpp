#include "api/auth_guard.hpp"

#include "api/common.hpp"
#include "auth/authenticator.hpp"
#include "auth/route_access.hpp"
#include "auth/session_store.hpp"
#include "core/text.hpp"

namespace orgcast::api {

using boost::asio::awaitable;

namespace {

http::Response unauthenticated(const std::string& why) {
  auto response = http::problem(401, "unauthenticated", "Credentials required", why);
  response.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"orgcast\"");
  return response;
}

// "Bearer <token>" (the scheme in any case); "" when there is none.
std::string bearer_of(const http::Request& request) {
  const auto header = request.header("authorization").value_or("");
  if (header.size() < 7) return "";
  std::string scheme(header.substr(0, 7));
  for (auto& c : scheme) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  return scheme == "bearer " ? std::string(trim(header.substr(7))) : std::string();
}

// The session cookie's value; "" when there is none.
std::string session_of(const http::Request& request) {
  const std::string wanted = std::string(auth::kSessionCookie) + "=";
  for (const auto& [name, value] : request.headers) {
    if (name != "cookie") continue;
    for (auto piece : split_trimmed(value, ';'))
      if (piece.starts_with(wanted)) return std::string(piece.substr(wanted.size()));
  }
  return "";
}

// A request that changes something, sent with a cookie, is the console's
// own only with the session's CSRF token and from the same site: a page
// elsewhere that makes the browser send it has neither. "" when fine.
std::string cross_site(const http::Request& request, const auth::Principal& session) {
  const auto& m = request.method;
  if (m == "GET" || m == "HEAD" || m == "OPTIONS") return "";
  const auto token = request.header("x-csrf-token").value_or("");
  if (token.empty() || token != session.csrf) return "a request that changes something needs the session's X-CSRF-Token (GET /v1/session gives it)";
  if (const auto site = request.header("sec-fetch-site"); site && *site != "same-origin" && *site != "none")
    return "a request from another site (Sec-Fetch-Site: " + std::string(*site) + ") is refused";
  if (const auto origin = request.header("origin")) {
    const auto host = std::string(request.header("host").value_or(""));
    if (*origin != "http://" + host && *origin != "https://" + host) return "a request from another origin (" + quoted_input(*origin, 100) + ") is refused";
  }
  return "";
}

// Sets request.principal, or answers why not (401, 403, 503).
awaitable<std::optional<http::Response>> authorize(std::shared_ptr<auth::Authenticator> authenticator, bool required,
                                                  std::shared_ptr<const auth::Principal> everything, std::optional<auth::Permission> permission,
                                                  http::Request& request) {
  if (!required) {
    request.principal = std::move(everything);
    co_return std::nullopt;
  }
  const auto token = bearer_of(request);
  const auto session = token.empty() ? session_of(request) : std::string();
  if (token.empty() && session.empty())
    co_return unauthenticated("send Authorization: Bearer <token> (orgcast tokens create makes one), or log in (POST /v1/session)");
  // Two statements, not a ?: of two co_awaits: GCC 12 builds that result wrongly.
  redis::Result<auth::Authenticator::Found> principal = auth::Authenticator::Found{};
  if (token.empty()) principal = co_await authenticator->from_session(session);
  else principal = co_await authenticator->from_token(token);
  if (!principal) co_return redis_unavailable(principal.error().message());
  if (!*principal)
    co_return unauthenticated(token.empty() ? "the session has ended: log in again" : "the token is not valid: unknown, revoked or expired");
  if (!session.empty())
    if (auto why = cross_site(request, **principal); !why.empty()) co_return http::problem(403, "cross-site", "Refused", why);
  if (permission && !(*principal)->permissions.has(*permission))
    co_return http::problem(403, "forbidden", "Not permitted",
                            std::string("this needs the permission ") + auth::name(*permission) + ", which profile " +
                                quoted((*principal)->profile) + " does not give");
  request.principal = std::move(*principal);
  co_return std::nullopt;
}

}  // namespace

std::vector<std::string> guard_routes(http::Router& router, std::shared_ptr<auth::Authenticator> authenticator, bool required) {
  std::vector<std::string> missing;
  auto admin = std::make_shared<auth::Principal>();
  admin->id = "auth-off";
  admin->name = "auth.required: false";
  admin->permissions = auth::Permissions::all();
  admin->scope = {"*"};
  std::shared_ptr<const auth::Principal> everything = admin;
  // Checked at the header (the server's precheck: no body read for a
  // stranger), and again in the handler for a request that came another way.
  router.set_prechecks([&](const std::string& method, const std::string& pattern) -> http::Precheck {
    const auto access = auth::access_for(method, pattern);
    if (!access || access->open) return {};
    return [authenticator, required, everything, permission = access->permission](http::Request& request) {
      return authorize(authenticator, required, everything, permission, request);
    };
  });
  router.wrap([&](const std::string& method, const std::string& pattern, http::Handler inner) -> http::Handler {
    const auto access = auth::access_for(method, pattern);
    if (!access) {
      missing.push_back(method + " " + pattern);
      return [](http::Request&) -> awaitable<http::Response> { co_return http::problem(403, "forbidden", "Not permitted", "this route has no access rule"); };
    }
    if (access->open) return inner;
    return [authenticator, required, everything, permission = access->permission, inner = std::move(inner)](http::Request& request) -> awaitable<http::Response> {
      if (!request.principal) {
        auto refused = co_await authorize(authenticator, required, everything, permission, request);
        if (refused) co_return std::move(*refused);
      }
      co_return co_await inner(request);
    };
  });
  return missing;
}

}  // namespace orgcast::api
