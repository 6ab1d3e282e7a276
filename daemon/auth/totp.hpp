#pragma once
// The second factor (RFC 6238 TOTP, by liboath): six digits from an
// authenticator app, 30-second steps, one step of clock drift either way.
// Pure: the time is given, so tests need no clock. A code is good once:
// the caller remembers the step it matched and refuses it, or an earlier
// one, again.
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace orgcast::auth {

/// A new secret: 20 random bytes (160 bits, RFC 4226's advice), base32 without padding.
std::string new_totp_secret();

/// What an authenticator app scans: otpauth://totp/orgcast:<user>?secret=…&issuer=orgcast&digits=6&period=30.
std::string totp_uri(std::string_view secret_base32, std::string_view username);

/// The code for the step holding `at` (what the app shows then).
std::string totp_code(std::string_view secret_base32, std::chrono::system_clock::time_point at);

/// The 30-second step `code` is valid for at `now` (now's, one before or one
/// after); nullopt when it matches none or the secret is not base32.
std::optional<long long> totp_step(std::string_view secret_base32, std::string_view code, std::chrono::system_clock::time_point now);

}  // namespace orgcast::auth
