#include "api/author_now.hpp"

#include "api/common.hpp"
#include "auth/api_token.hpp"
#include "auth/authenticator.hpp"
#include "auth/auth_store.hpp"
#include "core/text.hpp"
#include "http/problem.hpp"

namespace orgcast::api {

boost::asio::awaitable<std::variant<std::shared_ptr<const auth::Principal>, http::Response>> principal_now(Context context, std::string tag) {
  auto p = std::make_shared<auth::Principal>();
  const auto gone = [&](const std::string& why) {
    return http::problem(409, "author-gone", "Author can no longer send", "the request's author " + quoted(tag) + " " + why + "; it is not run in their name");
  };
  const auto profiles = context.access_profiles ? context.access_profiles() : std::map<std::string, auth::Profile>{};
  p->id = tag.substr(tag.find(':') + 1);
  if (tag.starts_with("user:")) {
    p->kind = auth::Principal::Kind::user;
    auto user = co_await context.auth->user(p->id);
    if (!user) co_return redis_unavailable(user.error().message());
    if (!*user || (*user)->disabled) co_return gone("is disabled");
    const auto profile = profiles.find((*user)->profile);
    if (profile == profiles.end()) co_return gone("has a profile no longer in force");
    p->name = (*user)->display_name;
    p->profile = (*user)->profile;
    p->permissions = profile->second.permissions;
    p->scope = (*user)->scope;
    co_return std::shared_ptr<const auth::Principal>(std::move(p));
  }
  auto tokens = co_await context.auth->tokens();
  if (!tokens) co_return redis_unavailable(tokens.error().message());
  for (const auto& t : *tokens) {
    if (t.id != p->id) continue;
    // As the authenticator reads a token: none once revoked, expired or of a profile no longer in force.
    auto now = auth::principal_of(t, profiles, std::chrono::system_clock::now());
    if (!now) co_return gone("was revoked or has expired");
    co_return std::shared_ptr<const auth::Principal>(std::make_shared<auth::Principal>(std::move(*now)));
  }
  co_return gone("no longer exists");
}

}  // namespace orgcast::api
