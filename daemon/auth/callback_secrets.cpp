#include "auth/callback_secrets.hpp"

#include <sodium.h>

namespace orgcast::auth {

std::string derive_callback_secret(std::string_view key, std::string_view account) {
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_state state;
  crypto_auth_hmacsha256_init(&state, reinterpret_cast<const unsigned char*>(key.data()), key.size());
  const std::string message = "orgcast callback " + std::string(account);
  crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(message.data()), message.size());
  crypto_auth_hmacsha256_final(&state, mac);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < 16; ++i) out += kHex[mac[i] >> 4], out += kHex[mac[i] & 15];
  return out;
}

bool same_secret(std::string_view a, std::string_view b) {
  if (a.size() != b.size() || a.empty()) return false;
  return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

void CallbackSecrets::set_key(std::string key) {
  std::lock_guard lock(mutex_);
  key_ = std::move(key);
}

std::optional<std::string> CallbackSecrets::of(std::string_view account) const {
  auto it = configured_.find(std::string(account));
  if (it == configured_.end()) return std::nullopt;
  if (!it->second.empty()) return it->second;
  std::lock_guard lock(mutex_);
  if (key_.empty()) return std::nullopt;
  return derive_callback_secret(key_, account);
}

}  // namespace orgcast::auth
