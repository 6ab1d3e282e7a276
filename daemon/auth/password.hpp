#pragma once
// Passwords as Argon2id hashes (libsodium's crypto_pwhash_str, its
// interactive limits: about 64 MiB and a fraction of a second each). Slow
// on purpose, so never on an I/O thread: the CLI hashes them today.
#include <optional>
#include <string>
#include <string_view>

namespace orgcast::auth {

/// The hash to store; nullopt when libsodium could not (out of memory).
std::optional<std::string> hash_password(std::string_view password);
bool password_matches(const std::string& hash, std::string_view password);
/// Made with other limits than today's: hash it again at the next login.
bool needs_rehash(const std::string& hash);
/// "" when usable as a password, else why not (at least 12 characters, at most 256 bytes).
std::string password_problem(std::string_view password);

}  // namespace orgcast::auth
