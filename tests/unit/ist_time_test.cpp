// Times in messages: IST, in the recipient's language.
#include "text/ist_time.hpp"

#include <gtest/gtest.h>

#include "broadcast/spec.hpp"

using orgcast::text::format_ist;

namespace {

std::chrono::system_clock::time_point at(const char* rfc3339) { return *orgcast::broadcast::parse_rfc3339(rfc3339); }

TEST(IstTime, Table) {
  struct Row {
    const char* utc;
    const char* language;
    const char* expected;
  } rows[] = {
      {"2026-11-23T04:30:00Z", "hi", "सोमवार, 23 नवंबर 2026, सुबह 10:00 बजे"},
      {"2026-11-23T04:30:00Z", "en", "Monday, 23 November 2026, 10:00 AM IST"},
      {"2026-11-23T10:00:00+05:30", "hi", "सोमवार, 23 नवंबर 2026, सुबह 10:00 बजे"},
      {"2026-11-23T08:45:00Z", "hi", "सोमवार, 23 नवंबर 2026, दोपहर 2:15 बजे"},
      {"2026-11-23T12:00:00Z", "hi", "सोमवार, 23 नवंबर 2026, शाम 5:30 बजे"},
      {"2026-11-23T16:00:00Z", "hi", "सोमवार, 23 नवंबर 2026, रात 9:30 बजे"},
      {"2026-11-23T06:30:00Z", "en", "Monday, 23 November 2026, 12:00 PM IST"},
      // 23:00 UTC is already the next day in India.
      {"2026-12-31T19:00:00Z", "en", "Friday, 1 January 2027, 12:30 AM IST"},
      {"2026-12-31T19:00:00Z", "hi", "शुक्रवार, 1 जनवरी 2027, रात 12:30 बजे"},
      {"2026-11-23T04:30:00Z", "mr", "Monday, 23 November 2026, 10:00 AM IST"},  // no Marathi form yet: English
  };
  for (const auto& row : rows) EXPECT_EQ(format_ist(at(row.utc), row.language), row.expected) << row.utc << " " << row.language;
}

}  // namespace
