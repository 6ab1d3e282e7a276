#include "text/ist_time.hpp"

#include <array>
#include <cstdio>
#include <ctime>

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

namespace {

struct IstFields {
  int hour, minute;
  unsigned month, day;
  int year;
  unsigned weekday;
};

IstFields fields_of(std::chrono::system_clock::time_point t) {
  using namespace std::chrono;
  const auto ist = floor<minutes>(t) + hours(5) + minutes(30);
  const auto day = floor<days>(ist);
  const year_month_day date{day};
  const hh_mm_ss clock{ist - day};
  return {static_cast<int>(clock.hours().count()), static_cast<int>(clock.minutes().count()),
          static_cast<unsigned>(date.month()) - 1, static_cast<unsigned>(date.day()), static_cast<int>(date.year()),
          weekday{day}.c_encoding()};
}

}  // namespace

std::string format_ist_date(std::chrono::system_clock::time_point t, std::string_view language) {
  const auto f = fields_of(t);
  const bool hi = language == "hi";
  return std::string(hi ? kDaysHi[f.weekday] : kDaysEn[f.weekday]) + ", " + std::to_string(f.day) + " " +
         (hi ? kMonthsHi[f.month] : kMonthsEn[f.month]) + " " + std::to_string(f.year);
}

std::string format_ist_clock(std::chrono::system_clock::time_point t, std::string_view language) {
  const auto f = fields_of(t);
  // A 12-hour clock: Hindi names the part of the day, as its speakers say it.
  const int h12 = f.hour % 12 == 0 ? 12 : f.hour % 12;
  char hm[8];
  std::snprintf(hm, sizeof hm, "%d:%02d", h12, f.minute);
  if (language == "hi") return std::string(part_of_day_hi(f.hour)) + " " + hm + " बजे";
  return std::string(hm) + (f.hour < 12 ? " AM IST" : " PM IST");
}

std::string format_ist(std::chrono::system_clock::time_point t, std::string_view language) {
  return format_ist_date(t, language) + ", " + format_ist_clock(t, language);
}

std::string ist_day(std::chrono::system_clock::time_point t) {
  const auto ist = std::chrono::system_clock::to_time_t(t + std::chrono::minutes(330));
  std::tm parts{};
  gmtime_r(&ist, &parts);
  char out[16];
  std::strftime(out, sizeof out, "%Y-%m-%d", &parts);
  return out;
}

}  // namespace orgcast::text
