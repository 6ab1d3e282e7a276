#pragma once
// The client a per-address limit counts (pure logic): an IPv4 address as
// it is, an IPv6 address by its /64 — one subscriber's network, whose
// 2^64 addresses a client can rotate through at will (RFC 6177) — and an
// IPv4-mapped IPv6 address as its IPv4 address.
#include <string>
#include <string_view>

namespace orgcast::auth {

/// "203.0.113.7" stays; "2001:db8:1:2:a:b:c:d" is "2001:db8:1:2::/64"; anything unreadable is kept as it is.
std::string address_group(std::string_view address);

}  // namespace orgcast::auth
