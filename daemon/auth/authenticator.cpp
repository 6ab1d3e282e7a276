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

Authenticator::Authenticator(std::shared_ptr<AuthStore> store, Profiles profiles, std::shared_ptr<const Clock> clock,
                             std::shared_ptr<SessionStore> sessions)
    : store_(std::move(store)), profiles_(std::move(profiles)), clock_(clock ? std::move(clock) : system_clock()), sessions_(std::move(sessions)) {}

std::optional<Authenticator::Found> Authenticator::cached(const std::string& key) {
  const auto now = clock_->steady_now();
  std::lock_guard lock(mutex_);
  if (auto it = cache_.find(key); it != cache_.end() && it->second.until > now) return it->second.principal;
  if (auto it = refused_.find(key); it != refused_.end() && it->second > now) return Found{};
  return std::nullopt;
}

void Authenticator::keep(const std::string& key, const Found& principal) {
  const auto now = clock_->steady_now();
  std::lock_guard lock(mutex_);
  if (!principal) {
    if (refused_.size() >= 1000) refused_.clear();
    refused_[key] = now + kCacheFor;
    return;
  }
  if (cache_.size() >= 10000) std::erase_if(cache_, [&](const auto& entry) { return entry.second.until <= now; });
  if (cache_.size() >= 10000) cache_.clear();
  cache_[key] = Cached{principal, now + kCacheFor};
}

void Authenticator::forget_session(const std::string& id) {
  std::lock_guard lock(mutex_);
  cache_.erase("s:" + id);
}

boost::asio::awaitable<redis::Result<Authenticator::Found>> Authenticator::from_session(std::string id) {
  if (!sessions_ || id.empty() || id.size() > 100) co_return Found{};
  const auto key = "s:" + id;
  if (auto known = cached(key)) co_return *known;
  const auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(clock_->system_now().time_since_epoch()).count();
  auto session = co_await sessions_->find(id, now_ms);
  if (!session) co_return session.error();
  Found principal;
  if (*session) {
    auto user = co_await store_->user((*session)->username);
    if (!user) co_return user.error();
    const auto profiles = profiles_();
    if (*user && !(*user)->disabled)
      if (auto profile = profiles.find((*user)->profile); profile != profiles.end())
        principal = std::make_shared<const Principal>(Principal{Principal::Kind::user, (*user)->username, (*user)->display_name, (*user)->profile,
                                                                profile->second.permissions, (*user)->scope, "", (*session)->csrf, id});
  }
  keep(key, principal);
  co_return principal;
}

boost::asio::awaitable<redis::Result<Authenticator::Found>> Authenticator::from_token(std::string token) {
  // Cached by the token itself (this process holds it anyway while the
  // request lives): a busy caller's request costs no SHA-256 at all.
  if (token.size() != kApiTokenLength || !token.starts_with("oc_")) co_return Found{};
  if (auto known = cached(token)) co_return *known;
  if (!well_formed_api_token(token)) {  // no Redis read for a mistyped or made-up one
    keep(token, nullptr);
    co_return Found{};
  }
  const auto digest = api_token_digest(token);
  auto record = co_await store_->token_by_digest(digest);
  if (!record) co_return record.error();
  Found principal;
  if (*record)
    if (auto p = principal_of(**record, profiles_(), clock_->system_now())) principal = std::make_shared<const Principal>(std::move(*p));
  if (principal) {
    // When it was last used, to the second the cache allows.
    const auto at = format_utc(clock_->system_now());
    co_await store_->token_used(digest, at);
  }
  keep(token, principal);
  co_return principal;
}

}  // namespace orgcast::auth
