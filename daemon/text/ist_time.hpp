#pragma once
// Times in messages are India Standard Time (UTC+05:30, no daylight saving),
// written the way each language writes them:
//   hi: "सोमवार, 23 नवंबर 2026, सुबह 10:00 बजे"
//   en: "Monday, 23 November 2026, 10:00 AM IST"
// Languages without their own form use English.
#include <chrono>
#include <string>
#include <string_view>

namespace orgcast::text {

std::string format_ist(std::chrono::system_clock::time_point t, std::string_view language);
/// Only the date ("सोमवार, 23 नवंबर 2026", "Monday, 23 November 2026") or only
/// the clock ("सुबह 10:00 बजे", "10:00 AM IST"): DLT allows 30 characters per
/// variable, less than a whole Hindi time takes.
std::string format_ist_date(std::chrono::system_clock::time_point t, std::string_view language);
std::string format_ist_clock(std::chrono::system_clock::time_point t, std::string_view language);
/// The day in IST, as 2026-11-27 (what a daily report counts for).
std::string ist_day(std::chrono::system_clock::time_point t);

}  // namespace orgcast::text
