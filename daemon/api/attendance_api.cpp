// Attendance over HTTP (docs/REPLIES.md, "Attendance"): who came, against
// who was summoned and what they answered; a person's record over the
// year's meetings; a unit's attendance rate — the office's "who comes to
// meetings and who does not". Attendance belongs to the person (mobile).
//   POST /v1/meetings/{id}/attendance          who came: {"mobiles": [...], "contacts": [...]} or a CSV (text/csv)
//   GET  /v1/meetings/{id}/attendance          came, said yes and came, said yes but absent, came without answering
//   GET  /v1/directory/contacts/{id}/attendance  the person's meetings of the last year: summoned, answer, came
//   GET  /v1/directory/units/{id}/attendance     meetings organised in the unit or below, and their attendance rate
#include <boost/json.hpp>
#include <map>

#include "api/audit_trail.hpp"
#include "api/caller_scope.hpp"
#include "api/contact_read_limit.hpp"
#include "api/common.hpp"
#include "api/paging.hpp"
#include "inbound/sender_directory.hpp"
#include "api/routes.hpp"
#include "core/text.hpp"
#include "directory/phone.hpp"
#include "directory_store/watcher.hpp"
#include "meetings/attendance_list.hpp"
#include "meetings/meeting_store.hpp"
#include "core/json_text.hpp"

namespace orgcast::api {

namespace json = boost::json;
using boost::asio::awaitable;

namespace {

constexpr auto kYear = std::chrono::hours(24 * 366);

json::object attendance_json(const meetings::MeetingStore::Attendance& a) {
  return json::object{{"recorded", a.recorded},
                      {"summoned", a.summoned},
                      {"came", a.came},
                      {"said_yes_and_came", a.yes_and_came},
                      {"said_yes_but_absent", a.yes_but_absent},
                      {"came_without_answering", a.came_without_answering},
                      {"came_not_summoned", a.came_unsummoned}};
}

awaitable<http::Response> record(Context context, http::Request& request) {
  const auto id = request.params["id"];
  auto index = context.watcher->index();
  if (!index) co_return index_unavailable();
  const auto type = request.header("content-type").value_or("application/json");
  if (type.find("json") == std::string_view::npos && type.find("csv") == std::string_view::npos)
    co_return http::problem(415, "unsupported-media-type", "Unsupported media type", "send application/json or text/csv");
  auto read = meetings::read_attendance(type, request.body);
  if (auto* problems = std::get_if<std::vector<directory::SelectorError>>(&read)) co_return pointer_problem("Invalid attendance", *problems);
  auto meeting = co_await context.meetings->get(id);
  if (!meeting) co_return redis_unavailable(meeting.error().message());
  if (!*meeting || !sees_meeting(context, request, **meeting)) co_return no_meeting(id);
  if ((**meeting).field("state") == "cancelled") co_return http::problem(409, "cancelled", "Meeting cancelled", "meeting " + id + " was cancelled");
  // Each to the person: a contact id is a post; the person is its mobile.
  std::vector<std::uint64_t> mobiles;
  json::array unmatched;
  std::size_t unmatched_count = 0;
  // Only people in the caller's scope: one outside it is unmatched, as if the directory lacked them.
  const CallerScope caller(request, index->units());
  auto in_scope = [&](std::uint64_t m) {
    if (caller.scope().whole()) return true;
    const auto sender = context.senders ? context.senders->find(std::to_string(m)) : std::nullopt;
    return sender && sender->index == index && caller.first_reached(sender->posts);
  };
  for (const auto& a : std::get<std::vector<meetings::Attendee>>(read)) {
    std::optional<std::uint64_t> mobile;
    if (a.contact) {
      if (auto placed = reachable_contact(context, caller, *index, a.given)) mobile = index->person_mobile(placed->ref.person);
    } else if (auto m = phone::normalise_indian_mobile(a.given); m && index->find_person(*m) && in_scope(*m)) {
      mobile = *m;
    }
    if (mobile) mobiles.push_back(*mobile);
    else if (++unmatched_count <= 100) unmatched.push_back(json::object{{"at", a.pointer}, {"given", quoted_input(a.given, 64)}});
  }
  auto added = co_await context.meetings->record_attendance(id, std::move(mobiles));
  if (!added) co_return redis_unavailable(added.error().message());
  auto summary = co_await context.meetings->attendance(id);
  if (!summary) co_return redis_unavailable(summary.error().message());
  auto out = attendance_json(*summary);
  out["added"] = *added;
  auto recorded = audit_entry(context, request, "attendance", id);
  recorded.unit = (**meeting).field("audience_root");
  recorded.count = static_cast<long long>(*added);
  recorded.summary = std::to_string(unmatched_count) + " unmatched";
  co_await keep_audit(context, std::move(recorded));
  out["unmatched"] = std::move(unmatched);  // the first 100: nobody in the directory
  out["unmatched_count"] = unmatched_count;
  co_return http::json_response(200, json_text(out));
}

awaitable<http::Response> of_meeting(Context context, http::Request& request) {
  const auto id = request.params["id"];
  auto meeting = co_await context.meetings->get(id);
  if (!meeting) co_return redis_unavailable(meeting.error().message());
  if (!*meeting || !sees_meeting(context, request, **meeting)) co_return no_meeting(id);
  auto summary = co_await context.meetings->attendance(id);
  if (!summary) co_return redis_unavailable(summary.error().message());
  co_return http::json_response(200, json_text(attendance_json(*summary)));
}

awaitable<http::Response> of_person(Context context, http::Request& request) {
  const auto& contact = request.params["id"];
  Paging paging;  // the meetings' rows; the totals are over all of them
  if (auto refused = read_list_paging(request, paging)) co_return std::move(*refused);
  auto index = context.watcher->index();
  if (!index) co_return index_unavailable();
  const CallerScope caller(request, index->units());
  if (auto refused = contact_read_refused(context, request)) co_return std::move(*refused);
  const auto placed = reachable_contact(context, caller, *index, contact);
  if (!placed) co_return not_found("contact", contact);
  const auto mobile = index->person_mobile(placed->ref.person);
  const auto now = std::chrono::system_clock::now();
  auto found = co_await context.meetings->starting_between(now - kYear, now + kYear);
  if (!found) co_return redis_unavailable(found.error().message());
  std::vector<std::string> ids;
  std::map<std::string, const meetings::Meeting*> by_id;
  for (const auto& m : *found) ids.push_back(m.field("id")), by_id[m.field("id")] = &m;
  auto parts = co_await context.meetings->parts_of(mobile, ids);
  if (!parts) co_return redis_unavailable(parts.error().message());
  json::array rows;
  long long taken = 0, came = 0;
  for (const auto& p : *parts) {
    const auto& m = *by_id[p.meeting];
    if (!sees_meeting(context, request, m)) continue;
    json::object row{{"meeting", p.meeting},      {"title", m.field("title")}, {"starts_at", m.field("starts_at")},
                     {"summoned", p.summoned},    {"answer", p.answer.empty() ? "none" : p.answer},
                     {"attendance_taken", p.taken}};
    if (p.taken) row["came"] = p.came;
    if (p.taken && p.summoned) ++taken, came += p.came;
    rows.push_back(std::move(row));
  }
  auto out = paged_list(request, paging, "meetings", std::move(rows));
  out["contact"] = contact;
  out["mobile"] = caller.mobile("+" + std::to_string(mobile), placed->unit);
  out["summoned_with_attendance_taken"] = taken;
  out["came"] = came;
  out["rate"] = taken ? static_cast<double>(came) / static_cast<double>(taken) : 0.0;
  co_return http::json_response(200, json_text(out));
}

awaitable<http::Response> of_unit(Context context, http::Request& request) {
  const auto& unit_id = request.params["id"];
  Paging paging;  // the meetings' rows; the totals are over all of them
  if (auto refused = read_list_paging(request, paging)) co_return std::move(*refused);
  auto index = context.watcher->index();
  if (!index) co_return index_unavailable();
  const auto& units = index->units();
  const auto unit = units.find(unit_id);
  if (unit == directory::kNoUnit || !CallerScope(request, units).reaches(unit)) co_return not_found("unit", unit_id);
  const auto now = std::chrono::system_clock::now();
  auto found = co_await context.meetings->starting_between(now - kYear, now + kYear);
  if (!found) co_return redis_unavailable(found.error().message());
  json::array rows;
  long long summoned = 0, came = 0;
  for (const auto& m : *found) {
    if (!sees_meeting(context, request, m)) continue;
    const auto organiser = units.find(m.field("organiser"));
    if (organiser == directory::kNoUnit || organiser < unit || organiser >= units.subtree_end(unit)) continue;
    const auto meeting_id = m.field("id");  // named: GCC 12 and temporaries inside a co_await
    auto a = co_await context.meetings->attendance(meeting_id);
    if (!a) co_return redis_unavailable(a.error().message());
    if (!a->recorded) continue;  // no attendance taken: no rate
    const auto came_summoned = a->came - a->came_unsummoned;
    summoned += a->summoned;
    came += came_summoned;
    rows.push_back(json::object{{"meeting", m.field("id")}, {"title", m.field("title")}, {"starts_at", m.field("starts_at")},
                                {"summoned", a->summoned}, {"came", came_summoned},
                                {"rate", a->summoned ? static_cast<double>(came_summoned) / static_cast<double>(a->summoned) : 0.0}});
  }
  auto out = paged_list(request, paging, "meetings", std::move(rows));
  out["unit_id"] = unit_id;
  out["summoned"] = summoned;
  out["came"] = came;
  out["rate"] = summoned ? static_cast<double>(came) / static_cast<double>(summoned) : 0.0;
  co_return http::json_response(200, json_text(out));
}

}  // namespace

void add_attendance_routes(http::Router& router, const Context& context) {
  router.add("POST", "/v1/meetings/{id}/attendance", [context](http::Request& r) { return record(context, r); });
  router.add("GET", "/v1/meetings/{id}/attendance", [context](http::Request& r) { return of_meeting(context, r); });
  router.add("GET", "/v1/directory/contacts/{id}/attendance", [context](http::Request& r) { return of_person(context, r); });
  router.add("GET", "/v1/directory/units/{id}/attendance", [context](http::Request& r) { return of_unit(context, r); });
}

}  // namespace orgcast::api
