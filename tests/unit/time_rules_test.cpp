// When a message may go out: quiet hours per kind, the promotional SMS
// window and blackouts per region, at the moment of sending (times given).
#include <gtest/gtest.h>

#include "core/utc_time.hpp"
#include "time_rules/time_rules.hpp"

namespace {

using namespace orgcast::time_rules;
using orgcast::parse_rfc3339;

std::string format_rfc3339(SysTime t) { return orgcast::format_utc(t); }

SysTime at(const char* rfc3339) { return *parse_rfc3339(rfc3339); }

Rules announcements_quiet_at_night() {
  Rules rules;
  rules.quiet_hours.push_back({"announcement", *parse_daily_window("21:00-08:00")});
  return rules;
}

TEST(TimeRules, ADailyWindowIsReadAsAnIstClock) {
  EXPECT_EQ(parse_daily_window("21:00-08:00"), (DailyWindow{21 * 60, 8 * 60}));
  EXPECT_EQ(to_string(*parse_daily_window("07:05-22:30")), "07:05-22:30");
  for (const char* bad : {"", "21:00", "21-08", "25:00-08:00", "21:60-08:00", "21:00-21:00", "9:00-10:00"})
    EXPECT_FALSE(parse_daily_window(bad)) << bad;
}

TEST(TimeRules, AnAnnouncementWaitsOutTheQuietHoursAndASummonsDoesNot) {
  const auto rules = announcements_quiet_at_night();
  EXPECT_FALSE(hold(rules, {"announcement"}, at("2026-11-27T20:59:00+05:30")));
  auto held = hold(rules, {"announcement"}, at("2026-11-27T21:00:00+05:30"));
  ASSERT_TRUE(held);
  EXPECT_EQ(format_rfc3339(held->until), "2026-11-28T02:30:00Z") << "08:00 IST the next morning";
  EXPECT_EQ(held->why, "quiet hours for announcement (21:00-08:00 IST)");
  EXPECT_EQ(format_rfc3339(hold(rules, {"announcement"}, at("2026-11-28T03:10:00+05:30"))->until), "2026-11-28T02:30:00Z");
  EXPECT_FALSE(hold(rules, {"announcement"}, at("2026-11-28T08:00:00+05:30")));
  EXPECT_FALSE(hold(rules, {"summons"}, at("2026-11-27T23:00:00+05:30"))) << "not quiet for summons";
  EXPECT_FALSE(hold(rules, {"reply"}, at("2026-11-27T23:00:00+05:30"))) << "replies are always exempt";
}

TEST(TimeRules, PromotionalSmsGoesOnlyFromTenToNineIst) {
  Rules rules;
  EXPECT_FALSE(hold(rules, {"announcement", true}, at("2026-11-27T10:00:00+05:30")));
  EXPECT_FALSE(hold(rules, {"announcement", true}, at("2026-11-27T20:59:59+05:30")));
  auto held = hold(rules, {"announcement", true}, at("2026-11-27T21:00:00+05:30"));
  ASSERT_TRUE(held);
  EXPECT_EQ(format_rfc3339(held->until), "2026-11-28T04:30:00Z") << "10:00 IST";
  EXPECT_FALSE(hold(rules, {"announcement", false}, at("2026-11-27T21:00:00+05:30"))) << "not promotional";
  rules.promotional_window = false;
  EXPECT_FALSE(hold(rules, {"announcement", true}, at("2026-11-27T21:00:00+05:30")));
}

TEST(TimeRules, ABlackoutHoldsItsRegionsKindsUntilItEndsAndRulesChain) {
  auto rules = announcements_quiet_at_night();
  rules.blackouts.push_back({"bo1", "Phase 2 poll", {"D-JAI"}, at("2026-11-28T07:00:00+05:30"), at("2026-11-30T07:00:00+05:30"), {}});
  const Message in_jaipur{"announcement", false, [](const Blackout& b) { return b.units[0] == "D-JAI"; }};
  const Message in_jodhpur{"announcement", false, [](const Blackout&) { return false; }};
  // Quiet until 08:00, then the blackout until the 30th 07:00, then quiet again until 08:00.
  auto held = hold(rules, in_jaipur, at("2026-11-27T22:00:00+05:30"));
  ASSERT_TRUE(held);
  EXPECT_EQ(format_rfc3339(held->until), "2026-11-30T02:30:00Z");
  EXPECT_EQ(held->why, "quiet hours for announcement (21:00-08:00 IST)");
  EXPECT_EQ(hold(rules, in_jaipur, at("2026-11-29T12:00:00+05:30"))->why, "blackout Phase 2 poll");
  EXPECT_FALSE(hold(rules, in_jodhpur, at("2026-11-29T12:00:00+05:30"))) << "another region";
  EXPECT_FALSE(hold(rules, {"reply", false, in_jaipur.within}, at("2026-11-29T12:00:00+05:30")));
  rules.blackouts[0].kinds = {"announcement"};
  EXPECT_FALSE(hold(rules, {"summons", false, in_jaipur.within}, at("2026-11-29T12:00:00+05:30"))) << "a kind it does not block";
  EXPECT_NE(blackout_at(rules, "announcement", at("2026-11-29T12:00:00+05:30"), in_jaipur.within), nullptr);
  EXPECT_EQ(blackout_at(rules, "announcement", at("2026-11-30T07:00:00+05:30"), in_jaipur.within), nullptr) << "ended";
}

// Until the next edge of any rule, every message is answered as now: the
// dispatcher asks again only once that time has come.
TEST(TimeRules, TheNextChangeIsTheSoonestEdgeOfAnyRule) {
  Rules rules = announcements_quiet_at_night();
  rules.promotional_window = false;
  EXPECT_EQ(format_rfc3339(next_change(rules, at("2026-11-27T20:59:59.500+05:30"))), "2026-11-27T15:30:00Z") << "21:00 IST";
  EXPECT_EQ(format_rfc3339(next_change(rules, at("2026-11-27T21:00:00+05:30"))), "2026-11-28T02:30:00Z") << "then 08:00 IST";
  rules.promotional_window = true;
  EXPECT_EQ(format_rfc3339(next_change(rules, at("2026-11-27T09:00:00+05:30"))), "2026-11-27T04:30:00Z") << "10:00 IST";
  rules.blackouts.push_back({"bo1", "poll", {"D1"}, at("2026-11-27T09:30:00+05:30"), at("2026-11-29T17:00:00+05:30"), {}});
  EXPECT_EQ(format_rfc3339(next_change(rules, at("2026-11-27T09:00:00+05:30"))), "2026-11-27T04:00:00Z") << "the blackout's start";
  EXPECT_EQ(next_change(Rules{{}, false, {}}, at("2026-11-27T09:00:00+05:30")), SysTime::max()) << "no rules: never";
}

}  // namespace
