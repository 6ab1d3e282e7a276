// People who log in at the console, over HTTP (docs/ACCESS.md):
//   GET  /v1/users                      the users the caller may manage: name, profile, scope, language, disabled
//                                       (never a password hash)
//   POST /v1/users                      {"username", "name", "password", "profile", "scope": [...], "language"}: 201;
//                                       no wider than the caller (the profile's permissions, the scope)
//   POST /v1/users/{username}/disable   refused at once, every session ended
//   POST /v1/users/{username}/enable
#include <boost/json.hpp>

#include "api/audit_trail.hpp"
#include "api/caller_scope.hpp"
#include "api/common.hpp"
#include "api/paging.hpp"
#include "api/hashing_slot.hpp"
#include "api/routes.hpp"
#include "auth/auth_store.hpp"
#include "auth/password.hpp"
#include "auth/principal.hpp"
#include "auth/session_store.hpp"
#include "core/run_on.hpp"
#include "core/text.hpp"
#include "core/utc_time.hpp"
#include "directory_store/watcher.hpp"
#include "core/json_text.hpp"

namespace orgcast::api {

namespace json = boost::json;
using boost::asio::awaitable;

namespace {

json::object user_json(const auth::UserRecord& u) {
  return json::object{{"username", u.username}, {"name", u.display_name}, {"profile", u.profile}, {"scope", json::value_from(u.scope)},
                      {"language", u.language}, {"disabled", u.disabled}, {"created_at", u.created_at}};
}

// A user is the caller's to manage when the caller may do all the user may
// (by profile), and each unit of the user's scope is in the caller's.
bool may_manage(const Context& context, const auth::Principal& caller, const directory::OrgIndex* index, const auth::UserRecord& u) {
  const auto profiles = context.access_profiles();
  const auto profile = profiles.find(u.profile);
  if (profile != profiles.end() && !caller.permissions.covers(profile->second.permissions)) return false;
  if (caller.whole_directory()) return true;
  if (u.scope.empty()) return false;
  for (const auto& unit : u.scope)
    if (!scope_within(caller, index, unit)) return false;
  return true;
}

bool valid_username(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-')) return false;
  return true;
}

awaitable<http::Response> list_users(Context context, http::Request& request) {
  Paging paging;
  if (auto refused = read_list_paging(request, paging)) co_return std::move(*refused);
  auto all = co_await context.auth->users();
  if (!all) co_return redis_unavailable(all.error().message());
  auto index = context.watcher->index();
  json::array out;
  for (const auto& u : *all)
    if (may_manage(context, *request.principal, index.get(), u)) out.push_back(user_json(u));
  co_return http::json_response(200, json_text(paged_list(request, paging, "users", std::move(out))));
}

awaitable<http::Response> create_user(Context context, http::Request& request) {
  http::Response error;
  auto body = parse_json_body(request, error);
  if (!body) co_return error;
  if (!body->is_object()) co_return pointer_problem("Invalid user", {{"", "a user is a JSON object"}});
  const auto& o = body->as_object();
  std::vector<directory::SelectorError> problems;
  directory::reject_unknown_keys(o, {"username", "name", "password", "profile", "scope", "language"}, "", problems);
  const auto& caller = *request.principal;
  auth::UserRecord u;
  std::string password;
  auto text = [&](const char* key, std::string& out, std::size_t most, bool required) {
    const auto* v = o.if_contains(key);
    if (!v && !required) return;
    if (!v || !v->is_string() || v->as_string().empty() || characters(v->as_string()) > most)
      problems.push_back({std::string("/") + key, "expected a text of 1 to " + std::to_string(most) + " characters"});
    else out = std::string(v->as_string());
  };
  text("username", u.username, 64, true);
  text("name", u.display_name, 100, true);
  if (!u.display_name.empty())
    if (auto why = name_problem(u.display_name, 100); !why.empty()) problems.push_back({"/name", why});
  text("profile", u.profile, 100, true);
  text("language", u.language, 8, false);
  if (u.language.empty()) u.language = "hi";
  if (!u.username.empty() && !valid_username(u.username))
    problems.push_back({"/username", "use 1 to 64 of a-z, 0-9, '.', '_' and '-'"});
  if (const auto* v = o.if_contains("password"); !v || !v->is_string()) problems.push_back({"/password", "expected a text"});
  else if (auto why = auth::password_problem(v->as_string()); !why.empty()) problems.push_back({"/password", why});
  else password = std::string(v->as_string());
  const auto profiles = context.access_profiles();
  const auto profile = profiles.find(u.profile);
  if (!u.profile.empty() && profile == profiles.end()) problems.push_back({"/profile", "no access profile " + quoted_input(u.profile)});
  else if (profile != profiles.end() && !caller.permissions.covers(profile->second.permissions))
    problems.push_back({"/profile", "profile " + u.profile + " may do more than you may", false, true});
  auto index = context.watcher->index();
  const auto* scope = o.if_contains("scope");
  if (!scope || !scope->is_array() || scope->as_array().empty() || scope->as_array().size() > 100) {
    problems.push_back({"/scope", "expected a list of 1 to 100 unit ids (or \"*\": every unit)"});
  } else {
    for (std::size_t i = 0; i < scope->as_array().size(); ++i) {
      const auto& item = scope->as_array()[i];
      if (!item.is_string()) problems.push_back({"/scope/" + std::to_string(i), "expected a unit id"});
      else u.scope.emplace_back(item.as_string());
    }
    if (u.scope.size() == scope->as_array().size())
      for (auto& problem : scope_problems(caller, index.get(), u.scope)) problems.push_back(std::move(problem));
  }
  if (!problems.empty()) co_return pointer_problem("Invalid user", problems);
  // Hashed on the hashing pool (64 MiB each), never on an I/O thread.
  std::optional<std::string> hashed;
  {
    const HashingSlot slot(context.hashes_in_flight, context.hashes_at_once);
    if (!slot.taken()) co_return http::unavailable("passwords are being checked; retry in a moment", 1);
    auto hash = [password] { return auth::hash_password(password); };
    hashed = co_await run_on(context.hashing, std::move(hash));
  }
  if (!hashed) co_return http::unavailable("the password could not be hashed (out of memory); retry", 1);
  u.password_hash = std::move(*hashed);
  u.created_at = format_utc(std::chrono::system_clock::now());
  auto added = co_await context.auth->add_user(u);
  if (!added) co_return redis_unavailable(added.error().message());
  if (*added == 0) co_return http::problem(409, "taken", "Username taken", "the username " + quoted_input(u.username) + " is taken");
  auto made = audit_entry(context, request, "user_create", u.username);
  made.summary = "profile " + u.profile + ", scope " + auth::joined(u.scope);
  if (u.scope.size() == 1 && u.scope[0] != "*") made.unit = u.scope[0];
  co_await keep_audit(context, std::move(made));
  auto response = http::json_response(201, json_text(user_json(u)));
  response.headers.emplace_back("Location", "/v1/users/" + u.username);
  co_return response;
}

awaitable<http::Response> set_disabled(Context context, http::Request& request, bool disabled) {
  const auto username = request.params["username"];
  auto user = co_await context.auth->user(username);
  if (!user) co_return redis_unavailable(user.error().message());
  auto index = context.watcher->index();
  if (!*user || !may_manage(context, *request.principal, index.get(), **user)) co_return not_found("user", username);
  if (disabled && request.principal->kind == auth::Principal::Kind::user && request.principal->id == username)
    co_return http::problem(409, "own-account", "Not your own", "you cannot disable your own account; another administrator can");
  const std::string field = "disabled", value = disabled ? "1" : "0";  // named: GCC 12 and temporaries inside a co_await
  auto set = co_await context.auth->set_user_field(username, field, value);
  if (!set) co_return redis_unavailable(set.error().message());
  std::size_t ended = 0;
  if (disabled) {
    auto removed = co_await context.sessions->remove_all(username);
    if (!removed) co_return redis_unavailable(removed.error().message());
    ended = *removed;
  }
  (*user)->disabled = disabled;
  auto changed = audit_entry(context, request, disabled ? "user_disable" : "user_enable", username);
  if ((*user)->scope.size() == 1 && (*user)->scope[0] != "*") changed.unit = (*user)->scope[0];
  changed.count = static_cast<long long>(ended);
  co_await keep_audit(context, std::move(changed));
  auto out = user_json(**user);
  if (disabled) out["sessions_ended"] = ended;
  co_return http::json_response(200, json_text(out));
}

}  // namespace

void add_user_routes(http::Router& router, const Context& context) {
  router.add("GET", "/v1/users", [context](http::Request& r) { return list_users(context, r); });
  router.add("POST", "/v1/users", [context](http::Request& r) { return create_user(context, r); });
  router.add("POST", "/v1/users/{username}/disable", [context](http::Request& r) { return set_disabled(context, r, true); });
  router.add("POST", "/v1/users/{username}/enable", [context](http::Request& r) { return set_disabled(context, r, false); });
}

}  // namespace orgcast::api
