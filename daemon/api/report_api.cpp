// Daily reports over HTTP (docs/REPLIES.md, "Daily reports"):
//   GET  /v1/reports?date=&unit=&page=&per_page=            the day's reports (IST), in the unit or below
//   GET  /v1/reports/missing?date=&level=&role=&unit=&...   who should have reported that day and has not
//   POST /v1/reports/remind {"level", "role", "date"?, "unit"?, "channels"?}   messages exactly those (Idempotency-Key)
#include <boost/json.hpp>
#include <charconv>

#include "api/approvals.hpp"
#include "api/audit_trail.hpp"
#include "api/caller_scope.hpp"
#include "api/common.hpp"
#include "auth/principal.hpp"
#include "core/mask.hpp"
#include "api/enqueue.hpp"
#include "api/paging.hpp"
#include "api/report_reminders.hpp"
#include "api/routes.hpp"
#include "api/send_quota.hpp"
#include "core/run_on.hpp"
#include "core/text.hpp"
#include "directory/resolver.hpp"
#include "directory_store/store.hpp"
#include "directory_store/watcher.hpp"
#include "reports/report_store.hpp"
#include "text/ist_time.hpp"
#include "core/json_text.hpp"

namespace orgcast::api {

namespace json = boost::json;
using boost::asio::awaitable;

namespace {

// The filters and paging a report listing takes, as given in a query or a body.
struct Filters {
  std::string day, level, role, unit;
  Paging paging{1, 100, std::nullopt};
};

// Reads one filter; "" when it is fine, else what is wrong. A date is a
// day on the IST calendar, or today or yesterday as of the request (what
// a schedule's reminder at 09:00 means by "who did not report yesterday").
std::string read_filter(Filters& f, const std::string& name, const std::string& value) {
  if (name == "date") {
    const auto now = std::chrono::system_clock::now();
    if (value == "today" || value == "yesterday") f.day = text::ist_day(value == "today" ? now : now - std::chrono::hours(24));
    else if (value.size() != 10 || !parse_rfc3339(value + "T00:00:00+05:30"))
      return "date must be a day such as 2026-12-01 (1970 to 2199), today or yesterday, not " + quoted_input(value);
    else f.day = value;
  } else if (name == "level" || name == "role" || name == "unit") {
    if (value.empty() || value.size() > 64) return name + " must be 1 to 64 characters";
    (name == "level" ? f.level : name == "role" ? f.role : f.unit) = value;
  } else if (std::string why; read_paging_parameter(name, value, 1000, f.paging, why)) {
    return why;
  } else {
    return "unknown parameter " + quoted_input(name);
  }
  return "";
}

constexpr int kRemindDaysBack = 7;  // a reminder about a day older than this reaches people about a day long gone

http::Response bad(const std::string& what) { return http::problem(400, "invalid-parameter", "Invalid parameter", what); }

// Who should have reported on the day and has not: one post per person,
// found by level, role and unit like an audience.
struct Missing {
  std::shared_ptr<const directory::OrgIndex> index;
  std::vector<std::uint32_t> posts;
  std::size_t expected = 0;
};

// Who should report, by the filters' level, role and unit within the
// caller's scope; or why not (one not in the directory, one outside).
struct FilterError {
  std::string field, why;
  bool forbidden = false;  // outside the caller's scope: 403
  std::string unit;        // the unit, when it is one the caller does not reach
};
// As a query's problem (GET /v1/reports/missing: a unit the directory lacks
// or outside the scope 404, as every listing's ?unit= is) or a body's, by
// pointer under `at` (unknown 400, outside 403, as an audience's units).
http::Response query_problem(const FilterError& e) {
  if (!e.unit.empty()) return not_found("unit", e.unit);
  const auto what = e.field.empty() ? e.why : e.field + ": " + e.why;
  return e.forbidden ? out_of_scope(what) : bad(what);
}
http::Response body_problem(const FilterError& e, const std::string& at) {
  return pointer_problem("Invalid request", {{at + (e.field.empty() ? "" : "/" + e.field), e.why, false, e.forbidden}});
}

std::variant<directory::Selector, FilterError> reporters(const directory::OrgIndex& index, const CallerScope& caller, const Filters& f) {
  const auto& vocabulary = index.vocabulary();
  if (f.level.empty() || f.role.empty()) return FilterError{"", "give the level and role that report, e.g. level=district&role=president"};
  directory::Selector who;
  const auto& levels = vocabulary.levels();
  const auto level = std::find(levels.begin(), levels.end(), f.level) - levels.begin();
  if (static_cast<std::size_t>(level) >= levels.size()) return FilterError{"level", "no level " + quoted_input(f.level) + " in the directory"};
  who.levels = std::uint64_t{1} << level;
  const auto& roles = vocabulary.roles();
  const auto role = std::find(roles.begin(), roles.end(), f.role) - roles.begin();
  if (static_cast<std::size_t>(role) >= roles.size() || role >= 256) return FilterError{"role", "no role " + quoted_input(f.role) + " in the directory"};
  who.roles.set(static_cast<std::size_t>(role));
  if (!f.unit.empty()) {
    const auto unit = index.units().find(f.unit);
    if (unit == directory::kNoUnit) return FilterError{"unit", "no unit " + quoted_input(f.unit) + " in the directory", false, f.unit};
    if (!caller.reaches(unit)) return FilterError{"unit", "the unit " + quoted_input(f.unit) + " is outside your scope", true, f.unit};
    who.units.push_back({unit, true});
  } else if (!caller.scope().whole()) {  // no unit: the caller's part of the directory
    for (auto u : caller.scope().roots()) who.units.push_back({u, true});
    if (who.units.empty()) return FilterError{"", "your scope holds no unit of the directory", true};
  }
  return who;
}

// A reminder's body as filters ("channels" aside), or what is wrong with
// it, by pointer under `at`. One that recurs names its day relative to each
// occurrence (today, yesterday); one sent now a day of the last week.
std::variant<Filters, http::Response> reminder_filters(const json::object& body, const std::string& at, bool recurring) {
  Filters f;
  const auto now = std::chrono::system_clock::now();
  f.day = text::ist_day(now);
  for (const auto& [name, value] : body) {
    if (name == "channels") continue;
    const FilterError unknown{std::string(name), "unknown, or not a text"};
    if (name == "page" || name == "per_page" || name == "cursor" || !value.is_string()) return body_problem(unknown, at);
    const std::string given(value.as_string());
    if (auto why = read_filter(f, std::string(name), given); !why.empty()) return body_problem({std::string(name), why}, at);
    if (name != "date" || given == "today" || given == "yesterday") continue;
    if (recurring) return body_problem({"date", "a schedule's reminder names its day as each occurrence sees it: today or yesterday, not " + quoted_input(given)}, at);
    if (f.day > text::ist_day(now) || f.day < text::ist_day(now - std::chrono::hours(24 * kRemindDaysBack)))
      return body_problem({"date", "a reminder is about today or one of the " + std::to_string(kRemindDaysBack) + " days before, not " + quoted_input(given)}, at);
  }
  return f;
}

// The filters' reporters within the caller's scope, or why not (by pointer under `at`).
std::optional<http::Response> reporters_refused(const Context& context, const http::Request& request, const Filters& f, const std::string& at) {
  const auto index = context.watcher->index();
  if (!index) return index_unavailable();
  auto selected = reporters(*index, CallerScope(request, index->units()), f);
  if (auto* refused = std::get_if<FilterError>(&selected)) return body_problem(*refused, at);
  return std::nullopt;
}

awaitable<std::variant<Missing, http::Response>> missing(Context context, Filters f, std::shared_ptr<const auth::Principal> principal) {
  Missing out;
  out.index = context.watcher->index();
  if (!out.index) co_return index_unavailable();
  const CallerScope caller(principal.get(), out.index->units());
  auto selected = reporters(*out.index, caller, f);
  if (auto* refused = std::get_if<FilterError>(&selected)) co_return query_problem(*refused);
  const auto who = std::get<directory::Selector>(std::move(selected));
  auto index = out.index;
  auto resolve = [index, who] { return directory::resolve(*index, who).posts; };
  auto expected = co_await run_on(context.compute, std::move(resolve));
  auto reported = co_await context.reports->who_reported(f.day);
  if (!reported) co_return redis_unavailable(reported.error().message());
  out.expected = expected.size();
  const auto posts = out.index->posts();
  for (auto p : expected)
    if (!reported->contains(out.index->person_mobile(posts[p].person))) out.posts.push_back(p);
  co_return out;
}

awaitable<http::Response> list(Context context, http::Request& request) {
  Filters f;
  f.day = text::ist_day(std::chrono::system_clock::now());
  for (const auto& [name, value] : request.query)
    if (name == "level" || name == "role") co_return bad("unknown parameter " + quoted_input(name) + "; expected date, unit, page, per_page, cursor");
    else if (auto why = read_filter(f, name, value); !why.empty()) co_return bad(why);
  auto index = context.watcher->index();
  if (!index) co_return index_unavailable();
  const auto& units = index->units();
  const CallerScope caller(request, units);
  std::uint32_t unit = directory::kNoUnit;
  // A unit the directory lacks and one outside the scope are answered alike, as every listing's ?unit= is.
  if (!f.unit.empty() && ((unit = units.find(f.unit)) == directory::kNoUnit || !caller.reaches(unit))) co_return not_found("unit", f.unit);
  auto kept = co_await context.reports->of_day(f.day);
  if (!kept) co_return redis_unavailable(kept.error().message());
  json::array rows;
  std::size_t matched = 0;
  for (const auto& text : *kept) {
    boost::system::error_code ec;
    auto entry = json::parse(text, ec);
    if (ec || !entry.is_object()) continue;
    auto& o = entry.as_object();
    const auto* u = o.if_contains("unit");
    const auto at = u && u->is_string() ? units.find(u->as_string()) : directory::kNoUnit;
    if (!caller.scope().whole() && !caller.reaches(at)) continue;
    if (unit != directory::kNoUnit && (at == directory::kNoUnit || at < unit || at >= units.subtree_end(unit))) continue;
    if (const auto* m = o.if_contains("mobile"); m && m->is_string()) o["mobile"] = caller.mobile("+" + std::string(m->as_string()), at);
    if (auto kept_unit = o.find("unit"); kept_unit != o.end()) {  // kept as "unit"; shown as every answer names a unit's id
      json::value unit_id = std::move(kept_unit->value());  // moved out first: inserting may move the object's table
      o.erase(kept_unit);
      o.emplace("unit_id", std::move(unit_id));
    }
    if (f.paging.has(matched++)) rows.push_back(std::move(entry));
  }
  co_return http::json_response(200, json_text(json::object{{"date", f.day},
                                                            {"reports", std::move(rows)},
                                                            {"total", matched},
                                                            {"page", f.paging.page_shown()},
                                                            {"per_page", f.paging.per_page},
                                                            {"next", next_page_link(request, f.paging, matched)}}));
}

awaitable<http::Response> list_missing(Context context, http::Request& request) {
  Filters f;
  f.day = text::ist_day(std::chrono::system_clock::now());
  for (const auto& [name, value] : request.query)
    if (auto why = read_filter(f, name, value); !why.empty()) co_return bad(why);
  auto found = co_await missing(context, f, request.principal);
  if (auto* answer = std::get_if<http::Response>(&found)) co_return std::move(*answer);
  const auto& m = std::get<Missing>(found);
  const CallerScope caller(request, m.index->units());
  const auto first = std::min(m.posts.size(), f.paging.offset()), last = std::min(m.posts.size(), first + f.paging.per_page);
  std::vector<std::uint32_t> records;
  for (auto i = first; i < last; ++i) records.push_back(m.index->posts()[m.posts[i]].record);
  json::array rows;
  if (!records.empty()) {
    auto fetched = co_await context.store->fetch_raw_records(*m.index, records);
    if (!fetched) co_return redis_unavailable(fetched.error().message());
    for (const auto& v : fetched->views())
      rows.push_back(json::object{{"contact_id", v.id}, {"name", v.name}, {"name_hi", v.name_hi},
                                  {"mobile", caller.mobile("+" + std::to_string(v.mobile), v.unit_id)},
                                  {"unit_id", v.unit_id}, {"role", v.role}});
  }
  co_return http::json_response(200, json_text(json::object{{"date", f.day},
                                                                  {"expected", m.expected},
                                                                  {"reported", m.expected - m.posts.size()},
                                                                  {"missing", std::move(rows)},
                                                                  {"total", m.posts.size()},
                                                                  {"page", f.paging.page_shown()},
                                                                  {"per_page", f.paging.per_page},
                                                                  {"next", next_page_link(request, f.paging, m.posts.size())}}));
}

awaitable<http::Response> remind(Context context, http::Request& request) {
  http::Response error;
  auto body = parse_json_body(request, error);
  if (!body) co_return error;
  if (!body->is_object()) co_return pointer_problem("Invalid request", {{"", "the body must be a JSON object"}});
  auto read = reminder_filters(body->as_object(), "", false);  // read once: its `today` is one moment's
  if (auto* refused = std::get_if<http::Response>(&read)) co_return std::move(*refused);
  const auto f = std::get<Filters>(std::move(read));
  if (auto refused = reporters_refused(context, request, f, "")) co_return std::move(*refused);
  json::value channels = json::array{"whatsapp", "sms"};
  if (const auto* given = body->as_object().if_contains("channels")) channels = *given;
  std::function<awaitable<http::Response>(std::string)> replay_made = [](std::string made) -> awaitable<http::Response> {
    co_return http::json_response(202, json_text(json::object{{"reminder", made}, {"idempotent_replay", true}}));
  };
  auto claimed = co_await claim_idempotency_key(context, request, *body, replay_made);
  if (auto* answer = std::get_if<http::Response>(&claimed)) co_return std::move(*answer);
  auto hold = std::get<broadcast::Store::IdempotencyHold>(std::move(claimed));
  auto release = [&]() -> awaitable<void> {
    if (!hold.key.empty()) co_await context.broadcasts->release_idempotency_key(hold);
  };
  auto found = co_await missing(context, f, request.principal);
  if (auto* answer = std::get_if<http::Response>(&found)) {
    co_await release();
    co_return std::move(*answer);
  }
  auto& m = std::get<Missing>(found);
  std::vector<std::uint32_t> persons;
  for (auto p : m.posts) persons.push_back(m.index->posts()[p].person);
  std::sort(persons.begin(), persons.end());
  if (persons.empty()) {  // everyone reported (an empty people list would mean everyone)
    co_await release();
    co_return http::json_response(200, json_text(json::object{{"date", f.day}, {"reminder", nullptr}, {"people", 0}}));
  }
  const auto messaging = context.messaging();
  json::object spec_body{{"audience", json::object{}}, {"template", "report_reminder"}, {"channels", channels}, {"priority", "urgent"}};
  // Each person at a post inside the caller's scope (their first there).
  const CallerScope caller(request, m.index->units());
  auto checks = spec_context(*messaging, std::chrono::system_clock::now());
  checks.scope = &caller.scope();
  json::value asked(std::move(spec_body));
  auto parsed = broadcast::parse_spec(asked, *m.index, checks);
  if (auto* problems = std::get_if<std::vector<directory::SelectorError>>(&parsed)) {
    co_await release();
    co_return pointer_problem("Invalid request", *problems);
  }
  auto spec = std::get<broadcast::Spec>(std::move(parsed));
  spec.author = request.principal->tag();
  spec.audience.only_persons = std::move(persons);
  spec.audience_json = json::serialize(json::object{{"reports_missing", f.day}, {"level", f.level}, {"role", f.role}, {"unit", f.unit}});
  // The daily quota, and over the caller's threshold a second person's approval.
  auto reminded = audit_entry(context, request, "report_remind");
  reminded.summary = "missing reports of " + f.day + ": " + f.level + " " + f.role;
  Holdable held{"report_reminder", asked, {{"audience_json", spec.audience_json}}, hold, reminded};
  auto ruled = co_await apply_send_rules(context, request.principal, m.index, spec, std::move(held));
  if (auto* answer = std::get_if<http::Response>(&ruled)) {
    if (answer->status != 202) co_await release();
    co_return std::move(*answer);
  }
  SliceHook no_hook;  // named: GCC 12 mishandles temporaries with destructors inside a co_await
  auto queued = co_await enqueue_broadcast(context, m.index, std::move(spec), hold, no_hook);
  if (auto* refused = std::get_if<http::Response>(&queued)) {
    co_await release();
    co_await give_back_send_quota(context, std::get<QuotaTaken>(ruled));
    co_return std::move(*refused);
  }
  const auto& q = std::get<Enqueued>(queued);
  reminded.target = q.id;
  reminded.unit = f.unit.empty() ? q.root : f.unit;
  reminded.count = static_cast<long long>(q.total - q.skipped);
  co_await keep_audit(context, std::move(reminded));
  co_return http::json_response(202, json_text(json::object{{"date", f.day}, {"reminder", q.id}, {"people", q.total - q.skipped}}));
}

}  // namespace

std::optional<http::Response> report_reminder_refused(const Context& context, const http::Request& request, const json::object& body,
                                                      const std::string& at, bool recurring) {
  auto read = reminder_filters(body, at, recurring);
  if (auto* refused = std::get_if<http::Response>(&read)) return std::move(*refused);
  return reporters_refused(context, request, std::get<Filters>(read), at);
}

void add_report_routes(http::Router& router, const Context& context) {
  router.add("GET", "/v1/reports", [context](http::Request& r) { return list(context, r); });
  router.add("GET", "/v1/reports/missing", [context](http::Request& r) { return list_missing(context, r); });
  router.add("POST", "/v1/reports/remind", [context](http::Request& r) { return remind(context, r); });
}

}  // namespace orgcast::api
