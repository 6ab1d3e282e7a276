#include "core/digest.hpp"

#include <openssl/evp.h>

namespace orgcast {
namespace {

std::string hex_digest(std::string_view data, const EVP_MD* algorithm) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_Digest(data.data(), data.size(), digest, &size, algorithm, nullptr);
  static const char* hex = "0123456789abcdef";
  std::string out;
  out.reserve(size * 2);
  for (unsigned int i = 0; i < size; ++i) {
    out += hex[digest[i] >> 4];
    out += hex[digest[i] & 0xF];
  }
  return out;
}

}  // namespace

std::string sha1_hex(std::string_view data) { return hex_digest(data, EVP_sha1()); }
std::string sha256_hex(std::string_view data) { return hex_digest(data, EVP_sha256()); }

}  // namespace orgcast
