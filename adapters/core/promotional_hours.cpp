#include "adapters/core/promotional_hours.hpp"

namespace orgcast::adapters {

std::optional<std::chrono::system_clock::time_point> promotional_window_opens(std::chrono::system_clock::time_point t) {
  using namespace std::chrono;
  constexpr auto kIst = hours(5) + minutes(30);  // no daylight saving in India
  const auto ist = t + kIst;
  const auto day = floor<days>(ist);
  const auto since_midnight = ist - day;
  if (since_midnight >= hours(10) && since_midnight < hours(21)) return std::nullopt;
  const auto opens_ist = day + hours(10) + (since_midnight >= hours(21) ? days(1) : days(0));
  return time_point_cast<system_clock::duration>(opens_ist - kIst);
}

}  // namespace orgcast::adapters
