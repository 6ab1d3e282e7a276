// Who may do what, over HTTP: every route but the open list refuses a
// request without valid credentials (401), a token's profile decides what
// it may call (403), tokens are made shown once and revoked everywhere
// within about a second.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <fstream>
#include <hiredis/hiredis.h>

#include "api/context.hpp"
#include "api/routes.hpp"
#include "auth/api_token.hpp"
#include "auth/route_access.hpp"
#include "auth/totp.hpp"
#include "support/daemon_under_test.hpp"
#include "support/generated_directory.hpp"
#include "support/http_client.hpp"
#include "support/json_body.hpp"
#include "support/raw_connection.hpp"
#include "support/redis_server.hpp"

using namespace orgcast::testing;
using namespace std::chrono_literals;
namespace json = boost::json;

namespace {

// The daemon's own route table (api::add_all_routes), read in this process.
std::vector<std::pair<std::string, std::string>> route_table() {
  orgcast::http::Router router;
  orgcast::api::add_all_routes(router, orgcast::api::Context{}, orgcast::ServerConfig{});
  return router.routes();
}

// A path for a pattern: each {parameter} filled in.
std::string path_of(std::string pattern) {
  for (auto at = pattern.find('{'); at != std::string::npos; at = pattern.find('{'))
    pattern.replace(at, pattern.find('}', at) - at + 1, "x1");
  return pattern;
}

class Access : public ::testing::Test {
 protected:
  void SetUp() override {
    daemon_ = std::make_unique<DaemonUnderTest>(shared_redis_port(), unique_prefix());
    daemon_->start();
    ASSERT_TRUE(daemon_->wait_ready(10s)) << daemon_->process().log();
    ASSERT_FALSE(daemon_->token().empty()) << "the harness mints a token with orgcast tokens create";
    ASSERT_EQ(import_sample_directory(*daemon_), "");
  }
  HttpResult as(const std::string& token, const std::string& method, const std::string& path, const std::string& body = "") {
    return http(method, daemon_->url(path), body, "application/json", {{"Authorization", token.empty() ? "" : "Bearer " + token}});
  }
  std::unique_ptr<DaemonUnderTest> daemon_;
};

TEST_F(Access, EveryRouteButTheOpenOnesNeedsValidCredentials) {
  const auto routes = route_table();
  ASSERT_GT(routes.size(), 40u);
  std::vector<std::string> open;
  for (const auto& [method, pattern] : routes) {
    const auto access = orgcast::auth::access_for(method, pattern);
    ASSERT_TRUE(access) << method << " " << pattern << " has no access rule";
    if (access->open) {
      open.push_back(method + " " + pattern);
      continue;
    }
    const auto path = path_of(pattern);
    for (const std::string& token : {std::string(), std::string("oc_made-up"), std::string("oc_") + std::string(32, 'A') + "_AAAAAA"}) {
      auto r = as(token, method, path, "{}");
      EXPECT_EQ(r.status, 401) << method << " " << path << " with " << (token.empty() ? "no token" : token) << ": " << r.body;
      EXPECT_THAT(r.body, ::testing::HasSubstr(token.empty() ? "Authorization: Bearer" : "not valid")) << method << " " << path;
    }
    EXPECT_NE(as(daemon_->token(), method, path, "{}").status, 401) << method << " " << path << " with the harness's token";
  }
  EXPECT_THAT(open, ::testing::UnorderedElementsAreArray(orgcast::auth::open_routes()));
  EXPECT_EQ(as("", "GET", "/readyz").status, 200);
}

TEST_F(Access, ATokensProfileDecidesWhatItMayCallAndARevokedOneIsRefusedWithinASecond) {
  auto made = as(daemon_->token(), "POST", "/v1/tokens", R"({"name": "nightly job", "profile": "scheduler", "scope": ["RJ"], "expires_in_days": 30})");
  ASSERT_EQ(made.status, 201) << made.body;
  auto token_json = object_of(made);
  const std::string token(token_json["token"].as_string()), id(token_json["id"].as_string());
  EXPECT_TRUE(token.starts_with("oc_"));
  // Shown once: the listing has no token, and no hash of it either.
  auto listed = as(daemon_->token(), "GET", "/v1/tokens");
  ASSERT_EQ(listed.status, 200);
  EXPECT_EQ(listed.body.find(token), std::string::npos);
  EXPECT_EQ(listed.body.find("digest"), std::string::npos);
  EXPECT_THAT(listed.body, ::testing::HasSubstr("nightly job"));

  auto me = object_of(as(token, "GET", "/v1/session"));
  EXPECT_EQ(me["profile"].as_string(), "scheduler");
  EXPECT_EQ(me["id"].as_string(), id);
  // A scheduler sends and reads counts; it reads no numbers and changes no directory, users or tokens.
  EXPECT_EQ(as(token, "POST", "/v1/broadcasts",
               R"({"audience": {"units": ["D-JAI"]}, "template": "announcement", "variables": {"subject": "बैठक", "details": "कल"}, "channels": ["sms"]})")
                .status,
            202);
  EXPECT_EQ(as(token, "GET", "/v1/directory").status, 200);
  for (const auto& [method, path] : std::vector<std::pair<std::string, std::string>>{{"POST", "/v1/directory/import"},
                                                                                     {"PUT", "/v1/directory/contacts/C1"},
                                                                                     {"GET", "/v1/tokens"},
                                                                                     {"POST", "/v1/tokens"}}) {
    auto r = as(token, method, path, "{}");
    EXPECT_EQ(r.status, 403) << method << " " << path << ": " << r.body;
    EXPECT_THAT(r.body, ::testing::HasSubstr("permission")) << method << " " << path;
  }
  // Idempotency-Keys are each caller's own: the same key from two callers is two requests.
  const std::string other_body = R"({"audience": {"units": ["D-JOD"]}, "template": "announcement", "variables": {"subject": "बैठक", "details": "परसों"}, "channels": ["sms"]})";
  auto keyed = [&](const std::string& who, const std::string& body) {
    return http("POST", daemon_->url("/v1/broadcasts"), body, "application/json", {{"Authorization", "Bearer " + who}, {"Idempotency-Key", "nightly-1"}});
  };
  auto first = keyed(token, other_body);
  ASSERT_EQ(first.status, 202) << first.body;
  auto second = keyed(daemon_->token(), R"({"audience": {"units": ["D-JAI"]}, "template": "announcement", "variables": {"subject": "बैठक", "details": "कल"}, "channels": ["sms"]})");
  EXPECT_EQ(second.status, 202) << "another caller's key: " << second.body;
  EXPECT_NE(object_of(second)["id"].as_string(), object_of(first)["id"].as_string());
  EXPECT_EQ(object_of(keyed(token, other_body))["id"].as_string(), object_of(first)["id"].as_string()) << "the same caller's retry: the same broadcast";
  // No wider than the profile it names.
  auto wider = as(daemon_->token(), "POST", "/v1/tokens", R"({"name": "x", "profile": "scheduler", "scope": ["*"], "permissions": ["view_contacts"]})");
  EXPECT_EQ(wider.status, 400);
  EXPECT_THAT(wider.body, ::testing::HasSubstr("/permissions/0"));
  auto unknown = as(daemon_->token(), "POST", "/v1/tokens", R"({"name": "x", "profile": "root", "scope": ["*"]})");
  EXPECT_EQ(unknown.status, 400);
  EXPECT_THAT(unknown.body, ::testing::HasSubstr("/profile"));

  // Revoked: refused within about a second (each instance keeps a principal a second at most).
  ASSERT_EQ(as(daemon_->token(), "POST", "/v1/tokens/" + id + "/revoke").status, 200);
  const auto revoked_at = std::chrono::steady_clock::now();
  ASSERT_TRUE(eventually([&] { return as(token, "GET", "/v1/session").status == 401; }, 3s));
  EXPECT_LT(std::chrono::steady_clock::now() - revoked_at, 1500ms);
  EXPECT_EQ(as(daemon_->token(), "POST", "/v1/tokens/tk999/revoke").status, 404);
}

// A token past its expiry is refused within about a second, like a revoked one.
TEST_F(Access, AnExpiredTokenIsRefused) {
  const auto token = daemon_->cli_token("short-lived", "scheduler", "RJ");
  ASSERT_EQ(as(token, "GET", "/v1/directory").status, 200);
  // Its expiry moved into the past, as time would move it.
  std::unique_ptr<redisContext, decltype(&redisFree)> redis(redisConnect("127.0.0.1", shared_redis_port()), &redisFree);
  ASSERT_TRUE(redis && !redis->err);
  const auto key = daemon_->key_prefix() + "au:token:" + orgcast::auth::api_token_digest(token);
  freeReplyObject(redisCommand(redis.get(), "HSET %s expires_at 2020-01-01T00:00:00Z", key.c_str()));
  EXPECT_TRUE(eventually([&] { return as(token, "GET", "/v1/directory").status == 401; }, 3s));
  EXPECT_THAT(as(token, "GET", "/v1/directory").body, ::testing::HasSubstr("revoked or expired"));
}

// A stranger's big body is refused at its header: the 401 comes before a
// byte of it is sent, and the connection closes.
TEST_F(Access, AStrangersBodyIsRefusedBeforeItIsRead) {
  RawConnection stranger(daemon_->port());
  ASSERT_TRUE(stranger.connected());
  stranger.send_text("POST /v1/directory/import HTTP/1.1\r\nHost: test\r\nContent-Type: multipart/form-data; boundary=x\r\n"
                     "Content-Length: 400000000\r\n\r\n");
  std::string received;
  ASSERT_TRUE(stranger.read_until_closed(received)) << "the daemon waited for the body";
  EXPECT_THAT(received, ::testing::StartsWith("HTTP/1.1 401"));
  RawConnection forged(daemon_->port());
  forged.send_text("POST /v1/directory/import HTTP/1.1\r\nHost: test\r\nAuthorization: Bearer oc_" + std::string(32, 'A') +
                   "_AAAAAA\r\nContent-Length: 400000000\r\n\r\n");
  received.clear();
  ASSERT_TRUE(forged.read_until_closed(received));
  EXPECT_THAT(received, ::testing::StartsWith("HTTP/1.1 401"));
  EXPECT_EQ(daemon_->get("/v1/directory").status, 200) << "the daemon still answers";
}

// A token made by a token is its maker's: the maker lists and revokes only
// its own, and revoking the maker revokes what it made.
TEST_F(Access, TokensMadeByATokenAreListedToItAndRevokedWithIt) {
  auto maker = object_of(as(daemon_->token(), "POST", "/v1/tokens", R"({"name": "district office", "profile": "state_admin", "scope": ["D-JAI"]})"));
  const std::string maker_token(maker["token"].as_string()), maker_id(maker["id"].as_string());
  auto made = as(maker_token, "POST", "/v1/tokens", R"({"name": "jaipur cron", "profile": "scheduler", "scope": ["D-JAI"]})");
  ASSERT_EQ(made.status, 201) << made.body;
  const std::string child(object_of(made)["token"].as_string()), child_id(object_of(made)["id"].as_string());
  EXPECT_EQ(object_of(made)["permissions"].as_array().size(), 3u) << "written out: view, send_announcement, send_summons";
  auto outside = as(maker_token, "POST", "/v1/tokens", R"({"name": "x", "profile": "scheduler", "scope": ["D-JOD"]})");
  EXPECT_EQ(outside.status, 403) << "Jodhpur is outside the maker's scope";
  EXPECT_THAT(outside.body, ::testing::HasSubstr("/scope/0"));
  auto listed = object_of(as(maker_token, "GET", "/v1/tokens"))["tokens"].as_array();
  ASSERT_EQ(listed.size(), 1u) << "only the tokens it made";
  EXPECT_EQ(listed[0].as_object().at("id").as_string(), child_id);
  EXPECT_EQ(as(maker_token, "POST", "/v1/tokens/tk1/revoke").status, 404) << "not its own: as if there were none";
  auto revoked = as(daemon_->token(), "POST", "/v1/tokens/" + maker_id + "/revoke");
  ASSERT_EQ(revoked.status, 200) << revoked.body;
  EXPECT_THAT(revoked.body, ::testing::HasSubstr(child_id));
  ASSERT_TRUE(eventually([&] { return as(child, "GET", "/v1/session").status == 401; }, 3s)) << "revoked with its maker";
  auto again = as(daemon_->token(), "POST", "/v1/tokens/" + maker_id + "/revoke");
  EXPECT_EQ(again.status, 200) << "revoking a revoked token is answered, not an error: " << again.body;
  EXPECT_EQ(object_of(again)["revoked"].as_array().size(), 1u) << "nothing revoked again: " << again.body;
}

// The admin lists (tokens, templates, ...) are paged like every list: a
// `limit`, the `next` link and the `total`, each row once, in one order.
TEST_F(Access, SmallListsArePagedByTheNextLink) {
  for (int n = 0; n < 4; ++n)
    ASSERT_EQ(as(daemon_->token(), "POST", "/v1/tokens", R"({"name": "cron )" + std::to_string(n) + R"(", "profile": "scheduler", "scope": ["D-JAI"]})").status, 201);
  auto walk = [&](const std::string& first, const char* key) {
    std::vector<std::string> ids;
    std::string link = first;
    for (int pages = 0; pages < 20 && !link.empty(); ++pages) {
      auto page = object_of(as(daemon_->token(), "GET", link));
      EXPECT_LE(page[key].as_array().size(), 2u) << link;
      for (const auto& row : page[key].as_array()) ids.emplace_back(row.as_object().at("id").as_string());
      link = page["next"].is_string() ? std::string(page["next"].as_string()) : "";
    }
    return ids;
  };
  auto all_tokens = object_of(as(daemon_->token(), "GET", "/v1/tokens"));
  EXPECT_EQ(all_tokens["total"].as_int64(), 5) << "the harness's and four";
  EXPECT_TRUE(all_tokens["next"].is_null());
  std::vector<std::string> every;
  for (const auto& t : all_tokens["tokens"].as_array()) every.emplace_back(t.as_object().at("id").as_string());
  EXPECT_EQ(walk("/v1/tokens?limit=2", "tokens"), every) << "3 pages, each token once, in the one order";
  auto templates = object_of(as(daemon_->token(), "GET", "/v1/templates"));
  std::vector<std::string> every_template;
  for (const auto& t : templates["templates"].as_array()) every_template.emplace_back(t.as_object().at("id").as_string());
  ASSERT_GT(every_template.size(), 2u);
  EXPECT_EQ(walk("/v1/templates?limit=2", "templates"), every_template);
}

// People at the console: a user made with the CLI logs in and gets an
// HttpOnly, SameSite=Strict cookie and a CSRF token; what changes something
// needs the token and the same origin; logging out, or the user disabled,
// ends it. Failed logins slow the account and lock it for one address only.
class Sessions : public Access {
 protected:
  void SetUp() override {
    // Behind a proxy on loopback: X-Forwarded-For stands for the client's address.
    daemon_ = std::make_unique<DaemonUnderTest>(shared_redis_port(), unique_prefix(), "auth:\n  trusted_proxies: 127.0.0.1\n  totp_required: []\n");
    daemon_->start();
    ASSERT_TRUE(daemon_->wait_ready(10s)) << daemon_->process().log();
    ASSERT_EQ(import_sample_directory(*daemon_), "");
    const auto secrets = temp_dir("passwords");
    std::ofstream(secrets + "/pw") << "correct horse battery";
    auto added = run_command({build_dir() + "/orgcast", "users", "add", "--config", daemon_->config_path(), "--username", "meena", "--name", "Meena",
                              "--profile", "state_admin", "--scope", "*", "--password-file", secrets + "/pw"});
    ASSERT_EQ(added.code, 0) << added.output;
  }
  HttpResult login(const std::string& password, const std::string& from = "10.0.0.1") {
    return http("POST", daemon_->url("/v1/session"), R"({"username": "meena", "password": ")" + password + "\"}", "application/json",
                {{"Authorization", ""}, {"X-Forwarded-For", from}});
  }
  // With the session cookie only (no token); `csrf` and `origin` when given.
  HttpResult with_cookie(const std::string& cookie, const std::string& method, const std::string& path, const std::string& body = "",
                         const std::string& csrf = "", const std::string& origin = "") {
    std::vector<std::pair<std::string, std::string>> headers{{"Authorization", ""}, {"Cookie", "orgcast_session=" + cookie}};
    if (!csrf.empty()) headers.emplace_back("X-CSRF-Token", csrf);
    if (!origin.empty()) headers.emplace_back("Origin", origin);
    return http(method, daemon_->url(path), body, "application/json", headers);
  }
  static std::string cookie_of(const HttpResult& r) {
    const auto at = r.headers.find("orgcast_session=");
    if (at == std::string::npos) return "";
    const auto from = at + std::string("orgcast_session=").size();
    return r.headers.substr(from, r.headers.find(';', from) - from);
  }
};

TEST_F(Sessions, ALoginGivesAStrictCookieAndACsrfTokenThatChangesNeed) {
  auto in = login("correct horse battery");
  ASSERT_EQ(in.status, 201) << in.body;
  EXPECT_THAT(in.headers, ::testing::HasSubstr("HttpOnly"));
  EXPECT_THAT(in.headers, ::testing::HasSubstr("SameSite=Strict"));
  EXPECT_THAT(in.headers, ::testing::Not(::testing::HasSubstr("Secure"))) << "plain HTTP, no TLS proxy said so";
  const auto cookie = cookie_of(in);
  const std::string csrf(object_of(in)["csrf_token"].as_string());
  ASSERT_GE(cookie.size(), 40u);
  EXPECT_EQ(object_of(in)["id"].as_string(), "meena");
  EXPECT_NE(cookie_of(login("correct horse battery")), cookie) << "a new session id at every login";

  auto me = with_cookie(cookie, "GET", "/v1/session");
  ASSERT_EQ(me.status, 200) << me.body;
  EXPECT_EQ(object_of(me)["csrf_token"].as_string(), csrf);
  const std::string send = R"({"audience": {"units": ["D-JAI"]}, "template": "announcement", "variables": {"subject": "बैठक", "details": "कल"}, "channels": ["sms"]})";
  auto no_token = with_cookie(cookie, "POST", "/v1/broadcasts", send);
  EXPECT_EQ(no_token.status, 403) << no_token.body;
  EXPECT_THAT(no_token.body, ::testing::HasSubstr("X-CSRF-Token"));
  EXPECT_EQ(with_cookie(cookie, "POST", "/v1/broadcasts", send, "wrong").status, 403);
  auto elsewhere = with_cookie(cookie, "POST", "/v1/broadcasts", send, csrf, "https://evil.example");
  EXPECT_EQ(elsewhere.status, 403);
  EXPECT_THAT(elsewhere.body, ::testing::HasSubstr("another origin"));
  EXPECT_EQ(with_cookie(cookie, "POST", "/v1/broadcasts", send, csrf).status, 202) << "with the token, from the console";
  // A body not declared exactly application/json is refused (a form elsewhere can send text/plain).
  EXPECT_EQ(http("POST", daemon_->url("/v1/broadcasts"), send, "text/plain;json").status, 415);
  EXPECT_EQ(http("POST", daemon_->url("/v1/broadcasts"), send, "application/json; charset=utf-8").status, 202);

  ASSERT_EQ(with_cookie(cookie, "DELETE", "/v1/session", "", csrf).status, 200);
  EXPECT_EQ(with_cookie(cookie, "GET", "/v1/session").status, 401) << "logged out: the session is gone";
  // A disabled user's sessions end.
  const auto second = cookie_of(login("correct horse battery"));
  ASSERT_EQ(with_cookie(second, "GET", "/v1/session").status, 200);
  auto disabled = run_command({build_dir() + "/orgcast", "users", "disable", "--config", daemon_->config_path(), "--username", "meena"});
  ASSERT_EQ(disabled.code, 0) << disabled.output;
  EXPECT_TRUE(eventually([&] { return with_cookie(second, "GET", "/v1/session").status == 401; }, 3s));
  EXPECT_EQ(login("correct horse battery").status, 401) << "a disabled user cannot log in";
}

TEST_F(Sessions, FailedLoginsLockOneAddressNotTheAccount) {
  for (int n = 0; n < 5; ++n) {
    auto wrong = login("not the password", "10.0.0.66");
    ASSERT_EQ(wrong.status, 401) << wrong.body;
    EXPECT_THAT(wrong.body, ::testing::HasSubstr("username or password is wrong"));
  }
  auto locked = login("correct horse battery", "10.0.0.66");
  EXPECT_EQ(locked.status, 429) << "locked for that address, even with the right password";
  EXPECT_THAT(locked.headers, ::testing::HasSubstr("Retry-After: 30"));
  const auto before = std::chrono::steady_clock::now();
  EXPECT_EQ(login("correct horse battery", "10.0.0.7").status, 201) << "the same account from elsewhere";
  EXPECT_GE(std::chrono::steady_clock::now() - before, 500ms) << "slowed: 100 ms per failure of the account";
  auto stranger = http("POST", daemon_->url("/v1/session"), R"({"username": "nobody", "password": "whatever it is"})", "application/json",
                       {{"Authorization", ""}});
  EXPECT_EQ(stranger.status, 401);
  EXPECT_EQ(stranger.body, login("not the password", "10.0.0.8").body) << "one text for a wrong name and a wrong password";
}

// Users over HTTP: made no wider than their maker (profile, scope), never
// shown with a hash; a disabled user's sessions end at once and they cannot
// log in until enabled again.
TEST_F(Sessions, UsersAreMadeNoWiderThanTheirMakerAndDisablingEndsTheirSessions) {
  const std::string ravi = R"({"username": "ravi", "name": "Ravi Kumar", "password": "a long enough secret", "profile": "district_president", "scope": ["D-JAI"]})";
  auto made = as(daemon_->token(), "POST", "/v1/users", ravi);
  ASSERT_EQ(made.status, 201) << made.body;
  EXPECT_EQ(made.body.find("argon2"), std::string::npos) << "no hash shown: " << made.body;
  EXPECT_EQ(made.body.find("a long enough secret"), std::string::npos);
  EXPECT_EQ(as(daemon_->token(), "POST", "/v1/users", ravi).status, 409) << "the username is taken";
  auto weak = as(daemon_->token(), "POST", "/v1/users", R"({"username": "x", "name": "X", "password": "short", "profile": "office_staff", "scope": ["RJ"]})");
  EXPECT_EQ(weak.status, 400);
  EXPECT_THAT(weak.body, ::testing::HasSubstr("/password"));
  // A manager of Jaipur makes and sees Jaipur's users only.
  const std::string jaipur_admin(
      object_of(as(daemon_->token(), "POST", "/v1/tokens", R"({"name": "jaipur admin", "profile": "state_admin", "scope": ["D-JAI"]})"))["token"].as_string());
  auto outside = as(jaipur_admin, "POST", "/v1/users", R"({"username": "anita", "name": "Anita", "password": "a long enough secret", "profile": "office_staff", "scope": ["D-JOD"]})");
  EXPECT_EQ(outside.status, 403) << "outside the maker's scope, as every such request is: " << outside.body;
  EXPECT_THAT(outside.body, ::testing::HasSubstr("/scope/0"));
  auto listed = object_of(as(jaipur_admin, "GET", "/v1/users"))["users"].as_array();
  ASSERT_EQ(listed.size(), 1u) << "ravi, not meena (the whole state)";
  EXPECT_EQ(listed[0].as_object().at("username").as_string(), "ravi");
  EXPECT_EQ(as(jaipur_admin, "POST", "/v1/users/meena/disable").status, 404) << "not its to manage";
  const std::string president(
      object_of(as(daemon_->token(), "POST", "/v1/tokens", R"({"name": "p", "profile": "district_president", "scope": ["D-JAI"]})"))["token"].as_string());
  EXPECT_EQ(as(president, "GET", "/v1/users").status, 403) << "manage_users is not a district president's";

  auto ravi_login = [&] {
    return http("POST", daemon_->url("/v1/session"), R"({"username": "ravi", "password": "a long enough secret"})", "application/json",
                {{"Authorization", ""}, {"X-Forwarded-For", "10.0.0.9"}});
  };
  const auto cookie = cookie_of(ravi_login());
  ASSERT_EQ(with_cookie(cookie, "GET", "/v1/session").status, 200);
  auto disabled = as(jaipur_admin, "POST", "/v1/users/ravi/disable");
  ASSERT_EQ(disabled.status, 200) << disabled.body;
  EXPECT_EQ(number(object_of(disabled), "sessions_ended"), 1);
  EXPECT_TRUE(eventually([&] { return with_cookie(cookie, "GET", "/v1/session").status == 401; }, 3s)) << "ended within a second";
  EXPECT_EQ(ravi_login().status, 401);
  ASSERT_EQ(as(jaipur_admin, "POST", "/v1/users/ravi/enable").status, 200);
  EXPECT_EQ(ravi_login().status, 201);
}

// The second factor: a state admin (auth.totp_required's default) logs in
// with a TOTP code as well, each code good once; a district president
// without.
TEST_F(Access, AStateAdminLogsInWithATotpCodeThatIsGoodOnce) {
  const auto secrets = temp_dir("totp");
  std::ofstream(secrets + "/pw") << "correct horse battery";
  auto add = [&](const std::string& name, const std::string& profile, const std::string& scope) {
    auto added = run_command({build_dir() + "/orgcast", "users", "add", "--config", daemon_->config_path(), "--username", name, "--profile", profile,
                              "--scope", scope, "--password-file", secrets + "/pw"});
    ASSERT_EQ(added.code, 0) << added.output;
  };
  add("meena", "state_admin", "*");
  add("suresh", "district_president", "D-JAI");
  auto login = [&](const std::string& name, const std::string& totp) {
    const std::string code = totp.empty() ? "" : R"(, "totp": ")" + totp + R"(")";
    return http("POST", daemon_->url("/v1/session"), R"({"username": ")" + name + R"(", "password": "correct horse battery")" + code + "}",
                "application/json", {{"Authorization", ""}});
  };
  EXPECT_EQ(login("suresh", "").status, 201) << "a district president needs no second factor";
  auto unenrolled = login("meena", "");
  EXPECT_EQ(unenrolled.status, 401);
  EXPECT_THAT(unenrolled.body, ::testing::HasSubstr("orgcast users totp"));
  auto enrolled = run_command({build_dir() + "/orgcast", "users", "totp", "--config", daemon_->config_path(), "--username", "meena"});
  ASSERT_EQ(enrolled.code, 0) << enrolled.output;
  const auto at = enrolled.output.find("secret=");
  ASSERT_NE(at, std::string::npos) << enrolled.output;
  const auto secret = enrolled.output.substr(at + 7, enrolled.output.find('&', at) - at - 7);
  EXPECT_THAT(login("meena", "").body, ::testing::HasSubstr("6 digits of your authenticator app"));
  if (orgcast::auth::totp_code(secret, std::chrono::system_clock::now()) != "000000") {
    EXPECT_EQ(login("meena", "000000").status, 401) << "a wrong code";
  }
  const auto code = orgcast::auth::totp_code(secret, std::chrono::system_clock::now());
  auto in = login("meena", code);
  ASSERT_EQ(in.status, 201) << in.body;
  auto again = login("meena", code);
  EXPECT_EQ(again.status, 401) << "a code is good once";
  EXPECT_THAT(again.body, ::testing::HasSubstr("username or password is wrong")) << "one generic text";
  EXPECT_THAT(as(daemon_->token(), "GET", "/v1/audit?action=login").body, ::testing::HasSubstr("a TOTP code used before"));
  EXPECT_EQ(as(daemon_->token(), "GET", "/v1/audit").body.find(secret), std::string::npos) << "the secret is never in the trail";
  EXPECT_EQ(daemon_->process().log().find(secret), std::string::npos) << "nor in the log";
}

// The endpoints of tokens, sessions, users, approvals and the audit trail,
// tried as a hostile client would:
// each answer is a 4xx that names what is wrong, and nothing is made.
TEST_F(Access, HostileRequestsToTokensAndSessionsGetAClear4xx) {
  const std::string huge(2 << 20, 'x');
  struct Row {
    std::string method, path, body, content_type;
    bool with_token;
    int status;
    std::string names;
  };
  const std::vector<Row> rows = {
      {"POST", "/v1/tokens", "{\"name\": ", "application/json", true, 400, "JSON"},
      {"POST", "/v1/tokens", "[]", "application/json", true, 400, "object"},
      {"POST", "/v1/tokens", R"({"name": "x", "profile": "scheduler", "scope": ["*"], "root": true})", "application/json", true, 400, "/root"},
      {"POST", "/v1/tokens", R"({"name": "x", "profile": "scheduler", "scope": "*"})", "application/json", true, 400, "/scope"},
      {"POST", "/v1/tokens", R"({"name": "x", "profile": "scheduler", "scope": ["*"], "expires_in_days": 9999})", "application/json", true, 400,
       "/expires_in_days"},
      {"POST", "/v1/tokens", R"({"name": "x", "profile": "scheduler", "scope": ["*"]})", "text/plain;json", true, 415, "application/json"},
      {"POST", "/v1/tokens", "{\"name\": \"" + huge + "\"}", "application/json", true, 413, "bytes"},
      {"POST", "/v1/tokens", R"({"name": "x", "profile": "scheduler", "scope": ["*"]})", "application/json", false, 401, "Bearer"},
      {"POST", "/v1/tokens/tk999/revoke", "", "application/json", true, 404, "tk999"},
      {"POST", "/v1/tokens/%00%ff/revoke", "", "application/json", true, 404, "no token"},
      {"POST", "/v1/tokens/tk1/revoke", "", "application/json", false, 401, "Bearer"},
      {"DELETE", "/v1/session", "", "application/json", true, 400, "API token"},
      {"DELETE", "/v1/session", "", "application/json", false, 401, "Bearer"},
      {"POST", "/v1/session", "{\"username\": ", "application/json", false, 400, "JSON"},
      {"POST", "/v1/session", R"({"username": 5, "password": "p"})", "application/json", false, 400, "/username"},
      {"POST", "/v1/session", R"({"username": "a", "password": "p", "totp": 1})", "application/json", false, 400, "/totp"},
      {"POST", "/v1/session", "username=a&password=p", "application/x-www-form-urlencoded", false, 415, "application/json"},
      {"POST", "/v1/session", "{\"username\": \"" + huge + "\"}", "application/json", false, 413, "bytes"},
      {"POST", "/v1/session", R"({"username": "nobody", "password": "guess"})", "application/json", false, 401, "wrong"},
      {"GET", "/v1/meetings/m999/events", "", "application/json", true, 404, "m999"},
      {"GET", "/v1/meetings/m1/events", "", "application/json", false, 401, "Bearer"},
      {"POST", "/v1/meetings/m999/remind", R"({"who": "not_delivered"})", "application/json", true, 404, "m999"},
      // Users
      {"POST", "/v1/users", "{\"username\": ", "application/json", true, 400, "JSON"},
      {"POST", "/v1/users", "[]", "application/json", true, 400, "object"},
      {"POST", "/v1/users", R"({"username": "Bad Name", "name": "x", "password": "long enough secret", "profile": "office_staff", "scope": ["RJ"]})",
       "application/json", true, 400, "/username"},
      {"POST", "/v1/users", R"({"username": "ravi", "name": "x", "password": "long enough secret", "profile": "office_staff", "scope": "RJ"})",
       "application/json", true, 400, "/scope"},
      {"POST", "/v1/users", R"({"username": "ravi", "name": "x", "password": "long enough secret", "profile": "root", "scope": ["RJ"]})",
       "application/json", true, 400, "/profile"},
      {"POST", "/v1/users", R"({"username": "ravi", "name": "x", "password": "long enough secret", "profile": "office_staff", "scope": ["RJ"], "admin": true})",
       "application/json", true, 400, "/admin"},
      {"POST", "/v1/users", R"({"username": "ravi"})", "text/plain;json", true, 415, "application/json"},
      {"POST", "/v1/users", "{\"name\": \"" + huge + "\"}", "application/json", true, 413, "bytes"},
      {"POST", "/v1/users", R"({"username": "ravi"})", "application/json", false, 401, "Bearer"},
      {"GET", "/v1/users", "", "application/json", false, 401, "Bearer"},
      {"POST", "/v1/users/nobody/disable", "", "application/json", true, 404, "nobody"},
      {"POST", "/v1/users/nobody/enable", "", "application/json", false, 401, "Bearer"},
      // Approvals
      {"POST", "/v1/approvals/ap999/approve", "", "application/json", true, 404, "ap999"},
      {"POST", "/v1/approvals/ap999/reject", "{\"reason\": ", "application/json", true, 400, "JSON"},
      {"POST", "/v1/approvals/ap999/reject", R"({"reason": 5})", "application/json", true, 400, "/reason"},
      {"POST", "/v1/approvals/ap999/reject", "{}", "application/json", true, 400, "/reason"},
      {"POST", "/v1/approvals/ap999/reject", R"({"reason": "no", "also": 1})", "application/json", true, 400, "/also"},
      {"POST", "/v1/approvals/ap999/approve", "{\"reason\": \"" + huge + "\"}", "application/json", true, 413, "bytes"},
      {"POST", "/v1/approvals/ap999/approve", R"({"reason": "ok"})", "text/plain", true, 415, "application/json"},
      {"POST", "/v1/approvals/ap999/approve", "", "application/json", false, 401, "Bearer"},
      {"GET", "/v1/approvals?state=bogus", "", "application/json", true, 400, "state"},
      {"GET", "/v1/approvals?color=red", "", "application/json", true, 400, "color"},
      {"GET", "/v1/approvals", "", "application/json", false, 401, "Bearer"},
      // Listings and lookups
      {"GET", "/v1/broadcasts", "", "application/json", false, 401, "Bearer"},
      {"GET", "/v1/broadcasts?limit=201", "", "application/json", true, 400, "limit"},
      {"GET", "/v1/broadcasts?from=2026-13-45T00:00:00Z", "", "application/json", true, 400, "from"},
      {"GET", "/v1/broadcasts?cursor=%00%FF", "", "application/json", true, 400, "cursor"},
      {"GET", "/v1/broadcasts?cursor=1795827018382.c:1", "", "application/json", true, 400, "cursor"},
      {"GET", "/v1/broadcasts?state=bogus", "", "application/json", true, 400, "state must be"},
      {"GET", "/v1/broadcasts?from=2026-11-28T00:00:00Z&to=2026-11-27T00:00:00Z", "", "application/json", true, 400, "from must be before to"},
      {"GET", "/v1/audit?from=2026-11-28T00:00:00Z&to=2026-11-28T00:00:00Z", "", "application/json", true, 400, "from must be before to"},
      {"GET", "/v1/broadcasts?state=" + std::string(300, 's'), "", "application/json", true, 400, "state"},
      {"GET", "/v1/broadcasts?unit=NOWHERE", "", "application/json", true, 404, "NOWHERE"},
      {"GET", "/v1/broadcasts?stat=failed", "", "application/json", true, 400, "stat"},
      {"GET", "/v1/broadcasts", "{\"x\": \"" + huge + "\"}", "application/json", true, 413, "bytes"},
      {"GET", "/v1/directory/units", "", "application/json", false, 401, "Bearer"},
      {"GET", "/v1/directory/units?q=" + std::string(101, 'q'), "", "application/json", true, 400, "q"},
      {"GET", "/v1/directory/units?parent=NOWHERE", "", "application/json", true, 404, "NOWHERE"},
      {"GET", "/v1/directory/units?parent=%FF", "", "application/json", true, 404, "unit"},
      {"GET", "/v1/directory/units?parent=RJ&q=x", "", "application/json", true, 400, "not both"},
      {"GET", "/v1/directory/units?limit=x", "", "application/json", true, 400, "limit"},
      {"GET", "/v1/templates/announcement", "", "application/json", false, 401, "Bearer"},
      {"GET", "/v1/templates/no_such", "", "application/json", true, 404, "no_such"},
      {"GET", "/v1/templates/%00", "", "application/json", true, 404, "template"},
      {"GET", "/v1/templates/announcement?verbose=1", "", "application/json", true, 400, "verbose"},
      {"POST", "/v1/reports/remind", "{\"level\": ", "application/json", true, 400, "line 1, column 11"},
      {"POST", "/v1/meetings/m1:x/remind", "", "application/json", false, 401, "Bearer"},
      {"POST", "/v1/meetings/m1:x/remind", "", "application/json", true, 404, "no meeting"},
      // The audit trail
      {"GET", "/v1/audit?limit=0", "", "application/json", true, 400, "limit"},
      {"GET", "/v1/audit?cursor=x", "", "application/json", true, 400, "cursor"},
      {"GET", "/v1/audit?from=yesterday", "", "application/json", true, 400, "from"},
      {"GET", "/v1/audit?unit=NOWHERE", "", "application/json", true, 404, "NOWHERE"},
      {"GET", "/v1/audit?color=red", "", "application/json", true, 400, "color"},
      {"GET", "/v1/audit", "", "application/json", false, 401, "Bearer"},
      // The API document: open, read-only
      {"POST", "/v1/openapi.json", "{}", "application/json", false, 405, "POST is not allowed"},
      {"GET", "/v1/openapi.json?v=3", "", "application/json", false, 400, "v"},
      // One held request
      {"GET", "/v1/approvals/ap1", "", "application/json", false, 401, "Bearer"},
      {"GET", "/v1/approvals/ap1", "", "application/json", true, 404, "ap1"},
      {"GET", "/v1/approvals/ap1:x", "", "application/json", true, 404, "approval"},
      // Blackouts
      {"GET", "/v1/blackouts", "", "application/json", false, 401, "Bearer"},
      {"POST", "/v1/blackouts", "{\"name\": ", "application/json", true, 400, "line 1, column 10"},
      {"POST", "/v1/blackouts", R"({"name": 5, "units": "RJ", "from": 1, "to": []})", "application/json", true, 400, "/units"},
      {"POST", "/v1/blackouts", R"({"name": "x", "units": ["RJ"], "from": "2030-01-01T00:00:00Z", "to": "2030-01-02T00:00:00Z"})", "text/plain", true, 415, "application/json"},
      {"POST", "/v1/blackouts", huge, "application/json", true, 413, "limit"},
      {"DELETE", "/v1/blackouts/bo1", "", "application/json", false, 401, "Bearer"},
      {"DELETE", "/v1/blackouts/..%2Fbo1", "", "application/json", true, 404, "blackout"},
      // Recurring schedules
      {"GET", "/v1/schedules", "", "application/json", false, 401, "Bearer"},
      {"POST", "/v1/schedules", "{\"cron\": ", "application/json", true, 400, "line 1, column 10"},
      {"POST", "/v1/schedules", R"({"name": "x", "cron": 9, "report_reminder": []})", "application/json", true, 400, "/cron"},
      {"POST", "/v1/schedules", R"({"name": "x", "cron": "* 9 * * *", "report_reminder": {"level": "district", "role": "president"}})", "application/json", true, 400,
       "at least 60 minutes apart"},
      {"POST", "/v1/schedules", huge, "application/json", true, 413, "limit"},
      {"GET", "/v1/schedules/sc1", "", "application/json", true, 404, "sc1"},
      {"GET", "/v1/schedules/sc1?all=1", "", "application/json", true, 400, "all"},
      {"DELETE", "/v1/schedules/sc%00", "", "application/json", true, 404, "schedule"},
      {"DELETE", "/v1/schedules/sc1", "", "application/json", false, 401, "Bearer"},
      // Changing a broadcast planned for later
      {"PATCH", "/v1/broadcasts/b1", R"({"variables": {"subject": "s"}})", "application/json", false, 401, "Bearer"},
      {"PATCH", "/v1/broadcasts/b1", "{\"send_at\": ", "application/json", true, 400, "line 1, column 13"},
      {"PATCH", "/v1/broadcasts/b1", "[]", "application/json", true, 400, "object"},
      {"PATCH", "/v1/broadcasts/b1", R"({"priority": "urgent"})", "application/json", true, 400, "/priority"},
      {"PATCH", "/v1/broadcasts/b1", huge, "application/json", true, 413, "bytes"},
      {"PATCH", "/v1/broadcasts/b1:c", R"({"send_at": "2030-01-01T00:00:00Z"})", "application/json", true, 404, "broadcast"},
      {"PATCH", "/v1/broadcasts/b999", R"({"send_at": "2030-01-01T00:00:00Z"})", "application/json", true, 404, "b999"},
      {"POST", "/v1/broadcasts", R"({"audience": {"units": ["D-JAI"]}, "template": "announcement", "variables": {"subject": "s", "details": "d"}, "channels": ["sms"], "send_at": "2300-01-01T00:00:00Z"})",
       "application/json", true, 400, "years 1970 to 2199"},
      // A scope that names nothing today would widen when such a unit is imported
      {"POST", "/v1/tokens", R"({"name": "a", "profile": "scheduler", "scope": ["NOPE"]})", "application/json", true, 400, "no unit \\\"NOPE\\\" in the directory"},
      {"POST", "/v1/tokens", R"({"name": "a", "profile": "scheduler", "scope": ["*", "D-JAI"]})", "application/json", true, 400, "stands alone"},
      {"POST", "/v1/tokens", R"({"name": "a", "profile": "scheduler", "scope": ["D-JAI", "D-JAI"]})", "application/json", true, 400, "/scope/1"},
      {"POST", "/v1/users", R"({"username": "u", "name": "U", "password": "correct horse battery", "profile": "scheduler", "scope": ["NOPE"]})", "application/json", true, 400, "no unit"},
      // Names are one line of plain text
      {"PUT", "/v1/directory/contacts/C1", R"({"name": "a\u001b[2Jb", "mobile": "9829000001", "unit_id": "RJ", "role": "president"})", "application/json", true, 400, "/name"},
      {"PUT", "/v1/directory/contacts/C1", R"({"name": "\u00a0\u200b", "mobile": "9829000001", "unit_id": "RJ", "role": "president"})", "application/json", true, 400, "not blank"},
      {"POST", "/v1/tokens", R"({"name": "a\u001b[2Jb", "profile": "scheduler", "scope": ["D-JAI"]})", "application/json", true, 400, "control character"},
      {"POST", "/v1/tokens", R"({"name": "   ", "profile": "scheduler", "scope": ["D-JAI"]})", "application/json", true, 400, "not blank"},
      {"POST", "/v1/blackouts", R"({"name": "\u202etsoP", "units": ["D-JAI"], "from": "2030-01-01T00:00:00Z", "to": "2030-01-02T00:00:00Z"})", "application/json", true, 400, "text-direction"},
      {"POST", "/v1/blackouts", R"({"name": "forever", "units": ["D-JAI"], "from": "2030-01-01T00:00:00Z", "to": "2199-01-01T00:00:00Z"})", "application/json", true, 400, "at most 90 days"},
      {"POST", "/v1/schedules", R"({"name": "a\nb", "cron": "0 9 * * *", "report_reminder": {"level": "district", "role": "president", "date": "yesterday"}})", "application/json", true, 400, "control character"},
      // A report reminder about a day long gone, or a schedule's about a fixed day
      {"POST", "/v1/reports/remind", R"({"level": "district", "role": "president", "date": "2020-01-01"})", "application/json", true, 400, "/date"},
      {"POST", "/v1/schedules", R"({"name": "x", "cron": "0 9 * * *", "report_reminder": {"level": "district", "role": "president", "date": "2026-11-27"}})", "application/json", true, 400,
       "/report_reminder/date"},
      {"POST", "/v1/schedules", R"({"name": "x", "cron": "0 9 * * *", "report_reminder": {"level": "distrct", "role": "president"}})", "application/json", true, 400, "/report_reminder/level"},
      // An audit cursor of the right shape that no trail has
      {"GET", "/v1/audit?cursor=0-0", "", "application/json", true, 400, "cursor"},
      {"GET", "/v1/audit?cursor=1-18446744073709551616", "", "application/json", true, 400, "cursor"},
      // A key twice: which value counts would depend on the reader
      {"POST", "/v1/broadcasts", R"({"audience": {"units": ["D-JAI"]}, "template": "announcement", "variables": {"subject": "s", "details": "d"}, "channels": ["sms"], "audience": {"units": ["RJ"]}})",
       "application/json", true, 400, "\\\"audience\\\" is given twice in one object at line 1, column 132"},
      // A body where none is read: said, not dropped
      {"POST", "/v1/broadcasts/b1/cancel", R"({"reason": "wrong list"})", "application/json", true, 400, "takes no body"},
      {"DELETE", "/v1/schedules/sc1", "x", "text/plain", true, 400, "takes no body"},
      {"GET", "/v1/tokens", R"({"limit": 5})", "application/json", true, 400, "takes no body"},
      // Finding people
      {"GET", "/v1/directory/contacts?q=meena", "", "application/json", false, 401, "Bearer"},
      {"GET", "/v1/directory/contacts?q=meena&limit=1e3", "", "application/json", true, 400, "limit"},
      {"GET", "/v1/directory/contacts?q=meena&cursor=o-1", "", "application/json", true, 400, "cursor"},
      {"GET", "/v1/directory/contacts?q=meena&verbose=1", "", "application/json", true, 400, "verbose"},
      {"GET", "/v1/directory/contacts?q=meena", "{\"x\": \"" + huge + "\"}", "application/json", true, 413, "bytes"},
      // Lists paged by a cursor
      {"GET", "/v1/meetings?cursor=o", "", "application/json", true, 400, "cursor"},
      {"GET", "/v1/meetings?page=2&cursor=o5", "", "application/json", true, 400, "page or cursor"},
      {"GET", "/v1/reports?cursor=%FF", "", "application/json", true, 400, "cursor"},
      {"GET", "/v1/reports/missing?level=district&role=president&cursor=o99999999999", "", "application/json", true, 400, "cursor"},
      {"GET", "/v1/inbound?cursor=1-2-3", "", "application/json", true, 400, "cursor"},
      {"GET", "/v1/inbound?cursor=99999999999999999999-0", "", "application/json", true, 400, "cursor"},
      {"GET", "/v1/inbound", "", "application/json", false, 401, "Bearer"},
      {"GET", "/v1/approvals?per_page=501", "", "application/json", true, 400, "per_page"},
      {"GET", "/v1/approvals?cursor=zz", "", "application/json", true, 400, "cursor"},
      {"GET", "/v1/directory/units?cursor=o1x", "", "application/json", true, 400, "cursor"},
      {"GET", "/v1/tokens?limit=501", "", "application/json", true, 400, "limit"},
      {"GET", "/v1/users?cursor=1", "", "application/json", true, 400, "cursor"},
      {"GET", "/v1/templates?limit=-1", "", "application/json", true, 400, "limit"},
      {"GET", "/v1/schedules?cursor=o1&page=2", "", "application/json", true, 400, "page"},
      {"GET", "/v1/blackouts?limit=ten", "", "application/json", true, 400, "limit"},
      {"GET", "/v1/directory/contacts/C1/inbound?cursor=oo", "", "application/json", true, 400, "cursor"},
      {"GET", "/v1/directory/units/D-JAI/attendance?limit=0", "", "application/json", true, 400, "limit"},
      {"GET", "/v1/directory/contacts/C1/attendance?cursor=o%00", "", "application/json", true, 400, "cursor"},
      // A callback path for an account this daemon does not have
      {"POST", "/v1/webhooks/nosuch/0123456789abcdef", "{}", "application/json", false, 404, "nosuch"},
  };
  for (const auto& row : rows) {
    auto r = http(row.method, daemon_->url(row.path), row.body, row.content_type,
                  {{"Authorization", row.with_token ? "Bearer " + daemon_->token() : ""}});
    EXPECT_EQ(r.status, row.status) << row.method << " " << row.path << " " << row.body.substr(0, 80) << ": " << r.body.substr(0, 300);
    EXPECT_NE(r.body.find(row.names), std::string::npos) << row.method << " " << row.path << ": " << r.body.substr(0, 300);
  }
  auto listed = object_of(as(daemon_->token(), "GET", "/v1/tokens"))["tokens"].as_array();
  EXPECT_EQ(listed.size(), 1u) << "nothing made beside the harness's own token: " << json::serialize(listed);
  EXPECT_TRUE(object_of(as(daemon_->token(), "GET", "/v1/users"))["users"].as_array().empty()) << "no user made";
  EXPECT_TRUE(object_of(as(daemon_->token(), "GET", "/v1/blackouts"))["blackouts"].as_array().empty()) << "no blackout made";
  EXPECT_TRUE(object_of(as(daemon_->token(), "GET", "/v1/schedules"))["schedules"].as_array().empty()) << "no schedule made";
}

}  // namespace
