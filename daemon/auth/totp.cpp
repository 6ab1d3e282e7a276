#include "auth/totp.hpp"

#include <liboath/oath.h>
#include <sodium.h>

#include <cctype>
#include <cstdlib>
#include <mutex>

namespace orgcast::auth {

namespace {

constexpr unsigned kStep = 30;
constexpr std::size_t kWindow = 1;

void init_oath() {
  static std::once_flag once;
  std::call_once(once, [] { oath_init(); });
}

std::string url_escaped(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') out += static_cast<char>(c);
    else out += '%', out += kHex[c >> 4], out += kHex[c & 15];
  }
  return out;
}

}  // namespace

std::string new_totp_secret() {
  init_oath();
  unsigned char raw[20];
  randombytes_buf(raw, sizeof raw);
  char* encoded = nullptr;
  std::size_t length = 0;
  if (oath_base32_encode(reinterpret_cast<const char*>(raw), sizeof raw, &encoded, &length) != OATH_OK) return "";
  std::string out(encoded, length);
  std::free(encoded);
  sodium_memzero(raw, sizeof raw);
  while (!out.empty() && out.back() == '=') out.pop_back();
  return out;
}

std::string totp_uri(std::string_view secret_base32, std::string_view username) {
  return "otpauth://totp/orgcast:" + url_escaped(username) + "?secret=" + std::string(secret_base32) + "&issuer=orgcast&digits=6&period=30";
}

namespace {

// The secret's bytes from its base32 text ("" when it is not base32).
std::string decoded(std::string_view secret_base32) {
  std::string padded(secret_base32);
  while (padded.size() % 8) padded += '=';
  char* secret = nullptr;
  std::size_t length = 0;
  if (oath_base32_decode(padded.data(), padded.size(), &secret, &length) != OATH_OK || !secret) return "";
  std::string out(secret, length);
  sodium_memzero(secret, length);
  std::free(secret);
  return out;
}

}  // namespace

std::string totp_code(std::string_view secret_base32, std::chrono::system_clock::time_point at) {
  init_oath();
  auto secret = decoded(secret_base32);
  char otp[7] = {};
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(at.time_since_epoch()).count();
  const bool made = !secret.empty() && oath_totp_generate(secret.data(), secret.size(), static_cast<time_t>(seconds), kStep, 0, 6, otp) == OATH_OK;
  sodium_memzero(secret.data(), secret.size());
  return made ? std::string(otp) : std::string();
}

std::optional<long long> totp_step(std::string_view secret_base32, std::string_view code, std::chrono::system_clock::time_point now) {
  if (code.size() != 6 || code.find_first_not_of("0123456789") != std::string_view::npos) return std::nullopt;
  init_oath();
  auto secret = decoded(secret_base32);
  if (secret.empty()) return std::nullopt;
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  int offset = 0;
  const std::string otp(code);
  const int matched = oath_totp_validate2(secret.data(), secret.size(), static_cast<time_t>(seconds), kStep, 0, kWindow, &offset, otp.c_str());
  sodium_memzero(secret.data(), secret.size());
  if (matched < 0) return std::nullopt;
  return seconds / kStep + offset;
}

}  // namespace orgcast::auth
