#include "auth/authenticator.hpp"

#include "auth/api_token.hpp"
#include "core/utc_time.hpp"

namespace orgcast::auth {

std::optional<Principal> principal_of(const TokenRecord& token, const std::map<std::string, Profile>& profiles,
                                      std::chrono::system_clock::time_point now) {
  if (!token.revoked_at.empty()) return std::nullopt;
  if (!token.expires_at.empty()) {
    const auto expires = parse_rfc3339(token.expires_at);
    if (!expires || *expires <= now) return std::nullopt;
  }
  const auto profile = profiles.find(token.profile);
  if (profile == profiles.end()) return std::nullopt;
  Principal p{Principal::Kind::token, token.id, token.name, token.profile, {}, token.scope, token.expires_at};
  // What the profile allows now, narrowed to the token's own list when it has one.
  for (const auto& name : profile->second.permissions.names()) {
    const auto permission = *parse_permission(name);
    bool listed = token.permissions.empty();
    for (const auto& own : token.permissions) listed |= own == name;
    if (listed) p.permissions.add(permission);
  }
  return p;
}

Authenticator::Authenticator(std::shared_ptr<AuthStore> store, Profiles profiles, std::shared_ptr<const Clock> clock)
    : store_(std::move(store)), profiles_(std::move(profiles)), clock_(clock ? std::move(clock) : system_clock()) {}

boost::asio::awaitable<redis::Result<std::optional<Principal>>> Authenticator::from_token(std::string token) {
  if (!well_formed_api_token(token)) co_return std::optional<Principal>{};  // no Redis read for a mistyped or made-up one
  const auto digest = api_token_digest(token);
  const auto now = clock_->steady_now();
  {
    std::lock_guard lock(mutex_);
    if (auto it = cache_.find(digest); it != cache_.end() && it->second.until > now) co_return it->second.principal;
    if (auto it = refused_.find(digest); it != refused_.end() && it->second > now) co_return std::optional<Principal>{};
  }
  auto record = co_await store_->token_by_digest(digest);
  if (!record) co_return record.error();
  std::optional<Principal> principal;
  if (*record) principal = principal_of(**record, profiles_(), clock_->system_now());
  if (principal) {
    // When it was last used, to the second the cache allows.
    const auto at = format_utc(clock_->system_now());
    co_await store_->token_used(digest, at);
  }
  std::lock_guard lock(mutex_);
  if (!principal) {
    if (refused_.size() >= 1000) refused_.clear();
    refused_[digest] = now + kCacheFor;
    co_return principal;
  }
  if (cache_.size() >= 10000) std::erase_if(cache_, [&](const auto& entry) { return entry.second.until <= now; });
  if (cache_.size() >= 10000) cache_.clear();
  cache_[digest] = Cached{principal, now + kCacheFor};
  co_return principal;
}

}  // namespace orgcast::auth
