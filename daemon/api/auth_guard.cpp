#include "api/auth_guard.hpp"

#include "api/common.hpp"
#include "auth/authenticator.hpp"
#include "auth/route_access.hpp"
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

}  // namespace

std::vector<std::string> guard_routes(http::Router& router, std::shared_ptr<auth::Authenticator> authenticator, bool required) {
  std::vector<std::string> missing;
  auto everything = std::make_shared<auth::Principal>();
  everything->id = "auth-off";
  everything->name = "auth.required: false";
  everything->permissions = auth::Permissions::all();
  everything->scope = {"*"};
  router.wrap([&](const std::string& method, const std::string& pattern, http::Handler inner) -> http::Handler {
    const auto access = auth::access_for(method, pattern);
    if (!access) {
      missing.push_back(method + " " + pattern);
      return [](http::Request&) -> awaitable<http::Response> { co_return http::problem(403, "forbidden", "Not permitted", "this route has no access rule"); };
    }
    if (access->open) return inner;
    return [authenticator, required, everything, permission = access->permission, inner = std::move(inner)](http::Request& request) -> awaitable<http::Response> {
      if (!required) {
        request.principal = everything;
        co_return co_await inner(request);
      }
      const auto token = bearer_of(request);
      if (token.empty()) co_return unauthenticated("send Authorization: Bearer <token> (orgcast tokens create makes one)");
      auto principal = co_await authenticator->from_token(token);
      if (!principal) co_return redis_unavailable(principal.error().message());
      if (!*principal) co_return unauthenticated("the token is not valid: unknown, revoked or expired");
      if (permission && !(*principal)->permissions.has(*permission))
        co_return http::problem(403, "forbidden", "Not permitted",
                                std::string("this needs the permission ") + auth::name(*permission) + ", which profile " +
                                    quoted((*principal)->profile) + " does not give");
      request.principal = std::make_shared<const auth::Principal>(std::move(**principal));
      co_return co_await inner(request);
    };
  });
  return missing;
}

}  // namespace orgcast::api
