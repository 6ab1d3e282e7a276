#include "auth/api_token.hpp"

#include <sodium.h>

#include <stdexcept>

#include "core/digest.hpp"

namespace orgcast::auth {

namespace {

constexpr std::string_view kAlphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
constexpr std::size_t kBodyLength = 32, kChecksumLength = 6;

// Six base62 characters of the body's SHA-256.
std::string checksum(std::string_view body) {
  const auto digest = sha256_hex(body);
  std::uint64_t value = std::stoull(digest.substr(0, 15), nullptr, 16);
  std::string out;
  for (std::size_t i = 0; i < kChecksumLength; ++i, value /= 62) out += kAlphabet[value % 62];
  return out;
}

}  // namespace

std::string make_api_token(const std::array<std::uint8_t, 24>& random) {
  std::string body = "oc_";
  // 32 characters of 6 random bits each, taken mod 62 (two values a little
  // likelier: about 190 bits of strength remain).
  for (std::size_t i = 0; i < kBodyLength; ++i) {
    const std::size_t bit = i * 6;
    const unsigned v = ((random[bit / 8] | (bit / 8 + 1 < random.size() ? random[bit / 8 + 1] << 8 : 0)) >> (bit % 8)) & 0x3F;
    body += kAlphabet[v % 62];
  }
  return body + "_" + checksum(body);
}

bool well_formed_api_token(std::string_view token) {
  static_assert(kApiTokenLength == 3 + kBodyLength + 1 + kChecksumLength);
  if (token.size() != kApiTokenLength || !token.starts_with("oc_") || token[3 + kBodyLength] != '_') return false;
  for (std::size_t i = 3; i < 3 + kBodyLength; ++i)
    if (kAlphabet.find(token[i]) == std::string_view::npos) return false;
  return checksum(token.substr(0, 3 + kBodyLength)) == token.substr(3 + kBodyLength + 1);
}

std::string api_token_digest(std::string_view token) { return sha256_hex(token); }

std::string new_api_token() {
  if (sodium_init() < 0) throw std::runtime_error("libsodium could not start: no random bytes for a token");
  std::array<std::uint8_t, 24> random{};
  randombytes_buf(random.data(), random.size());
  return make_api_token(random);
}

}  // namespace orgcast::auth
