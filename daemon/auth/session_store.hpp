#pragma once
// Sessions of people at the console, in Redis (docs/ACCESS.md): a random
// session id in an HttpOnly cookie, only its SHA-256 kept; each with its
// CSRF token, ending after `idle` without use or `lifetime` after login,
// and all of a user's at once when the user is disabled. Failed logins are
// counted here too (auth/login_throttle.hpp decides what they cost).
//   au:session:<sha256>        hash: username, csrf, created_ms; expires after `idle`
//   au:sessions:<username>     set of a user's session digests
//   au:fail:<username>         failures for the account (any address), for the window
//   au:fail:<username>:<addr>  failures from one address
#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/awaitable.hpp>

#include "auth/login_throttle.hpp"
#include "redis/client.hpp"

namespace orgcast::auth {

inline constexpr std::string_view kSessionCookie = "orgcast_session";

struct Session {
  std::string id, csrf, username;
  long long created_ms = 0;
};

class SessionStore {
 public:
  SessionStore(std::shared_ptr<redis::Client> redis, std::string key_prefix, std::chrono::milliseconds idle, std::chrono::milliseconds lifetime);

  /// A new session for `username` (a new id at every login).
  boost::asio::awaitable<redis::Result<Session>> create(std::string username, long long now_ms);
  /// The session of this id while it lives (its idle time starts again); nullopt when it is none.
  boost::asio::awaitable<redis::Result<std::optional<Session>>> find(std::string id, long long now_ms);
  boost::asio::awaitable<redis::Result<std::size_t>> remove(std::string id);
  /// Ends every session of the user (disabled, or its password changed).
  boost::asio::awaitable<redis::Result<std::size_t>> remove_all(std::string username);

  /// Takes a TOTP step for the user: 1 when it is later than every step used
  /// before (a code is good once), 0 when it was used, or is older.
  boost::asio::awaitable<redis::Result<std::size_t>> use_totp_step(std::string username, long long step);
  boost::asio::awaitable<redis::Result<LoginFailures>> failures(std::string username, std::string address);
  boost::asio::awaitable<redis::Result<std::size_t>> failed(std::string username, std::string address);
  boost::asio::awaitable<redis::Result<std::size_t>> succeeded(std::string username, std::string address);

 private:
  std::string key(const std::string& name) const { return prefix_ + name; }
  std::shared_ptr<redis::Client> redis_;
  std::string prefix_;
  std::chrono::milliseconds idle_, lifetime_;
};

/// 32 random bytes as URL-safe base64 (libsodium): session ids and CSRF tokens.
std::string random_secret();

}  // namespace orgcast::auth
