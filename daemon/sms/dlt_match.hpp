#pragma once
// India's DLT scrubbing, checked before sending: an SMS's text must be the
// text registered on the DLT platform with each {#var#} replaced by at most
// 30 characters (operators reject anything else). A template whose
// rendering could not pass is refused at load or POST time, never at send
// time.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace orgcast::sms {

/// A registered DLT text split at its {#var#} placeholders: statics.size()
/// is variables + 1 (the text before, between and after them).
struct DltTemplate {
  std::vector<std::string> statics;
  std::size_t variables() const { return statics.empty() ? 0 : statics.size() - 1; }
};

/// Splits the registered text; placeholders are {#var#} exactly (DLT's form).
DltTemplate parse_dlt(std::string_view registered);

inline constexpr std::size_t kDltVariableMax = 30;

/// Empty when `rendered` passes: the static parts identical and in order,
/// each variable at most `max_chars` characters (code points). Otherwise
/// why not, naming the part.
std::string check_dlt(const DltTemplate& registered, std::string_view rendered, std::size_t max_chars = kDltVariableMax);

}  // namespace orgcast::sms
