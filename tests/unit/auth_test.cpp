// Who may do what, as pure logic: API tokens' shape and checksum, access
// profiles, a token record's principal, and the routes open without credentials.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "auth/address_group.hpp"
#include "auth/api_token.hpp"
#include "auth/authenticator.hpp"
#include "auth/login_throttle.hpp"
#include "auth/request_limiter.hpp"
#include "auth/route_access.hpp"
#include "auth/totp.hpp"
#include "core/utc_time.hpp"

using namespace orgcast::auth;

namespace {

std::array<std::uint8_t, 24> bytes(std::uint8_t seed) {
  std::array<std::uint8_t, 24> out{};
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = static_cast<std::uint8_t>(seed * 31 + i * 7);
  return out;
}

TEST(ApiTokens, AreRecognisableAndCarryAChecksum) {
  const auto token = make_api_token(bytes(1));
  EXPECT_TRUE(token.starts_with("oc_")) << token;
  EXPECT_EQ(token.size(), 42u);
  EXPECT_TRUE(well_formed_api_token(token));
  EXPECT_NE(make_api_token(bytes(2)), token);
  auto typo = token;
  typo[10] = typo[10] == 'a' ? 'b' : 'a';
  EXPECT_FALSE(well_formed_api_token(typo)) << "a mistyped token fails its checksum";
  EXPECT_FALSE(well_formed_api_token(token.substr(0, 41)));
  EXPECT_FALSE(well_formed_api_token("Bearer " + token));
  EXPECT_FALSE(well_formed_api_token(""));
  EXPECT_EQ(api_token_digest(token).size(), 64u) << "SHA-256, hex: what is stored";
  EXPECT_EQ(api_token_digest(token).find(token.substr(3, 8)), std::string::npos);
}

TEST(AccessProfiles, ShippedAndConfigured) {
  const auto shipped = shipped_profiles();
  EXPECT_TRUE(shipped.at("state_admin").permissions.covers(Permissions::all()));
  EXPECT_FALSE(shipped.at("scheduler").permissions.has(Permission::view_contacts)) << "a machine reads no numbers";
  EXPECT_FALSE(shipped.at("district_president").permissions.has(Permission::manage_users));
  const auto configured = profiles_with({{"scheduler", {"view"}}, {"auditor", {"view", "view_contacts", "nonsense"}}});
  EXPECT_FALSE(configured.at("scheduler").permissions.has(Permission::send_announcement)) << "a configured profile replaces the shipped one";
  EXPECT_EQ(configured.at("auditor").permissions.names(), (std::vector<std::string>{"view", "view_contacts"}));
}

TEST(AccessProfiles, ATokensPrincipalIsNarrowedByItsProfileAndEndsWhenRevokedOrExpired) {
  const auto now = std::chrono::system_clock::now();
  TokenRecord t;
  t.id = "tk1";
  t.profile = "scheduler";
  t.scope = {"D-JAI"};
  t.expires_at = orgcast::format_utc(now + std::chrono::hours(1));
  auto p = principal_of(t, shipped_profiles(), now);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->permissions.names(), (std::vector<std::string>{"view", "send_announcement", "send_summons"}));
  EXPECT_EQ(p->scope, std::vector<std::string>{"D-JAI"});
  t.permissions = {"view", "view_contacts"};  // view_contacts is not the scheduler's: not given
  EXPECT_EQ(principal_of(t, shipped_profiles(), now)->permissions.names(), std::vector<std::string>{"view"});
  EXPECT_FALSE(principal_of(t, shipped_profiles(), now + std::chrono::hours(2))) << "expired";
  t.revoked_at = orgcast::format_utc(now);
  EXPECT_FALSE(principal_of(t, shipped_profiles(), now)) << "revoked";
  t.revoked_at.clear();
  t.profile = "gone";
  EXPECT_FALSE(principal_of(t, shipped_profiles(), now)) << "its profile no longer exists";
}

TEST(RouteAccess, OpenWithoutCredentialsIsExactlyThisList) {
  EXPECT_THAT(open_routes(), ::testing::UnorderedElementsAre("GET /healthz", "GET /readyz", "GET /metrics", "GET /v1/openapi.json", "POST /v1/session", "GET /r/{token}", "POST /r/{token}",
                                                             "GET /v1/webhooks/{provider}", "POST /v1/webhooks/{provider}",
                                                             "GET /v1/webhooks/{provider}/{secret}", "POST /v1/webhooks/{provider}/{secret}"));
  EXPECT_EQ(access_for("POST", "/v1/broadcasts")->permission, Permission::send_announcement);
  EXPECT_FALSE(access_for("POST", "/v1/nothing")) << "a route without a rule has no access";
}

TEST(LoginThrottle, AccountFailuresSlowAndAddressFailuresLockForLongerEachTime) {
  using namespace std::chrono_literals;
  EXPECT_EQ(login_delay({0, 0}).wait, 0ms);
  EXPECT_EQ(login_delay({3, 0}).wait, 300ms);
  EXPECT_EQ(login_delay({500, 0}).wait, 2000ms) << "at most 2 s";
  EXPECT_EQ(login_delay({4, 4}).locked_for, 0s);
  EXPECT_EQ(login_delay({5, 5}).locked_for, 30s);
  EXPECT_EQ(login_delay({6, 6}).locked_for, 60s);
  EXPECT_EQ(login_delay({9, 9}).locked_for, 480s);
  EXPECT_EQ(login_delay({100, 100}).locked_for, 3600s) << "at most an hour";
}

}  // namespace

namespace {

// RFC 6238's SHA-1 test vectors (the last six of their eight digits), and
// one step of drift either way.
TEST(Totp, CodesFollowRfc6238AndAllowOneStepOfDrift) {
  using namespace std::chrono;
  const std::string secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";  // "12345678901234567890"
  const auto at = [](long long s) { return system_clock::time_point(seconds(s)); };
  EXPECT_EQ(orgcast::auth::totp_code(secret, at(59)), "287082");
  EXPECT_EQ(orgcast::auth::totp_code(secret, at(1111111109)), "081804");
  EXPECT_EQ(orgcast::auth::totp_code(secret, at(1234567890)), "005924");
  EXPECT_EQ(orgcast::auth::totp_step(secret, "005924", at(1234567890)), 1234567890 / 30);
  EXPECT_EQ(orgcast::auth::totp_step(secret, "005924", at(1234567890 + 30)), 1234567890 / 30) << "a step late";
  EXPECT_FALSE(orgcast::auth::totp_step(secret, "005924", at(1234567890 + 90))) << "three steps late";
  EXPECT_FALSE(orgcast::auth::totp_step(secret, "00592", at(1234567890)));
  EXPECT_FALSE(orgcast::auth::totp_step("not base32!", "005924", at(1234567890)));
  const auto fresh = orgcast::auth::new_totp_secret();
  EXPECT_EQ(fresh.size(), 32u) << "160 bits in base32";
  EXPECT_NE(fresh, orgcast::auth::new_totp_secret());
  EXPECT_THAT(orgcast::auth::totp_uri(fresh, "meena"), ::testing::StartsWith("otpauth://totp/orgcast:meena?secret=" + fresh));
}

}  // namespace

namespace {

using orgcast::auth::RequestLimiter;
using Clock = RequestLimiter::Clock;

// A client rotating through its IPv6 /64 is one client to the per-address limits.
TEST(AddressGroup, AnIpv6AddressCountsByItsSlash64AndAnIpv4OneAsItIs) {
  EXPECT_EQ(address_group("203.0.113.7"), "203.0.113.7");
  EXPECT_EQ(address_group("2001:db8:1:2:a:b:c:d"), "2001:db8:1:2::/64");
  EXPECT_EQ(address_group("2001:0db8:0001:0002:ffff:0:0:1"), "2001:db8:1:2::/64") << "another address of the same network";
  EXPECT_NE(address_group("2001:db8:1:3::1"), address_group("2001:db8:1:2::1")) << "the next /64 is another client";
  EXPECT_EQ(address_group("::ffff:203.0.113.7"), "203.0.113.7") << "IPv4 mapped into IPv6";
  EXPECT_EQ(address_group("not:an:address::zz"), "not:an:address::zz") << "kept as it is";
  EXPECT_EQ(address_group(""), "");
}

TEST(RequestLimiter, ABurstIsAllowedThenTheRateAndEachKeyHasItsOwn) {
  RequestLimiter limiter(10, 5);
  const auto t0 = Clock::time_point{} + std::chrono::hours(1);
  for (int i = 0; i < 5; ++i) EXPECT_FALSE(limiter.take("10.0.0.1", t0)) << "the burst, request " << i;
  auto wait = limiter.take("10.0.0.1", t0);
  ASSERT_TRUE(wait) << "the sixth at once is over";
  EXPECT_EQ(*wait, std::chrono::milliseconds(100)) << "one comes back every 1/10 s";
  EXPECT_FALSE(limiter.take("10.0.0.2", t0)) << "another address is not held back";
  EXPECT_TRUE(limiter.take("10.0.0.1", t0 + std::chrono::milliseconds(50)));
  EXPECT_FALSE(limiter.take("10.0.0.1", t0 + std::chrono::milliseconds(150))) << "refilled at the rate";
  EXPECT_FALSE(limiter.take("10.0.0.1", t0 + std::chrono::hours(1))) << "after long idle, a full burst again";
  for (int i = 0; i < 4; ++i) EXPECT_FALSE(limiter.take("10.0.0.1", t0 + std::chrono::hours(1)));
  EXPECT_TRUE(limiter.take("10.0.0.1", t0 + std::chrono::hours(1))) << "never more than the burst";
}

TEST(RequestLimiter, ZeroIsNoLimitAndManyKeysDoNotGrowWithoutBound) {
  RequestLimiter off(0, 1);
  const auto t0 = Clock::time_point{} + std::chrono::hours(1);
  for (int i = 0; i < 1000; ++i) EXPECT_FALSE(off.take("a", t0));
  RequestLimiter limiter(1, 2, 100);
  for (int i = 0; i < 1000; ++i) limiter.take("addr" + std::to_string(i), t0 + std::chrono::seconds(i / 100));
  EXPECT_LE(limiter.keys(), 100u);
  limiter.take("busy", t0 + std::chrono::seconds(20));
  limiter.take("busy", t0 + std::chrono::seconds(20));
  EXPECT_TRUE(limiter.take("busy", t0 + std::chrono::seconds(20))) << "a key in use keeps its count";
}

}  // namespace
