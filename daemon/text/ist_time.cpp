#include "text/ist_time.hpp"

#include <array>
#include <cstdio>

namespace orgcast::text {
namespace {

constexpr std::array<const char*, 12> kMonthsEn = {"January", "February", "March",     "April",   "May",      "June",
                                                   "July",    "August",   "September", "October", "November", "December"};
constexpr std::array<const char*, 12> kMonthsHi = {"जनवरी", "फ़रवरी", "मार्च",    "अप्रैल",  "मई",    "जून",
                                                   "जुलाई", "अगस्त", "सितंबर", "अक्टूबर", "नवंबर", "दिसंबर"};
constexpr std::array<const char*, 7> kDaysEn = {"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"};
constexpr std::array<const char*, 7> kDaysHi = {"रविवार", "सोमवार", "मंगलवार", "बुधवार", "गुरुवार", "शुक्रवार", "शनिवार"};

// How Hindi names the part of the day: सुबह (morning) from 4, दोपहर
// (afternoon) from 12, शाम (evening) from 16, रात (night) from 20.
const char* part_of_day_hi(int hour) {
  if (hour >= 4 && hour < 12) return "सुबह";
  if (hour >= 12 && hour < 16) return "दोपहर";
  if (hour >= 16 && hour < 20) return "शाम";
  return "रात";
}

}  // namespace

std::string format_ist(std::chrono::system_clock::time_point t, std::string_view language) {
  using namespace std::chrono;
  const auto ist = floor<minutes>(t) + hours(5) + minutes(30);
  const auto day = floor<days>(ist);
  const year_month_day date{day};
  const weekday wd{day};
  const hh_mm_ss clock{ist - day};
  const int hour = static_cast<int>(clock.hours().count()), minute = static_cast<int>(clock.minutes().count());
  const auto month = static_cast<unsigned>(date.month()) - 1;
  const std::string day_of_month = std::to_string(static_cast<unsigned>(date.day()));
  const std::string year = std::to_string(static_cast<int>(date.year()));
  char hm[8];
  if (language == "hi") {
    // 12-hour clock with the part of the day, as Hindi speakers say it.
    const int h12 = hour % 12 == 0 ? 12 : hour % 12;
    std::snprintf(hm, sizeof hm, "%d:%02d", h12, minute);
    return std::string(kDaysHi[wd.c_encoding()]) + ", " + day_of_month + " " + kMonthsHi[month] + " " + year + ", " +
           part_of_day_hi(hour) + " " + hm + " बजे";
  }
  const int h12 = hour % 12 == 0 ? 12 : hour % 12;
  std::snprintf(hm, sizeof hm, "%d:%02d", h12, minute);
  return std::string(kDaysEn[wd.c_encoding()]) + ", " + day_of_month + " " + kMonthsEn[month] + " " + year + ", " + hm +
         (hour < 12 ? " AM IST" : " PM IST");
}

}  // namespace orgcast::text
