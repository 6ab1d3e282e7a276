#include "meetings/reply_link.hpp"

#include <array>
#include <mutex>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

namespace orgcast::meetings {

namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
constexpr std::size_t kPayload = 8, kMac = 4, kBytes = kPayload + kMac;  // 12 bytes: 16 characters

std::array<unsigned char, kMac> mac_of(const unsigned char* payload, std::string_view key) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), payload, kPayload, digest, &length);
  std::array<unsigned char, kMac> out{};
  for (std::size_t i = 0; i < kMac; ++i) out[i] = digest[i];
  return out;
}

std::mutex key_mutex;
std::string key_in_force;

}  // namespace

std::string link_token(const LinkTarget& target, std::string_view key) {
  if (target.meeting >= (1u << 24) || target.mobile >= (std::uint64_t{1} << 40) || key.empty()) return "";
  std::array<unsigned char, kBytes> bytes{};
  for (int i = 0; i < 3; ++i) bytes[static_cast<std::size_t>(i)] = static_cast<unsigned char>(target.meeting >> (16 - 8 * i));
  for (int i = 0; i < 5; ++i) bytes[static_cast<std::size_t>(3 + i)] = static_cast<unsigned char>(target.mobile >> (32 - 8 * i));
  const auto mac = mac_of(bytes.data(), key);
  for (std::size_t i = 0; i < kMac; ++i) bytes[kPayload + i] = mac[i];
  std::string out;
  for (std::size_t i = 0; i < kBytes; i += 3) {  // 3 bytes -> 4 characters
    const unsigned v = bytes[i] << 16 | bytes[i + 1] << 8 | bytes[i + 2];
    for (int s = 18; s >= 0; s -= 6) out += kAlphabet[(v >> s) & 63];
  }
  return out;
}

std::optional<LinkTarget> read_link_token(std::string_view token, std::string_view key) {
  if (token.size() != 16 || key.empty()) return std::nullopt;
  std::array<unsigned char, kBytes> bytes{};
  for (std::size_t i = 0, b = 0; i < token.size(); i += 4, b += 3) {
    unsigned v = 0;
    for (std::size_t k = 0; k < 4; ++k) {
      const char* at = std::char_traits<char>::find(kAlphabet, 64, token[i + k]);
      if (!at) return std::nullopt;
      v = v << 6 | static_cast<unsigned>(at - kAlphabet);
    }
    bytes[b] = static_cast<unsigned char>(v >> 16);
    bytes[b + 1] = static_cast<unsigned char>(v >> 8);
    bytes[b + 2] = static_cast<unsigned char>(v);
  }
  const auto mac = mac_of(bytes.data(), key);
  if (CRYPTO_memcmp(mac.data(), bytes.data() + kPayload, kMac) != 0) return std::nullopt;
  LinkTarget t;
  for (int i = 0; i < 3; ++i) t.meeting = t.meeting << 8 | bytes[static_cast<std::size_t>(i)];
  for (int i = 0; i < 5; ++i) t.mobile = t.mobile << 8 | bytes[static_cast<std::size_t>(3 + i)];
  return t;
}

std::string reply_link_key() {
  std::lock_guard lock(key_mutex);
  return key_in_force;
}

void set_reply_link_key(std::string key) {
  std::lock_guard lock(key_mutex);
  key_in_force = std::move(key);
}

}  // namespace orgcast::meetings
