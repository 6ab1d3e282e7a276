#pragma once
// Personal data stays in (DESIGN.md invariant 6): anything that logs a phone
// number or a push token goes through these helpers first.
#include <string>
#include <string_view>

namespace orgcast {

/// "+919829012345" -> "+91982*****45": enough to tell numbers apart in a log,
/// not enough to call anyone.
std::string mask_phone(std::string_view e164);

/// Keeps the first 6 characters of a token and its length.
std::string mask_token(std::string_view token);

}  // namespace orgcast
