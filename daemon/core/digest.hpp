#pragma once
// Message digests in lower-case hex (OpenSSL): script SHA-1s for EVALSHA,
// request bodies remembered with an Idempotency-Key.
#include <string>
#include <string_view>

namespace orgcast {

std::string sha1_hex(std::string_view data);
std::string sha256_hex(std::string_view data);

}  // namespace orgcast
