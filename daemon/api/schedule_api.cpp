// Recurring schedules: a cron expression on the IST clock (schedule/cron)
// and what each occurrence does — a broadcast, the daily-report reminder or
// a meeting's reminder — made as its author would make it over HTTP, with
// the author's permissions and scope as they are at that moment.
//   POST   /v1/schedules       {"name", "cron", "grace_minutes", and one of "broadcast": {...},
//                              "report_reminder": {...}, "meeting_reminder": {"meeting", "request"}}: 201
//   GET    /v1/schedules       those the caller made (every one for a whole-directory caller)
//   GET    /v1/schedules/{id}  one, with its next occurrence and what the last one did
//   DELETE /v1/schedules/{id}  no occurrence runs after it
// Each occurrence is a durable scheduler item named by the schedule and the
// occurrence's time ("schedule:sc1@<ms>"): it runs once across instances
// and restarts, and its request carries that name as its Idempotency-Key,
// so a run repeated after a crash makes nothing twice. One that comes
// later than its grace (an outage) is skipped and recorded, never sent
// hours late; the next is planned first, so the chain never breaks.
#include <boost/json.hpp>
#include <charconv>

#include "api/audit_trail.hpp"
#include "api/author_now.hpp"
#include "api/caller_scope.hpp"
#include "api/common.hpp"
#include "api/paging.hpp"
#include "api/report_reminders.hpp"
#include "api/context.hpp"
#include "api/enqueue.hpp"
#include "broadcast/spec.hpp"
#include "api/routes.hpp"
#include "meetings/meeting_store.hpp"
#include "auth/route_access.hpp"
#include "core/json_text.hpp"
#include "core/text.hpp"
#include "core/utc_time.hpp"
#include "directory_store/watcher.hpp"
#include "openapi/document.hpp"
#include "schedule/cron.hpp"
#include "schedule/schedule_store.hpp"
#include "schedule/scheduler.hpp"

namespace orgcast::api {

namespace json = boost::json;
using boost::asio::awaitable;
using SysTime = std::chrono::system_clock::time_point;

namespace {

constexpr std::chrono::minutes kShortestGap{60};  // between two occurrences of a schedule

// The unit a schedule's audit entries are filed under, so that its maker's
// district sees them: the maker's one unit ("" for a wider scope: those
// entries are for the whole directory's eyes).
std::string home_unit(const auth::Principal& maker) {
  return maker.scope.size() == 1 && maker.scope[0] != "*" ? maker.scope[0] : "";
}

// What an occurrence of each kind requests, as a client would.
struct Target {
  const char* kind;
  const char* pattern;  // the route (for its schema and permission)
};
const Target kTargets[] = {{"broadcast", "/v1/broadcasts"}, {"report_reminder", "/v1/reports/remind"}, {"meeting_reminder", "/v1/meetings/{id}/remind"}};

const Target* target_of(std::string_view kind) {
  for (const auto& t : kTargets)
    if (kind == t.kind) return &t;
  return nullptr;
}

std::string path_of(const schedule::StoredSchedule& s) {
  const auto* t = target_of(s.kind);
  return s.kind == "meeting_reminder" ? "/v1/meetings/" + s.meeting + "/remind" : std::string(t ? t->pattern : "");
}

const json::value kNoRequest = json::object{};  // a meeting reminder without a body: to those who have not answered


std::string item_id(const std::string& schedule_id, SysTime at) { return "schedule:" + schedule_id + "@" + std::to_string(epoch_ms(at)); }

json::object shown(const schedule::StoredSchedule& s) {
  json::object out{{"id", s.id}, {"name", s.name}, {"cron", s.cron}, {"time_zone", "Asia/Kolkata"}, {"grace_minutes", s.grace_s / 60},
                   {"kind", s.kind}, {"author", s.author}, {"created_at", s.created_at}};
  boost::system::error_code ec;
  auto request = json::parse(s.body_json, ec);
  if (s.kind == "meeting_reminder") out["meeting"] = s.meeting;
  out["request"] = ec ? json::value(json::object{}) : std::move(request);
  std::string error;
  const auto cron = schedule::Cron::parse(s.cron, error);
  const auto next = cron ? cron->next_after(std::chrono::system_clock::now()) : std::nullopt;
  out["next_at"] = next ? json::value(format_utc(*next)) : json::value(nullptr);
  if (s.last_occurrence.empty()) out["last"] = nullptr;
  else out["last"] = json::object{{"occurrence", s.last_occurrence}, {"outcome", s.last_outcome}, {"at", s.last_at}};
  return out;
}

bool may_see(const auth::Principal& caller, const schedule::StoredSchedule& s) { return caller.whole_directory() || s.author == caller.tag(); }

awaitable<http::Response> create(Context context, http::Request& request) {
  http::Response error;
  auto body = parse_json_body(request, error);  // its shape is the API document's (ScheduleRequest)
  if (!body) co_return error;
  if (!context.schedules || !context.scheduler) co_return redis_unavailable("no schedule store");
  const auto& o = body->as_object();
  std::vector<directory::SelectorError> problems;
  schedule::StoredSchedule s;
  s.name = std::string(o.at("name").as_string());
  if (auto why = name_problem(s.name, 200); !why.empty()) problems.push_back({"/name", why});
  s.cron = std::string(o.at("cron").as_string());
  if (const auto* grace = o.if_contains("grace_minutes")) s.grace_s = grace->as_int64() * 60;
  std::string cron_error;
  const auto cron = schedule::Cron::parse(s.cron, cron_error);
  if (!cron) problems.push_back({"/cron", cron_error});
  // A cron that fires every few minutes is nearly always a slip ("* 9 * * *" for "0 9 * * *"): each
  // occurrence may reach a whole district.
  else if (const auto gap = cron->shortest_gap(); gap < kShortestGap)
    problems.push_back({"/cron", "runs " + std::to_string(gap.count()) + " minute(s) after an occurrence; occurrences must be at least " +
                                     std::to_string(kShortestGap.count()) + " minutes apart (\"0 9 * * *\" is every day at 09:00)"});
  const json::value* request_body = nullptr;
  // By index: GCC 12 cannot keep a range-for's array reference in a coroutine frame.
  for (std::size_t k = 0; k < std::size(kTargets); ++k)
    if (const auto* v = o.if_contains(kTargets[k].kind)) {
      if (!s.kind.empty()) problems.push_back({std::string("/") + kTargets[k].kind, "give one of broadcast, report_reminder and meeting_reminder"});
      s.kind = kTargets[k].kind;
      request_body = v;
    }
  if (s.kind.empty()) problems.push_back({"", "give what each occurrence does: broadcast, report_reminder or meeting_reminder"});
  if (s.kind == "meeting_reminder") {
    s.meeting = std::string(request_body->as_object().at("meeting").as_string());
    const auto* inner = request_body->as_object().if_contains("request");
    request_body = inner ? inner : &kNoRequest;
  }
  if (!problems.empty()) co_return pointer_problem("Invalid schedule", problems);
  // The request each occurrence makes is held to its own route's schema
  // now, so that a mistake is told today, not at 09:00 tomorrow.
  const auto* target = target_of(s.kind);
  std::string at = "/" + s.kind;
  if (s.kind == "meeting_reminder") at += "/request";
  for (auto& e : openapi::body_rules().check("POST", target->pattern, *request_body)) problems.push_back({at + e.pointer, e.message});
  if (!problems.empty()) co_return pointer_problem("Invalid schedule", problems);
  // A broadcast is read as POST /v1/broadcasts reads it, with the maker's
  // scope: an unknown template or unit, or one outside the scope, is told
  // now. Fixed times make no sense in what recurs.
  if (s.kind == "broadcast") {
    const auto index = context.watcher->index();
    if (!index) co_return index_unavailable();
    for (const char* fixed : {"send_at", "expires_at"})
      if (request_body->as_object().contains(fixed))
        problems.push_back({std::string("/broadcast/") + fixed, "a recurring schedule's broadcast is sent at each occurrence: no fixed time"});
    const CallerScope caller(request, index->units());
    const auto messaging = context.messaging();
    auto checks = spec_context(*messaging, std::chrono::system_clock::now());
    checks.scope = &caller.scope();
    auto parsed = broadcast::parse_spec(*request_body, *index, checks);
    if (auto* errors = std::get_if<std::vector<directory::SelectorError>>(&parsed))
      for (auto& e : *errors) problems.push_back({"/broadcast" + e.pointer, e.message, e.unprocessable, e.forbidden});
    if (!problems.empty()) co_return pointer_problem("Invalid schedule", problems);
  }
  // Its author must be allowed what it will do.
  const auto access = auth::access_for("POST", target->pattern);
  if (access && access->permission && !request.principal->permissions.has(*access->permission))
    co_return http::problem(403, "forbidden", "Not permitted",
                            std::string("a schedule of ") + s.kind + " needs the permission " + auth::name(*access->permission) + ", which your profile does not give");
  // A reminder's level, role and unit, or its meeting, as its route would find them now.
  if (s.kind == "report_reminder") {
    if (auto refused = report_reminder_refused(context, request, request_body->as_object(), "/report_reminder", true)) co_return std::move(*refused);
  } else if (s.kind == "meeting_reminder") {
    auto meeting = co_await context.meetings->get(s.meeting);
    if (!meeting) co_return redis_unavailable(meeting.error().message());
    if (!*meeting || !sees_meeting(context, request, **meeting)) co_return not_found("meeting", s.meeting);
  }
  s.body_json = json::serialize(*request_body);
  s.author = request.principal->tag();
  s.created_at = format_utc(std::chrono::system_clock::now());
  const auto first = cron->next_after(std::chrono::system_clock::now());
  if (!first) co_return pointer_problem("Invalid schedule", {{"/cron", "names no time in the next five years"}});
  auto id = co_await context.schedules->add(s);
  if (!id) co_return redis_unavailable(id.error().message());
  s.id = *id;
  // Named before co_await (GCC 12 cannot keep a string literal's array in a coroutine frame).
  std::string first_item = item_id(s.id, *first), kind = "schedule", payload = json::serialize(json::object{{"schedule", s.id}});
  auto planned = co_await context.scheduler->add(std::move(first_item), std::move(kind), *first, std::move(payload));
  if (!planned) co_return redis_unavailable(planned.error().message());
  auto entry = audit_entry(context, request, "schedule_create", s.id);
  entry.unit = home_unit(*request.principal);
  entry.summary = "\"" + audit_text(s.name, 100) + "\", " + s.kind + ", cron \"" + s.cron + "\" IST";
  co_await keep_audit(context, std::move(entry));
  auto response = http::json_response(201, json_text(shown(s)));
  response.headers.emplace_back("Location", "/v1/schedules/" + s.id);
  co_return response;
}

awaitable<http::Response> list(Context context, http::Request& request) {
  Paging paging;
  if (auto refused = read_list_paging(request, paging)) co_return std::move(*refused);
  json::array out;
  if (context.schedules) {
    auto all = co_await context.schedules->all();
    if (!all) co_return redis_unavailable(all.error().message());
    for (const auto& s : *all)
      if (may_see(*request.principal, s)) out.push_back(shown(s));
  }
  co_return http::json_response(200, json_text(paged_list(request, paging, "schedules", std::move(out))));
}

awaitable<http::Response> one(Context context, http::Request& request) {
  const auto id = request.params["id"];
  if (!context.schedules) co_return not_found("schedule", id);
  auto s = co_await context.schedules->get(id);
  if (!s) co_return redis_unavailable(s.error().message());
  if (!*s || !may_see(*request.principal, **s)) co_return not_found("schedule", id);
  co_return http::json_response(200, json_text(shown(**s)));
}

awaitable<http::Response> remove(Context context, http::Request& request) {
  const auto id = request.params["id"];
  if (!context.schedules) co_return not_found("schedule", id);
  auto s = co_await context.schedules->get(id);
  if (!s) co_return redis_unavailable(s.error().message());
  if (!*s || !may_see(*request.principal, **s)) co_return not_found("schedule", id);
  auto removed = co_await context.schedules->remove(id);
  if (!removed) co_return redis_unavailable(removed.error().message());
  auto entry = audit_entry(context, request, "schedule_delete", id);
  entry.unit = home_unit(*request.principal);
  entry.summary = "\"" + audit_text((*s)->name, 100) + "\"";
  co_await keep_audit(context, std::move(entry));
  co_return http::json_response(200, json_text(json::object{{"id", id}, {"deleted", true}}));
}

// What an occurrence's request was answered, in a few words for `last`.
std::string outcome_of(const http::Response& response) {
  boost::system::error_code ec;
  auto body = json::parse(response.body, ec);
  const auto* o = ec ? nullptr : body.if_object();
  auto text = [&](const char* key) {
    const auto* v = o ? o->if_contains(key) : nullptr;
    return v && v->is_string() ? std::string(v->as_string()) : std::string();
  };
  if (response.status == 202 || response.status == 201) {
    if (auto approval = text("approval"); !approval.empty()) return "held for approval as " + approval;
    if (auto made = text("reminder"); !made.empty()) return "made " + made;
    return "made " + text("id");
  }
  return "refused " + std::to_string(response.status) + ": " + text("detail").substr(0, 200);
}

// One occurrence, run by the durable scheduler.
awaitable<std::string> run_occurrence(Context context, const http::Router* router, schedule::Item item) {
  boost::system::error_code ec;
  auto payload = json::parse(item.payload, ec);
  if (ec || !payload.is_object() || !payload.as_object().contains("schedule")) co_return "";  // nothing to run
  const std::string id(payload.as_object().at("schedule").as_string());
  auto found = co_await context.schedules->get(id);
  if (!found) co_return "redis: " + found.error().message();
  if (!*found) co_return "";  // deleted: its chain ends here
  auto s = std::move(**found);
  std::string cron_error;
  const auto cron = schedule::Cron::parse(s.cron, cron_error);
  if (!cron) co_return "";
  const auto now = std::chrono::system_clock::now();
  auto plan = schedule::plan_occurrence(*cron, item.due, now, std::chrono::seconds(s.grace_s));
  // Never the same occurrence again: the next is after the one this item
  // is named for (its time is in its id), whatever its due time became.
  const auto at = item.id.rfind('@');
  long long nominal_ms = 0;
  if (at != std::string::npos) std::from_chars(item.id.data() + at + 1, item.id.data() + item.id.size(), nominal_ms);
  const SysTime nominal{std::chrono::milliseconds(nominal_ms)};
  if (plan.next && *plan.next <= nominal) plan.next = cron->next_after(nominal);
  // The next first: whatever becomes of this one, the schedule goes on.
  if (plan.next) {
    std::string next_item = item_id(s.id, *plan.next), kind = "schedule";
    auto planned = co_await context.scheduler->add(std::move(next_item), std::move(kind), *plan.next, item.payload);
    if (!planned) co_return "redis: " + planned.error().message();
  }
  // An instance just started has not read the directory yet: tried again
  // (by the scheduler, with backoff), not refused for an unknown unit. The
  // next occurrence is planned already, whatever becomes of this one.
  if (!context.watcher->index()) co_return "the directory index is not loaded yet";
  s.last_occurrence = format_utc(item.due);
  s.last_at = format_utc(now);
  if (!plan.run) {
    const auto late = std::chrono::duration_cast<std::chrono::minutes>(now - item.due).count();
    s.last_outcome = "skipped: " + std::to_string(late) + " min late, over its grace of " + std::to_string(s.grace_s / 60) + " min";
    context.log->warn("schedule", s.id + " occurrence of " + s.last_occurrence + " " + s.last_outcome);
  } else {
    auto author = co_await principal_now(context, s.author);
    if (auto* refused = std::get_if<http::Response>(&author)) {
      if (refused->status == 503) co_return "redis away";
      s.last_outcome = outcome_of(*refused);
    } else {
      http::Request request;
      request.method = "POST";
      request.path = request.target = path_of(s);
      request.body = s.body_json;
      request.headers = {{"content-type", "application/json"}, {"idempotency-key", "plan:" + item.id}};
      request.peer = "schedule " + s.id;
      request.principal = std::get<std::shared_ptr<const auth::Principal>>(author);
      request.from_schedule = true;
      const auto* target = target_of(s.kind);
      const auto access = auth::access_for("POST", target ? target->pattern : "");
      auto match = router->match("POST", request.path, &request);
      if (access && access->permission && !request.principal->permissions.has(*access->permission)) {
        s.last_outcome = std::string("not run: its author no longer has the permission ") + auth::name(*access->permission);
      } else if (!match.handler) {
        s.last_outcome = "not run: no route " + request.path;
      } else {
        auto response = co_await (*match.handler)(request);
        if (response.status == 503) co_return "unavailable: " + response.body.substr(0, 200);  // tried again by the scheduler
        s.last_outcome = outcome_of(response);
      }
    }
  }
  if (auto kept = co_await context.schedules->update(s); !kept) co_return "redis: " + kept.error().message();
  co_return "";
}

}  // namespace

void add_schedule_routes(http::Router& router, const Context& context) {
  router.add("POST", "/v1/schedules", [context](http::Request& r) { return create(context, r); });
  router.add("GET", "/v1/schedules", [context](http::Request& r) { return list(context, r); });
  router.add("GET", "/v1/schedules/{id}", [context](http::Request& r) { return one(context, r); });
  router.add("DELETE", "/v1/schedules/{id}", [context](http::Request& r) { return remove(context, r); });
}

void run_schedules(const Context& context, const http::Router& router) {
  if (!context.scheduler || !context.schedules) return;
  context.scheduler->on("schedule", [context, router = &router](const schedule::Item& item) { return run_occurrence(context, router, item); });
}

}  // namespace orgcast::api
