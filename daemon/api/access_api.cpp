// Who is asking, and API tokens over HTTP (docs/ACCESS.md):
//   GET  /v1/tokens              the tokens (never the tokens themselves): name, profile, scope, expiry, last use, revoked
//   POST /v1/tokens              {"name", "profile", "scope": [...], "permissions": [...], "expires_in_days"}: 201 with
//                                the token, shown this once; no wider than its creator (profile's permissions, scope)
//   POST /v1/tokens/{id}/revoke  refused on every instance within a second
#include <boost/json.hpp>

#include "api/audit_trail.hpp"
#include "api/caller_scope.hpp"
#include "api/common.hpp"
#include "api/paging.hpp"
#include "api/routes.hpp"
#include "auth/api_token.hpp"
#include "auth/auth_store.hpp"
#include "auth/principal.hpp"
#include "core/text.hpp"
#include "core/utc_time.hpp"
#include "directory_store/watcher.hpp"
#include "core/json_text.hpp"

namespace orgcast::api {

namespace json = boost::json;
using boost::asio::awaitable;

namespace {

json::object token_json(const auth::TokenRecord& t) {
  return json::object{{"id", t.id},           {"name", t.name},         {"profile", t.profile},       {"permissions", json::value_from(t.permissions)},
                      {"scope", json::value_from(t.scope)}, {"created_at", t.created_at}, {"created_by", t.created_by}, {"expires_at", t.expires_at},
                      {"revoked_at", t.revoked_at}, {"last_used_at", t.last_used_at}};
}

// A caller over the whole directory sees and revokes every token; any other, those it made.
bool may_manage(const auth::Principal& caller, const auth::TokenRecord& t) { return caller.whole_directory() || t.created_by == caller.tag(); }

awaitable<http::Response> list_tokens(Context context, http::Request& request) {
  Paging paging;
  if (auto refused = read_list_paging(request, paging)) co_return std::move(*refused);
  auto all = co_await context.auth->tokens();
  if (!all) co_return redis_unavailable(all.error().message());
  json::array out;
  for (const auto& t : *all)
    if (may_manage(*request.principal, t)) out.push_back(token_json(t));
  co_return http::json_response(200, json_text(paged_list(request, paging, "tokens", std::move(out))));
}

awaitable<http::Response> create_token(Context context, http::Request& request) {
  http::Response error;
  auto body = parse_json_body(request, error);
  if (!body) co_return error;
  std::vector<directory::SelectorError> problems;
  if (!body->is_object()) co_return pointer_problem("Invalid token", {{"", "the body must be a JSON object"}});
  const auto& o = body->as_object();
  directory::reject_unknown_keys(o, {"name", "profile", "scope", "permissions", "expires_in_days"}, "", problems);
  const auto& caller = *request.principal;
  auth::TokenRecord t;
  auto text = [&](const char* key, std::string& out) {
    const auto* v = o.if_contains(key);
    if (!v || !v->is_string() || v->as_string().empty() || characters(v->as_string()) > 100)
      problems.push_back({std::string("/") + key, "expected a text of 1 to 100 characters"});
    else out = std::string(v->as_string());
  };
  text("name", t.name);
  if (!t.name.empty())
    if (auto why = name_problem(t.name, 100); !why.empty()) problems.push_back({"/name", why});
  text("profile", t.profile);
  const auto profiles = context.access_profiles();
  const auto profile = profiles.find(t.profile);
  if (!t.profile.empty() && profile == profiles.end()) problems.push_back({"/profile", "no access profile " + quoted_input(t.profile)});
  auto index = context.watcher->index();
  auto list = [&](const char* key, std::vector<std::string>& out) {
    const auto* v = o.if_contains(key);
    if (!v) return;
    if (!v->is_array() || v->as_array().size() > 100) return problems.push_back({std::string("/") + key, "expected a list of at most 100 names"});
    for (std::size_t i = 0; i < v->as_array().size(); ++i) {
      const auto& item = v->as_array()[i];
      if (!item.is_string()) problems.push_back({std::string("/") + key + "/" + std::to_string(i), "expected a text"});
      else out.emplace_back(item.as_string());
    }
  };
  list("scope", t.scope);
  list("permissions", t.permissions);
  if (t.scope.empty()) problems.push_back({"/scope", "expected at least one unit id (or \"*\": every unit)"});
  for (auto& problem : scope_problems(caller, index.get(), t.scope)) problems.push_back(std::move(problem));
  // No wider than the profile it names, nor than its creator.
  auto allowed = profile == profiles.end() ? auth::Permissions{} : profile->second.permissions;
  for (std::size_t i = 0; i < t.permissions.size(); ++i) {
    const auto p = auth::parse_permission(t.permissions[i]);
    if (!p) problems.push_back({"/permissions/" + std::to_string(i), "no permission " + quoted_input(t.permissions[i])});
    else if (!allowed.has(*p)) problems.push_back({"/permissions/" + std::to_string(i), t.permissions[i] + " is not in profile " + t.profile});
  }
  auto effective = allowed;
  if (!t.permissions.empty()) {
    effective = {};
    for (const auto& name : t.permissions)
      if (auto p = auth::parse_permission(name)) effective.add(*p);
  }
  if (problems.empty() && !caller.permissions.covers(effective))
    problems.push_back({t.permissions.empty() ? "/profile" : "/permissions", "a token may not do more than you may", false, true});
  long long days = 90;
  if (const auto* v = o.if_contains("expires_in_days")) {
    if (!v->is_int64() || v->as_int64() < 1 || v->as_int64() > 366) problems.push_back({"/expires_in_days", "expected 1 to 366"});
    else days = v->as_int64();
  }
  if (!problems.empty()) co_return pointer_problem("Invalid token", problems);
  const auto token = auth::new_api_token();
  const auto now = std::chrono::system_clock::now();
  t.digest = auth::api_token_digest(token);
  t.created_at = format_utc(now);
  t.created_by = caller.tag();
  t.expires_at = format_utc(now + std::chrono::hours(24 * days));
  // Its permissions written out (a profile widened later does not widen it),
  // and no longer-lived than a token that made it.
  t.permissions = effective.names();
  if (caller.kind == auth::Principal::Kind::token && !caller.expires_at.empty() && caller.expires_at < t.expires_at) t.expires_at = caller.expires_at;
  auto id = co_await context.auth->create_token(t);
  if (!id) co_return redis_unavailable(id.error().message());
  t.id = *id;
  auto made = audit_entry(context, request, "token_create", t.id);
  made.summary = "\"" + audit_text(t.name, 100) + "\", profile " + t.profile + ", scope " + auth::joined(t.scope) + ", expires " + t.expires_at;
  if (t.scope.size() == 1 && t.scope[0] != "*") made.unit = t.scope[0];
  co_await keep_audit(context, std::move(made));
  auto out = token_json(t);
  out["token"] = token;
  out["note"] = "the token is shown this once; only its SHA-256 is kept";
  co_return http::json_response(201, json_text(out));
}

// Revokes it and every token made with it (and theirs): a leaked token's children go with it.
awaitable<http::Response> revoke_token(Context context, http::Request& request) {
  const auto id = request.params["id"];
  auto all = co_await context.auth->tokens();
  if (!all) co_return redis_unavailable(all.error().message());
  const auth::TokenRecord* target = nullptr;
  for (const auto& t : *all)
    if (t.id == id && may_manage(*request.principal, t)) target = &t;
  if (!target) co_return http::problem(404, "not-found", "No such token", "no token with id " + quoted_input(id) + " that you may revoke");
  // Revoked already: the same answer, its time and the trail unchanged (a retry is not a second revocation).
  if (!target->revoked_at.empty()) co_return http::json_response(200, json_text(json::object{{"id", id}, {"revoked", json::array{json::value(id)}}}));
  const auto at = format_utc(std::chrono::system_clock::now());
  std::vector<std::string> revoked{id};
  for (std::size_t n = 0; n < revoked.size(); ++n) {
    const auto one = revoked[n];
    auto done = co_await context.auth->revoke_token(one, at);
    if (!done) co_return redis_unavailable(done.error().message());
    for (const auto& t : *all)
      if (t.created_by == "token:" + one && t.revoked_at.empty()) revoked.push_back(t.id);
  }
  auto entry = audit_entry(context, request, "token_revoke", id);
  entry.count = static_cast<long long>(revoked.size());
  if (target->scope.size() == 1 && target->scope[0] != "*") entry.unit = target->scope[0];
  for (const auto& r : revoked) entry.summary += (entry.summary.empty() ? "revoked " : ", ") + r;
  co_await keep_audit(context, std::move(entry));
  co_return http::json_response(200, json_text(json::object{{"id", id}, {"revoked", json::array(revoked.begin(), revoked.end())}}));
}

}  // namespace

void add_access_routes(http::Router& router, const Context& context) {
  router.add("GET", "/v1/tokens", [context](http::Request& r) { return list_tokens(context, r); });
  router.add("POST", "/v1/tokens", [context](http::Request& r) { return create_token(context, r); });
  router.add("POST", "/v1/tokens/{id}/revoke", [context](http::Request& r) { return revoke_token(context, r); });
}

}  // namespace orgcast::api
