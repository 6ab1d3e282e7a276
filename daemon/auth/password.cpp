#include "auth/password.hpp"

#include <sodium.h>

#include "core/text.hpp"

namespace orgcast::auth {

namespace {
bool ready() {
  static const bool ok = sodium_init() >= 0;
  return ok;
}
}  // namespace

std::optional<std::string> hash_password(std::string_view password) {
  if (!ready()) return std::nullopt;
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str(out, password.data(), password.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
    return std::nullopt;
  return std::string(out);
}

bool password_matches(const std::string& hash, std::string_view password) {
  return ready() && crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

bool needs_rehash(const std::string& hash) {
  return crypto_pwhash_str_needs_rehash(hash.c_str(), crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0;
}

std::string password_problem(std::string_view password) {
  if (characters(password) < 12) return "a password has at least 12 characters";
  if (password.size() > 256) return "a password has at most 256 bytes";
  return "";
}

}  // namespace orgcast::auth
