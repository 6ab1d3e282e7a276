#pragma once
// API tokens for machines (pure logic): `oc_` + 32 base62 characters (190
// random bits) + `_` + a 6-character checksum of the rest, so that a leaked
// token is recognisable by secret scanners and a mistyped one is refused
// without a Redis read. Only its SHA-256 is stored.
#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace orgcast::auth {

inline constexpr std::size_t kApiTokenLength = 3 + 32 + 1 + 6;  // oc_, body, _, checksum

/// A token made of these random bytes (24 of them).
std::string make_api_token(const std::array<std::uint8_t, 24>& random);
/// A new token from libsodium's randombytes (the kernel's getrandom).
std::string new_api_token();
/// The shape and checksum are right (not whether it exists).
bool well_formed_api_token(std::string_view token);
/// What is stored and looked up: SHA-256 of the token, hex.
std::string api_token_digest(std::string_view token);

}  // namespace orgcast::auth
