// Sessions for people at the console (docs/ACCESS.md):
//   POST   /v1/session   {"username", "password"}: 201, a session cookie (HttpOnly, SameSite=Strict, Secure
//                        behind a trusted TLS proxy) and the CSRF token every state-changing request sends
//                        back as X-CSRF-Token; one generic 401 for any wrong name, password or disabled user;
//                        failures slow the account down and lock it for the address they come from (429)
//   GET    /v1/session   who the credentials are (and, for a session, its CSRF token)
//   DELETE /v1/session   ends the session
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <algorithm>
#include <boost/json.hpp>

#include "api/audit_trail.hpp"
#include "api/common.hpp"
#include "core/digest.hpp"
#include "api/hashing_slot.hpp"
#include "api/routes.hpp"
#include "auth/auth_store.hpp"
#include "auth/authenticator.hpp"
#include "auth/login_throttle.hpp"
#include "auth/password.hpp"
#include "auth/totp.hpp"
#include "auth/principal.hpp"
#include "auth/session_store.hpp"
#include "core/run_on.hpp"
#include "core/text.hpp"
#include "core/json_text.hpp"

namespace orgcast::api {

namespace json = boost::json;
using boost::asio::awaitable;

namespace {

json::object who(const auth::Principal& p) {
  json::object out{{"kind", p.kind == auth::Principal::Kind::user ? "user" : "token"},
                   {"id", p.id},
                   {"name", p.name},
                   {"profile", p.profile},
                   {"permissions", json::value_from(p.permissions.names())},
                   {"scope", json::value_from(p.scope)}};
  if (!p.csrf.empty()) out["csrf_token"] = p.csrf;
  return out;
}

// The session cookie: Secure when the request came through a trusted proxy that says it was TLS.
std::string cookie(const Context& context, const http::Request& request, const std::string& value, long long max_age_s) {
  std::string out = std::string(auth::kSessionCookie) + "=" + value + "; Path=/; HttpOnly; SameSite=Strict; Max-Age=" + std::to_string(max_age_s);
  if (context.came_over_tls && context.came_over_tls(request)) out += "; Secure";
  return out;
}

http::Response wrong_login() {
  return http::problem(401, "login-failed", "Login failed", "the username or password is wrong, or the user is disabled");
}

// A password checked on the hashing pool, at most `limit` at once (each takes 64 MiB): nullopt when busy.
awaitable<std::optional<bool>> check_password(Context context, std::string hash, std::string password) {
  const HashingSlot slot(context.hashes_in_flight, context.hashes_at_once);
  if (!slot.taken()) co_return std::nullopt;
  auto check = [hash = std::move(hash), password = std::move(password)] { return auth::password_matches(hash, password); };
  const bool matches = co_await run_on(context.hashing, std::move(check));
  co_return matches;
}

awaitable<http::Response> login(Context context, http::Request& request) {
  http::Response error;
  auto body = parse_json_body(request, error);
  if (!body) co_return error;
  std::vector<directory::SelectorError> problems;
  if (!body->is_object()) co_return pointer_problem("Invalid login", {{"", "the body must be a JSON object"}});
  directory::reject_unknown_keys(body->as_object(), {"username", "password", "totp"}, "", problems);
  std::string username, password, code;
  if (const auto* t = body->as_object().if_contains("totp")) {
    if (!t->is_string() || t->as_string().size() > 16) problems.push_back({"/totp", "expected the 6 digits of the authenticator app"});
    else code = std::string(t->as_string());
  }
  for (auto [key, out] : {std::pair{"username", &username}, std::pair{"password", &password}}) {
    const auto* v = body->as_object().if_contains(key);
    if (!v || !v->is_string() || v->as_string().empty() || v->as_string().size() > 256)
      problems.push_back({std::string("/") + key, "expected a text of 1 to 256 bytes"});
    else *out = std::string(v->as_string());
  }
  if (!problems.empty()) co_return pointer_problem("Invalid login", problems);
  const auto address = context.client_address ? context.client_address(request) : request.peer;
  auto failures = co_await context.sessions->failures(username, address);
  if (!failures) co_return redis_unavailable(failures.error().message());
  const auto delay = auth::login_delay(*failures);
  // Who tried, for the audit trail: the name given (never the password).
  // A name that cannot be a username (a password typed in the wrong box?) is not written as typed.
  const bool plausible = username.size() <= 64 && username.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789._-") == std::string::npos;
  const std::string named = plausible ? username : "(not a username: sha256 " + sha256_hex(username).substr(0, 12) + ")";
  auto tried = audit_entry(context, request, "login", named);
  tried.who = "login:" + named;
  if (delay.locked_for.count() > 0) {
    tried.outcome = "refused";
    tried.summary = "locked for this address";
    co_await keep_audit(context, tried);
    auto locked = http::problem(429, "login-locked", "Too many failed logins",
                                "too many failed logins for this user from this address; try again in " + std::to_string(delay.locked_for.count()) + " s");
    locked.headers.emplace_back("Retry-After", std::to_string(delay.locked_for.count()));
    co_return locked;
  }
  if (delay.wait.count() > 0) {  // each failure for the account slows every try, from anywhere
    boost::asio::steady_timer pause(co_await boost::asio::this_coro::executor, delay.wait);
    co_await pause.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
  }
  auto user = co_await context.auth->user(username);
  if (!user) co_return redis_unavailable(user.error().message());
  // An unknown user costs the same hash as a known one: the time says nothing.
  const std::string hash = *user ? (*user)->password_hash : context.decoy_hash;
  auto matches = co_await check_password(context, hash, password);
  if (!matches) {
    auto busy = http::problem(503, "busy", "Too many logins at once", "retry in a moment");
    busy.headers.emplace_back("Retry-After", "1");
    co_return busy;
  }
  if (!*user || !*matches || (*user)->disabled) {
    co_await context.sessions->failed(username, address);
    tried.outcome = "refused";
    tried.summary = !*user ? "no such user" : (*user)->disabled ? "user disabled" : "wrong password";
    if (!*user) tried.who = tried.target = "login:(unknown: sha256 " + sha256_hex(username).substr(0, 12) + ")";  // not as typed
    co_await keep_audit(context, tried);
    co_return wrong_login();
  }
  // The second factor, for the profiles that need one: a code good once.
  const auto& u0 = **user;
  const auto needs = context.totp_required ? context.totp_required() : std::vector<std::string>{};
  if (std::find(needs.begin(), needs.end(), u0.profile) != needs.end()) {
    if (u0.totp_secret.empty()) {
      tried.outcome = "refused";
      tried.summary = "no second factor enrolled";
      co_await keep_audit(context, tried);
      co_return http::problem(401, "totp-not-enrolled", "Second factor needed",
                              "profile " + u0.profile + " logs in with a TOTP code as well; an administrator enrols it (orgcast users totp)");
    }
    if (code.empty()) co_return http::problem(401, "totp-required", "Second factor needed", "send the 6 digits of your authenticator app as \"totp\"");
    const auto step = auth::totp_step(u0.totp_secret, code, std::chrono::system_clock::now());
    std::size_t fresh = 0;
    if (step) {
      auto taken = co_await context.sessions->use_totp_step(u0.username, *step);
      if (!taken) co_return redis_unavailable(taken.error().message());
      fresh = *taken;
    }
    if (!fresh) {
      co_await context.sessions->failed(username, address);
      tried.outcome = "refused";
      tried.summary = step ? "a TOTP code used before" : "wrong TOTP code";
      co_await keep_audit(context, tried);
      co_return wrong_login();
    }
  }
  tried.who = "user:" + (*user)->username;
  co_await keep_audit(context, tried);
  co_await context.sessions->succeeded(username, address);
  const auto& u = **user;
  if (auth::needs_rehash(u.password_hash)) {  // limits changed since: hashed again now that the password is known
    auto rehash = [password] { return auth::hash_password(password); };
    const std::string field = "password_hash";  // named: GCC 12 and temporaries inside a co_await
    if (auto fresh = co_await run_on(context.hashing, std::move(rehash))) co_await context.auth->set_user_field(u.username, field, *fresh);
  }
  const auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  auto session = co_await context.sessions->create(u.username, now_ms);
  if (!session) co_return redis_unavailable(session.error().message());
  auth::Principal p{auth::Principal::Kind::user, u.username, u.display_name, u.profile, {}, u.scope, "", session->csrf};
  const auto profiles = context.access_profiles();
  if (auto profile = profiles.find(u.profile); profile != profiles.end()) p.permissions = profile->second.permissions;
  auto response = http::json_response(201, json_text(who(p)));
  response.headers.emplace_back("Set-Cookie", cookie(context, request, session->id, context.session_lifetime_s));
  response.headers.emplace_back("Cache-Control", "no-store");
  co_return response;
}

awaitable<http::Response> whoami(Context, http::Request& request) {
  auto response = http::json_response(200, json_text(who(*request.principal)));
  response.headers.emplace_back("Cache-Control", "no-store");
  co_return response;
}

awaitable<http::Response> logout(Context context, http::Request& request) {
  const auto& p = *request.principal;
  if (p.session_id.empty()) co_return http::problem(400, "no-session", "No session", "these credentials are an API token, not a session (revoke a token instead)");
  auto removed = co_await context.sessions->remove(p.session_id);
  if (!removed) co_return redis_unavailable(removed.error().message());
  if (context.authenticator) context.authenticator->forget_session(p.session_id);
  auto entry = audit_entry(context, request, "logout", p.id);  // named: GCC 12 and temporaries inside a co_await
  co_await keep_audit(context, std::move(entry));
  auto response = http::json_response(200, json_text(json::object{{"logged_out", true}}));
  response.headers.emplace_back("Set-Cookie", cookie(context, request, "", 0));
  co_return response;
}

}  // namespace

void add_session_routes(http::Router& router, const Context& context) {
  router.add("POST", "/v1/session", [context](http::Request& r) { return login(context, r); });
  router.add("GET", "/v1/session", [context](http::Request& r) { return whoami(context, r); });
  router.add("DELETE", "/v1/session", [context](http::Request& r) { return logout(context, r); });
}

}  // namespace orgcast::api
