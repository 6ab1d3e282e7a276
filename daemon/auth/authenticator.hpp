#pragma once
// Who sent a request (docs/ACCESS.md): an API token's or a session's
// principal, read from Redis and kept in memory for at most a second, so
// that a revoked token, an ended session or a disabled user is refused on
// every instance within a second while a busy caller costs one Redis read a
// second, not one per request.
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include <boost/asio/awaitable.hpp>

#include "auth/auth_store.hpp"
#include "auth/permissions.hpp"
#include "auth/principal.hpp"
#include "auth/session_store.hpp"
#include "core/clock.hpp"

namespace orgcast::auth {

class Authenticator {
 public:
  using Profiles = std::function<std::map<std::string, Profile>()>;
  static constexpr std::chrono::milliseconds kCacheFor{1000};

  Authenticator(std::shared_ptr<AuthStore> store, Profiles profiles, std::shared_ptr<const Clock> clock = nullptr,
                std::shared_ptr<SessionStore> sessions = nullptr);
  /// Shared, as cached: a request holds it without a copy.
  using Found = std::shared_ptr<const Principal>;
  /// The token's principal; null when it is none (malformed, unknown,
  /// revoked, expired, or its profile is gone).
  boost::asio::awaitable<redis::Result<Found>> from_token(std::string token);
  /// A session cookie's principal (its user's, with the session's CSRF
  /// token); null when it is none (unknown, ended, or its user disabled or gone).
  boost::asio::awaitable<redis::Result<Found>> from_session(std::string id);
  /// A session ended here (logout): refused at once on this instance, within a second on the others.
  void forget_session(const std::string& id);

 private:
  struct Cached {
    Found principal;
    std::chrono::steady_clock::time_point until;
  };
  std::shared_ptr<AuthStore> store_;
  Profiles profiles_;
  std::shared_ptr<const Clock> clock_;
  std::shared_ptr<SessionStore> sessions_;
  /// The cached answer for `key` if still fresh (a null principal: refused), else nullopt.
  std::optional<Found> cached(const std::string& key);
  void keep(const std::string& key, const Found& principal);
  std::mutex mutex_;  // guards cache_ and refused_
  std::unordered_map<std::string, Cached> cache_;  // valid tokens, by digest
  // Well-formed tokens that are no token (anyone can make one): kept apart
  // and bounded, so that a flood of them never pushes out the real ones.
  std::unordered_map<std::string, std::chrono::steady_clock::time_point> refused_;
};

/// The principal a token record gives under these profiles at `now`; nullopt when it gives none.
std::optional<Principal> principal_of(const TokenRecord& token, const std::map<std::string, Profile>& profiles,
                                      std::chrono::system_clock::time_point now);

}  // namespace orgcast::auth
