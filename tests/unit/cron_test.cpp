// Recurring schedules' cron expressions on the IST clock, and what an
// occurrence does when it comes late (times given, no sleeping).
#include <gtest/gtest.h>

#include "core/utc_time.hpp"
#include "schedule/cron.hpp"

namespace {

using orgcast::schedule::Cron;
using orgcast::schedule::plan_occurrence;
using SysTime = std::chrono::system_clock::time_point;

SysTime at(const char* text) { return *orgcast::parse_rfc3339(text); }
std::string utc(SysTime t) { return orgcast::format_utc(t); }
Cron cron(const char* text) {
  std::string error;
  auto c = Cron::parse(text, error);
  EXPECT_TRUE(c) << text << ": " << error;
  return *c;
}

TEST(Cron, EveryDayAtNineIstAndItsNextOccurrences) {
  const auto nine = cron("0 9 * * *");
  EXPECT_EQ(utc(*nine.next_after(at("2026-11-27T08:59:00+05:30"))), "2026-11-27T03:30:00Z");
  EXPECT_EQ(utc(*nine.next_after(at("2026-11-27T09:00:00+05:30"))), "2026-11-28T03:30:00Z") << "strictly after";
  EXPECT_EQ(utc(*nine.next_after(at("2026-11-27T23:50:00+05:30"))), "2026-11-28T03:30:00Z");
}

TEST(Cron, RangesStepsListsAndWeekdays) {
  EXPECT_EQ(utc(*cron("*/15 10-11 * * *").next_after(at("2026-11-27T11:50:00+05:30"))), "2026-11-28T04:30:00Z") << "10:00 next day";
  EXPECT_EQ(utc(*cron("5/15 * * * *").next_after(at("2026-11-27T10:06:00+05:30"))), "2026-11-27T04:50:00Z") << "10:20";
  EXPECT_EQ(utc(*cron("30 18 * * 1,3").next_after(at("2026-11-27T12:00:00+05:30"))), "2026-11-30T13:00:00Z") << "Friday -> Monday 18:30";
  EXPECT_EQ(utc(*cron("0 8 * * 7").next_after(at("2026-11-27T12:00:00+05:30"))), "2026-11-29T02:30:00Z") << "7 is Sunday too";
  EXPECT_EQ(utc(*cron("0 8 1 * 0").next_after(at("2026-11-27T12:00:00+05:30"))), "2026-11-29T02:30:00Z") << "either day field (Sunday the 29th)";
  EXPECT_EQ(utc(*cron("0 0 29 2 *").next_after(at("2026-11-27T12:00:00+05:30"))), "2028-02-28T18:30:00Z") << "the next 29 February";
  EXPECT_FALSE(cron("0 0 31 2 *").next_after(at("2026-11-27T12:00:00+05:30"))) << "never";
}

TEST(Cron, MalformedExpressionsSayWhichField) {
  std::string error;
  for (const char* bad : {"", "0 9 * *", "0 9 * * * *", "60 9 * * *", "0 24 * * *", "0 9 0 * *", "0 9 * 13 *", "0 9 * * 8", "*/0 * * * *", "a 9 * * *", "5-1 * * * *"})
    EXPECT_FALSE(Cron::parse(bad, error)) << bad;
  Cron::parse("0 25 * * *", error);
  EXPECT_EQ(error, "hour: values must be from 0 to 23");
}

TEST(Cron, AnOccurrenceRunsLateOnlyWithinItsGraceAndAnOutageIsOneSkip) {
  const auto nine = cron("0 9 * * *");
  const auto due = at("2026-11-27T09:00:00+05:30");
  auto on_time = plan_occurrence(nine, due, due + std::chrono::seconds(3), std::chrono::minutes(30));
  EXPECT_TRUE(on_time.run);
  EXPECT_EQ(utc(*on_time.next), "2026-11-28T03:30:00Z");
  EXPECT_TRUE(plan_occurrence(nine, due, due + std::chrono::minutes(30), std::chrono::minutes(30)).run) << "late within its grace";
  auto late = plan_occurrence(nine, due, due + std::chrono::hours(5), std::chrono::minutes(30));
  EXPECT_FALSE(late.run) << "five hours late: skipped, never sent hours late";
  EXPECT_EQ(utc(*late.next), "2026-11-28T03:30:00Z");
  auto outage = plan_occurrence(nine, due, at("2026-12-02T09:10:00+05:30"), std::chrono::minutes(30));
  EXPECT_FALSE(outage.run);
  EXPECT_EQ(utc(*outage.next), "2026-12-02T03:30:00Z") << "the one still within grace, not the four missed between";
}

// The shortest time between two occurrences: what guards a schedule
// against firing every minute of an hour by a slip of the first field.
TEST(Cron, TheShortestGapBetweenOccurrences) {
  auto gap = [](const char* text) { return cron(text).shortest_gap().count(); };
  EXPECT_EQ(gap("* 9 * * *"), 1) << "every minute of nine o'clock";
  EXPECT_EQ(gap("*/15 * * * *"), 15);
  EXPECT_EQ(gap("0 9 * * *"), 24 * 60);
  EXPECT_EQ(gap("0 9,18 * * 1-5"), 9 * 60) << "18:00 to 09:00 next morning is 15 h; 09:00 to 18:00 is 9 h";
  EXPECT_EQ(gap("30 23 * * *"), 24 * 60);
  EXPECT_EQ(gap("30 0,23 * * *"), 60) << "23:30 to 00:30 across midnight";
}

}  // namespace
