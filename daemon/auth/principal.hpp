#pragma once
// Who a request is from (pure data): a user or an API token, what its
// profile lets it do, and where (its scope: unit ids, each with its whole
// subtree; "*" every unit).
#include <string>
#include <vector>

#include "auth/permissions.hpp"

namespace orgcast::auth {

struct Principal {
  enum class Kind { user, token } kind = Kind::token;
  std::string id;       // username, or the token's id (tk<N>)
  std::string name;     // display name, or the token's name
  std::string profile;
  Permissions permissions;
  std::vector<std::string> scope;
  std::string expires_at;  // a token's, RFC 3339 UTC ("" none)
  std::string csrf;        // a session's CSRF token (a user's requests from the console)
  std::string session_id;  // a session's id ("" for a token)
  /// "user:<id>" or "token:<id>": who made a token, whose an Idempotency-Key is.
  std::string tag() const { return (kind == Kind::user ? "user:" : "token:") + id; }
  bool whole_directory() const {
    for (const auto& s : scope)
      if (s == "*") return true;
    return false;
  }
};

}  // namespace orgcast::auth
