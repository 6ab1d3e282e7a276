#include "auth/address_group.hpp"

#include <arpa/inet.h>

#include <cstdio>

namespace orgcast::auth {

std::string address_group(std::string_view address) {
  if (address.find(':') == std::string_view::npos || address.size() >= INET6_ADDRSTRLEN) return std::string(address);
  const std::string text(address);
  unsigned char bytes[16];
  if (inet_pton(AF_INET6, text.c_str(), bytes) != 1) return text;
  const bool v4_mapped = [&] {
    for (int i = 0; i < 10; ++i)
      if (bytes[i] != 0) return false;
    return bytes[10] == 0xFF && bytes[11] == 0xFF;
  }();
  char out[INET6_ADDRSTRLEN + 4];
  if (v4_mapped) {
    std::snprintf(out, sizeof out, "%u.%u.%u.%u", bytes[12], bytes[13], bytes[14], bytes[15]);
    return out;
  }
  std::snprintf(out, sizeof out, "%x:%x:%x:%x::/64", (bytes[0] << 8) | bytes[1], (bytes[2] << 8) | bytes[3], (bytes[4] << 8) | bytes[5],
                (bytes[6] << 8) | bytes[7]);
  return out;
}

}  // namespace orgcast::auth
