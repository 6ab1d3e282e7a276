#pragma once
// Users and API tokens in Redis (docs/ACCESS.md): written by the CLI and by
// /v1/tokens, read by every instance's authenticator.
//   au:token:<sha256>   hash: a token's record (the token itself is never kept)
//   au:tokens           hash: token id -> its sha256
//   au:token-seq        INCR: token ids tk<N>
//   au:user:<username>  hash: a user's record (the password as an Argon2id hash)
//   au:users            set of usernames
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "redis/client.hpp"

namespace orgcast::auth {

struct TokenRecord {
  std::string id, digest, name, profile;
  std::vector<std::string> permissions;  // no wider than the profile's; empty: the profile's
  std::vector<std::string> scope;        // unit ids, or "*"
  std::string created_at, created_by, expires_at, revoked_at, last_used_at;  // RFC 3339 UTC; "" none
};

struct UserRecord {
  std::string username, display_name, password_hash, profile, language = "hi";
  std::vector<std::string> scope;
  bool disabled = false;
  std::string created_at;
  std::string totp_secret;  // base32; "" not enrolled. Never shown, logged or audited.
};

class AuthStore {
 public:
  AuthStore(std::shared_ptr<redis::Client> redis, std::string key_prefix);

  /// Stores a new token (its digest given); its id (tk<N>).
  boost::asio::awaitable<redis::Result<std::string>> create_token(TokenRecord record);
  boost::asio::awaitable<redis::Result<std::optional<TokenRecord>>> token_by_digest(std::string digest);
  boost::asio::awaitable<redis::Result<std::vector<TokenRecord>>> tokens();
  /// Marks it revoked at `at`; 0 when there is no such token.
  boost::asio::awaitable<redis::Result<std::size_t>> revoke_token(std::string id, std::string at);
  boost::asio::awaitable<redis::Result<std::size_t>> token_used(std::string digest, std::string at);

  /// Adds a user; 0 when the username is taken.
  boost::asio::awaitable<redis::Result<std::size_t>> add_user(UserRecord user);
  boost::asio::awaitable<redis::Result<std::optional<UserRecord>>> user(std::string username);
  boost::asio::awaitable<redis::Result<std::vector<UserRecord>>> users();
  /// Changes one field of an existing user (password_hash, disabled, ...); 0 when there is no such user.
  boost::asio::awaitable<redis::Result<std::size_t>> set_user_field(std::string username, std::string field, std::string value);

 private:
  std::string key(const std::string& name) const { return prefix_ + name; }
  std::shared_ptr<redis::Client> redis_;
  std::string prefix_;
};

/// "a,b" <-> {"a", "b"}.
std::string joined(const std::vector<std::string>& items);
std::vector<std::string> split_list(const std::string& text);

}  // namespace orgcast::auth
