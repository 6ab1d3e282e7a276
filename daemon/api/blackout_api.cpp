// Blackouts (time_rules/): windows when nothing, or only some kinds, is
// sent to some units and below — the Election Commission's silence before
// polling changes with every phase, so the office makes and ends them here
// as well as in the config file. Every change is audited; every instance's
// dispatcher holds what a blackout covers within a second.
//   GET    /v1/blackouts        those that touch the caller's scope (the config's too), with their state
//   POST   /v1/blackouts        {"name", "units": [...], "from", "to", "kinds": [...]}: 201
//   DELETE /v1/blackouts/{id}   ends one made here (the config's are changed in the file)
#include <boost/json.hpp>

#include "api/audit_trail.hpp"
#include "api/caller_scope.hpp"
#include "api/common.hpp"
#include "api/paging.hpp"
#include "api/context.hpp"
#include "api/routes.hpp"
#include "auth/auth_store.hpp"
#include "auth/principal.hpp"
#include "core/json_text.hpp"
#include "core/text.hpp"
#include "core/utc_time.hpp"
#include "directory_store/watcher.hpp"
#include "time_rules/blackout_store.hpp"

namespace orgcast::api {

namespace json = boost::json;
using boost::asio::awaitable;

namespace {

const char* const kKinds[] = {"announcement", "summons", "reminder"};
constexpr std::size_t kMostBlackouts = 500;
constexpr std::chrono::hours kLongestBlackout{24 * 90};  // one made through the API

// Whether the blackout touches the caller's scope: one of its units is in
// the scope, or the scope lies inside one of them (a state-wide silence
// covers a district president's district).
bool touches(const auth::Principal& caller, const directory::OrgIndex* index, const time_rules::Blackout& b) {
  if (caller.whole_directory()) return true;
  if (!index) return false;
  for (const auto& unit : b.units)
    if (scope_within(caller, index, unit)) return true;
  const auto covered = directory::Scope::of(b.units, index->units());
  for (const auto& unit : caller.scope)
    if (covered.contains(unit, index->units())) return true;
  return false;
}

json::object shown(const time_rules::StoredBlackout& stored, std::chrono::system_clock::time_point now, const char* source) {
  auto out = json::parse(time_rules::to_json(stored)).as_object();
  const auto& b = stored.blackout;
  out["state"] = now < b.from ? "upcoming" : now < b.to ? "in_force" : "ended";
  out["source"] = source;
  if (std::string_view(source) == "config") {
    out.erase("created_by");
    out.erase("created_at");
  }
  return out;
}

awaitable<http::Response> list(Context context, http::Request& request) {
  Paging paging;
  if (auto refused = read_list_paging(request, paging)) co_return std::move(*refused);
  const auto index = context.watcher->index();
  const auto now = std::chrono::system_clock::now();
  json::array out;
  if (context.time_rules)
    if (auto rules = context.time_rules())
      for (const auto& b : rules->blackouts)
        if (b.id.starts_with("config:") && touches(*request.principal, index.get(), b)) out.push_back(shown({b, "", ""}, now, "config"));
  if (context.blackouts) {
    auto stored = co_await context.blackouts->all();
    if (!stored) co_return redis_unavailable(stored.error().message());
    for (const auto& s : *stored)
      if (touches(*request.principal, index.get(), s.blackout)) out.push_back(shown(s, now, "api"));
  }
  co_return http::json_response(200, json_text(paged_list(request, paging, "blackouts", std::move(out))));
}

// The body's blackout, or what is wrong with it (each by its pointer; a unit outside the scope: 403).
std::variant<time_rules::Blackout, http::Response> read_blackout(const json::object& o, const auth::Principal& caller,
                                                                 const directory::OrgIndex& index) {
  std::vector<directory::SelectorError> problems;
  time_rules::Blackout b;
  if (const auto* name = o.if_contains("name"); name && name->is_string()) b.name = std::string(name->as_string());
  if (auto why = name_problem(b.name, 200); !why.empty()) problems.push_back({"/name", why});
  const auto& units = o.at("units").as_array();
  for (std::size_t i = 0; i < units.size(); ++i) {
    const std::string unit(units[i].as_string());
    if (index.units().find(unit) == directory::kNoUnit) problems.push_back({"/units/" + std::to_string(i), "no unit " + quoted_input(unit)});
    else if (!scope_within(caller, &index, unit))
      problems.push_back({"/units/" + std::to_string(i), quoted_input(unit) + " is not within your scope", false, true});
    b.units.push_back(unit);
  }
  if (b.units.empty()) problems.push_back({"/units", "name at least one unit (the state's id for all)"});
  for (const char* key : {"from", "to"}) {
    auto at = parse_rfc3339(o.at(key).as_string());
    if (!at) problems.push_back({std::string("/") + key, "expected " + std::string(kRfc3339Expected)});
    else (std::string_view(key) == "from" ? b.from : b.to) = *at;
  }
  if (problems.empty() && b.to <= b.from) problems.push_back({"/to", "must be later than from"});
  if (problems.empty() && b.to <= std::chrono::system_clock::now()) problems.push_back({"/to", "is past: the blackout would hold nothing"});
  // An election's silence is 48 hours and its phases weeks apart: one made here that outlasts a
  // season is a slip that would silence a region unnoticed (the config file's blackouts may be longer).
  if (problems.empty() && b.to - b.from > kLongestBlackout)
    problems.push_back({"/to", "a blackout made here lasts at most " + std::to_string(kLongestBlackout.count() / 24) + " days from its from"});
  if (const auto* kinds = o.if_contains("kinds"))
    for (std::size_t i = 0; i < kinds->as_array().size(); ++i) {
      const std::string kind(kinds->as_array()[i].as_string());
      if (std::find(std::begin(kKinds), std::end(kKinds), kind) == std::end(kKinds))
        problems.push_back({"/kinds/" + std::to_string(i), "expected announcement, summons or reminder (replies are never held)"});
      b.kinds.push_back(kind);
    }
  if (!problems.empty()) return pointer_problem("Invalid blackout", problems);
  return b;
}

awaitable<http::Response> create(Context context, http::Request& request) {
  http::Response error;
  auto body = parse_json_body(request, error);  // its shape is the API document's (BlackoutRequest)
  if (!body) co_return error;
  const auto index = context.watcher->index();
  if (!index) co_return index_unavailable();
  if (!context.blackouts) co_return redis_unavailable("no blackout store");
  // Bounded: every instance reads them all each second and asks them for each recipient.
  if (auto stored = co_await context.blackouts->all(); !stored) co_return redis_unavailable(stored.error().message());
  else if (stored->size() >= kMostBlackouts)
    co_return http::problem(409, "taken", "Too many blackouts", std::to_string(kMostBlackouts) + " blackouts are kept already; end those that have ended (DELETE /v1/blackouts/{id})");
  auto read = read_blackout(body->as_object(), *request.principal, *index);
  if (auto* refused = std::get_if<http::Response>(&read)) co_return std::move(*refused);
  time_rules::StoredBlackout stored{std::get<time_rules::Blackout>(std::move(read)), request.principal->tag(), format_utc(std::chrono::system_clock::now())};
  auto id = co_await context.blackouts->add(stored);
  if (!id) co_return redis_unavailable(id.error().message());
  stored.blackout.id = *id;
  auto entry = audit_entry(context, request, "blackout_create", *id);
  entry.summary = "\"" + audit_text(stored.blackout.name, 100) + "\", units " + auth::joined(stored.blackout.units) + ", " +
                  format_utc(stored.blackout.from) + " to " + format_utc(stored.blackout.to) +
                  (stored.blackout.kinds.empty() ? ", every kind" : ", kinds " + auth::joined(stored.blackout.kinds));
  if (stored.blackout.units.size() == 1) entry.unit = stored.blackout.units[0];
  co_await keep_audit(context, std::move(entry));
  auto response = http::json_response(201, json_text(shown(stored, std::chrono::system_clock::now(), "api")));
  response.headers.emplace_back("Location", "/v1/blackouts");  // listed there, with its state
  co_return response;
}

awaitable<http::Response> remove(Context context, http::Request& request) {
  const auto id = request.params["id"];
  if (!context.blackouts) co_return not_found("blackout", id);
  auto stored = co_await context.blackouts->all();
  if (!stored) co_return redis_unavailable(stored.error().message());
  const auto index = context.watcher->index();
  auto it = std::find_if(stored->begin(), stored->end(), [&](const auto& s) { return s.blackout.id == id; });
  // Ended only by a caller whose scope holds all its units.
  const bool mine = it != stored->end() && std::all_of(it->blackout.units.begin(), it->blackout.units.end(), [&](const auto& unit) {
                      return scope_within(*request.principal, index.get(), unit);
                    });
  if (!mine) co_return not_found("blackout", id);
  auto removed = co_await context.blackouts->remove(id);
  if (!removed) co_return redis_unavailable(removed.error().message());
  if (!*removed) co_return not_found("blackout", id);
  auto entry = audit_entry(context, request, "blackout_delete", id);
  entry.summary = "\"" + audit_text(it->blackout.name, 100) + "\", units " + auth::joined(it->blackout.units);
  if (it->blackout.units.size() == 1) entry.unit = it->blackout.units[0];
  co_await keep_audit(context, std::move(entry));
  co_return http::json_response(200, json_text(json::object{{"id", id}, {"deleted", true}}));
}

}  // namespace

void add_blackout_routes(http::Router& router, const Context& context) {
  router.add("GET", "/v1/blackouts", [context](http::Request& r) { return list(context, r); });
  router.add("POST", "/v1/blackouts", [context](http::Request& r) { return create(context, r); });
  router.add("DELETE", "/v1/blackouts/{id}", [context](http::Request& r) { return remove(context, r); });
}

}  // namespace orgcast::api
