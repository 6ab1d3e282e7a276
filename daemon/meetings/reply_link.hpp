#pragma once
// The one-tap reply link of a summons (pure logic, docs/REPLIES.md "The
// reply link"): /r/{token}, a token of 16 characters per meeting and
// person, so it adds little to an SMS. The token is the meeting's number
// (24 bits) and the person's mobile (40 bits), signed with a key only the
// daemon holds (HMAC-SHA256, 32 bits kept): unguessable for a given person
// and meeting without the key, and read back without a lookup.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace orgcast::meetings {

struct LinkTarget {
  std::uint32_t meeting = 0;  // the number of meeting "m<N>"
  std::uint64_t mobile = 0;   // E.164 digits
};

/// The token, or "" when the meeting number or mobile does not fit.
std::string link_token(const LinkTarget& target, std::string_view key);
/// The target of a token signed with `key`; nullopt for anything else.
std::optional<LinkTarget> read_link_token(std::string_view token, std::string_view key);

/// What a summons' `meeting.link_token` (and the end of `meeting.link`) is
/// checked as at POST: each recipient's own token takes its place at dispatch.
inline constexpr std::string_view kLinkTokenStandIn = "~~~~~~~~~~~~~~~~";

/// The key in force in this process (kept in Redis, shared by every
/// instance; set at start). "" until it is known.
std::string reply_link_key();
void set_reply_link_key(std::string key);

}  // namespace orgcast::meetings
