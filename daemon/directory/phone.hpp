#pragma once
// Indian mobile numbers, from the forms people really type to E.164.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace orgcast::phone {

/// Normalises "98290 12345", "098290-12345", "+91 98290 12345", "0091...",
/// "91..." to the number 919829012345 (E.164 without the '+'). On failure
/// returns nullopt and says why in `why`.
std::optional<std::uint64_t> normalise_indian_mobile(std::string_view raw, std::string* why = nullptr);

/// 919829012345 -> "+919829012345".
std::string to_e164(std::uint64_t number);

}  // namespace orgcast::phone
