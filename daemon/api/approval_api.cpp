// The two-person rule over HTTP (docs/ACCESS.md, "Two-person rule"):
//   GET  /v1/approvals?state=            requests held for approval the caller may see, newest first,
//                                        each with its frozen audience (count, breakdown, cost, a rendered message)
//   GET  /v1/approvals/{id}              one of them, as listed
//   POST /v1/approvals/{id}/approve      {"reason"?}: runs it (a broadcast, a meeting and its summons, a meeting
//                                        or report reminder) through the same pipeline; never by its author
//   POST /v1/approvals/{id}/reject       {"reason"}: it is never sent
#include <algorithm>
#include <boost/json.hpp>

#include "api/approvals.hpp"
#include "api/author_now.hpp"
#include "api/audit_trail.hpp"
#include "api/caller_scope.hpp"
#include "api/common.hpp"
#include "api/enqueue.hpp"
#include "api/meeting_create.hpp"
#include "api/meeting_notices.hpp"
#include "api/paging.hpp"
#include "api/routes.hpp"
#include "approvals/approval_store.hpp"
#include "auth/auth_store.hpp"
#include "auth/authenticator.hpp"
#include "core/utc_time.hpp"
#include "meetings/meeting_store.hpp"
#include "auth/principal.hpp"
#include "core/text.hpp"
#include "directory_store/watcher.hpp"
#include "core/json_text.hpp"

namespace orgcast::api {

namespace json = boost::json;
using boost::asio::awaitable;

namespace {

json::object approval_json(const approvals::Approval& a) {
  json::object out;
  for (const char* f : {"id", "kind", "state", "author", "root", "created_at", "expires_at", "decided_by", "decided_at", "reason", "last_failure", "broadcast", "meeting"})
    if (auto v = a.field(f); !v.empty()) out[f] = v;
  out["count"] = std::atoll(a.field("count").c_str());
  boost::system::error_code ec;
  if (auto frozen = json::parse(a.field("frozen"), ec); !ec) out["frozen"] = std::move(frozen);
  if (auto body = json::parse(a.field("body"), ec); !ec) out["request"] = std::move(body);
  return out;
}

awaitable<http::Response> list(Context context, http::Request& request) {
  std::string state;
  Paging paging;
  paging.per_page = 50;
  for (const auto& [name, value] : request.query) {
    if (std::string why; read_paging_parameter(name, value, 500, paging, why)) {
      if (!why.empty()) co_return http::problem(400, "invalid-parameter", "Invalid parameter", why);
      continue;
    }
    if (name != "state")
      co_return http::problem(400, "invalid-parameter", "Invalid parameter", "unknown query parameter " + quoted_input(name) + "; expected state, page, per_page, cursor");
    if (value != "pending_approval" && value != "sent" && value != "rejected" && value != "expired" && value != "approved")
      co_return http::problem(400, "invalid-parameter", "Invalid parameter", "state must be pending_approval, approved, sent, rejected or expired");
    state = value;
  }
  if (!context.approvals) co_return http::json_response(200, R"({"approvals":[],"total":0,"next":null})");
  auto all = co_await context.approvals->newest(500);
  if (!all) co_return redis_unavailable(all.error().message());
  json::array out;
  std::size_t matched = 0;
  for (const auto& a : *all)
    if ((state.empty() || a.field("state") == state) && caller_sees(context, request, a.field("root"), a.field("author")))
      if (paging.has(matched++)) out.push_back(approval_json(a));
  co_return http::json_response(200, json_text(json::object{{"approvals", std::move(out)}, {"total", matched}, {"next", next_page_link(request, paging, matched)}}));
}

// One held request, as the listing shows it: where a held 202's Location points.
awaitable<http::Response> one(Context context, http::Request& request) {
  const auto id = request.params["id"];
  if (!context.approvals) co_return not_found("approval", id);
  auto found = co_await context.approvals->get(id);
  if (!found) co_return redis_unavailable(found.error().message());
  if (!*found || !caller_sees(context, request, (*found)->field("root"), (*found)->field("author"))) co_return not_found("approval", id);
  co_return http::json_response(200, json_text(approval_json(**found)));
}

// What an approved request made: a broadcast (a meeting's summons), and the meeting.
struct Ran {
  std::string broadcast, meeting;
  std::size_t recipients = 0;
};
using RunOutcome = std::variant<Ran, http::Response>;

awaitable<std::variant<std::shared_ptr<const auth::Principal>, http::Response>> current_author(Context context, approvals::Approval a) {
  co_return co_await principal_now(context, a.field("author"));
}

RunOutcome ran(const std::variant<Enqueued, http::Response>& queued) {
  if (const auto* refused = std::get_if<http::Response>(&queued)) return *refused;
  const auto& q = std::get<Enqueued>(queued);
  return Ran{q.id, "", q.total - q.skipped};
}

// A broadcast or a report reminder: its request, to the frozen people.
awaitable<RunOutcome> run_broadcast(Context context, std::shared_ptr<const directory::OrgIndex> index, approvals::Approval a, json::value body,
                                    std::vector<std::uint32_t> persons) {
  const auto messaging = context.messaging();
  // Checked as of when it was held: a send_at that has passed while it waited is not a mistake of its author's.
  const auto held_at = parse_rfc3339(a.field("created_at")).value_or(std::chrono::system_clock::now());
  auto parsed = broadcast::parse_spec(body, *index, spec_context(*messaging, held_at));
  if (auto* problems = std::get_if<std::vector<directory::SelectorError>>(&parsed)) co_return pointer_problem("The held request is no longer valid", *problems);
  auto spec = std::get<broadcast::Spec>(std::move(parsed));
  spec.author = a.field("author");
  spec.audience.only_persons = std::move(persons);
  if (spec.send_at && *spec.send_at < std::chrono::system_clock::now()) spec.send_at.reset();  // its time passed while it waited: now
  if (auto kept = a.field("audience_json"); !kept.empty()) spec.audience_json = kept;
  broadcast::Store::IdempotencyHold no_key;
  SliceHook no_hook;  // named: GCC 12 mishandles temporaries with destructors inside a co_await
  co_return ran(co_await enqueue_broadcast(context, index, std::move(spec), std::move(no_key), no_hook));
}

// A meeting's reminder: to the frozen people, unless the meeting was cancelled or has started meanwhile.
awaitable<RunOutcome> run_meeting_reminder(Context context, approvals::Approval a, std::vector<std::uint64_t> mobiles) {
  const auto meeting_id = a.field("meeting");
  auto meeting = co_await context.meetings->get(meeting_id);
  if (!meeting) co_return redis_unavailable(meeting.error().message());
  if (!*meeting) co_return no_meeting(meeting_id);
  if (auto why = meeting_closed(**meeting); why) co_return std::move(*why);
  std::vector<std::string> channels;
  boost::system::error_code ec;
  if (auto given = json::parse(a.field("channels"), ec); !ec && given.is_array())
    for (const auto& c : given.as_array())
      if (c.is_string()) channels.emplace_back(c.as_string());
  const std::string reminder_template = "meeting_reminder";  // named: GCC 12 and temporaries inside a co_await
  broadcast::Store::IdempotencyHold no_key;
  auto queued = co_await message_summoned(context, std::move(**meeting), std::move(mobiles), reminder_template, std::move(no_key), channels);
  auto out = ran(queued);
  if (auto* r = std::get_if<Ran>(&out)) r->meeting = meeting_id;
  co_return out;
}

// A meeting: made now in its author's name, its summons to the frozen people.
awaitable<RunOutcome> run_meeting(Context context, std::shared_ptr<const directory::OrgIndex> index, std::shared_ptr<const auth::Principal> author,
                                  json::value body, std::vector<std::uint32_t> persons, audit::Entry entry) {
  broadcast::Store::IdempotencyHold no_key;
  entry.action = "meeting_create";
  entry.summary = "approved, in the name of " + author->tag();
  auto made = co_await make_meeting(context, index, std::move(body), std::move(no_key), std::move(author), std::move(entry), std::move(persons));
  if (made.status != 201) co_return made;
  boost::system::error_code ec;
  auto shown = json::parse(made.body, ec);
  const auto* o = !ec ? shown.if_object() : nullptr;
  if (!o) co_return made;
  Ran out;
  out.meeting = std::string(o->at("id").as_string());
  out.broadcast = std::string(o->at("summons").as_string());
  out.recipients = static_cast<std::size_t>(o->at("summoned").to_number<long long>());
  co_return out;
}

// The held request run as its author's, to the frozen people; or why not.
awaitable<RunOutcome> run_approved(Context context, std::string id, approvals::Approval a, audit::Entry entry) {
  auto index = context.watcher->index();
  if (!index) co_return index_unavailable();
  auto people = co_await context.approvals->people(id);
  if (!people) co_return redis_unavailable(people.error().message());
  std::vector<std::uint32_t> persons;
  for (auto m : *people)
    if (auto p = index->find_person(m)) persons.push_back(*p);
  std::sort(persons.begin(), persons.end());
  persons.erase(std::unique(persons.begin(), persons.end()), persons.end());
  if (persons.empty()) co_return http::problem(409, "nobody", "Nobody left", "nobody frozen with the request is in the directory now");
  boost::system::error_code ec;
  auto body = json::parse(a.field("body"), ec);
  if (ec) co_return http::problem(500, "internal", "Approval unreadable", "the held request could not be read");
  auto author = co_await current_author(context, a);
  if (auto* refused = std::get_if<http::Response>(&author)) co_return std::move(*refused);
  const auto kind = a.field("kind");
  if (kind == "meeting")
    co_return co_await run_meeting(context, index, std::get<std::shared_ptr<const auth::Principal>>(std::move(author)), std::move(body), std::move(persons),
                                   std::move(entry));
  if (kind == "meeting_reminder") co_return co_await run_meeting_reminder(context, std::move(a), std::move(*people));
  co_return co_await run_broadcast(context, index, std::move(a), std::move(body), std::move(persons));
}

awaitable<http::Response> decide(Context context, http::Request& request, bool approve) {
  const auto id = request.params["id"];
  std::string reason;
  if (!request.body.empty()) {
    http::Response error;
    auto body = parse_json_body(request, error);
    if (!body) co_return error;
    std::vector<directory::SelectorError> problems;
    if (!body->is_object()) problems.push_back({"", "the body must be a JSON object"});
    else {
      directory::reject_unknown_keys(body->as_object(), {"reason"}, "", problems);
      if (const auto* r = body->as_object().if_contains("reason")) {
        if (!r->is_string() || characters(r->as_string()) > 500) problems.push_back({"/reason", "expected a text of at most 500 characters"});
        else reason = std::string(r->as_string());
      }
    }
    if (!problems.empty()) co_return pointer_problem("Invalid decision", problems);
  }
  if (!approve && reason.empty()) co_return pointer_problem("Invalid decision", {{"/reason", "a rejection says why"}});
  if (!context.approvals) co_return not_found("approval", id);
  auto found = co_await context.approvals->get(id);
  if (!found) co_return redis_unavailable(found.error().message());
  if (!*found || !caller_sees(context, request, (*found)->field("root"), (*found)->field("author"))) co_return not_found("approval", id);
  const auto& a = **found;
  // Over its units: the approver's scope holds the audience's root (seeing it as its author is not enough).
  if (!caller_sees(context, request, a.field("root"), ""))
    co_return out_of_scope("the audience's root " + quoted(a.field("root")) + " is outside your scope");
  const auto author_tag = a.field("author"), decider_tag = request.principal->tag();  // named: GCC 12 and temporaries inside a co_await
  auto author = co_await person_behind(context, author_tag);
  if (!author) co_return redis_unavailable(author.error().message());
  auto decider = co_await person_behind(context, decider_tag);
  if (!decider) co_return redis_unavailable(decider.error().message());
  if (*author == *decider || author_tag == decider_tag)
    co_return http::problem(403, "own-request", "Not your own", "the author of a request can never approve or reject it; another person must");
  const std::string state = approve ? "approved" : "rejected";
  const std::string who = request.principal->tag();
  auto decided = co_await context.approvals->decide(id, state, who, reason);
  if (!decided) co_return redis_unavailable(decided.error().message());
  if (*decided == "none") co_return not_found("approval", id);
  if (*decided != "ok") co_return http::problem(409, "decided", "Already " + *decided, "approval " + id + " is " + *decided + "; it cannot be decided now");
  auto entry = audit_entry(context, request, approve ? "approve" : "reject", id);
  entry.unit = a.field("root");
  entry.count = std::atoll(a.field("count").c_str());
  entry.summary = audit_text(reason);
  if (!approve) {
    co_await keep_audit(context, std::move(entry));
    co_return http::json_response(200, json_text(json::object{{"approval", id}, {"state", "rejected"}, {"reason", reason}}));
  }
  // Sent as it was frozen: the held request, to the people frozen with it
  // (those the directory still has), through the same pipeline. If it cannot
  // be sent now, it goes back to pending (it may be approved again) and the
  // answer says why.
  auto outcome = co_await run_approved(context, id, a, entry);
  if (auto* refused = std::get_if<http::Response>(&outcome)) {
    const std::string why = "could not be sent: " + std::string(refused->body.substr(0, 300));
    if (auto reopened = co_await context.approvals->reopen(id, why); !reopened)
      context.log->error("approvals", "approval " + id + " is marked approved but was not sent, and could not be reopened");
    entry.outcome = "failed";
    entry.summary = audit_text(why);
    co_await keep_audit(context, std::move(entry));
    co_return std::move(*refused);
  }
  const auto done = std::get<Ran>(outcome);
  entry.summary = (done.broadcast.empty() ? std::string("nobody left to send to") : "sent as " + done.broadcast) +
                  (done.meeting.empty() ? "" : ", meeting " + done.meeting) + (reason.empty() ? "" : "; " + audit_text(reason));
  co_await keep_audit(context, std::move(entry));
  if (auto kept = co_await context.approvals->sent_as(id, done.broadcast, done.meeting); !kept)  // it is made: its answer stands
    context.log->warn("approvals", "approval " + id + " sent as " + done.broadcast + " but not marked so: " + kept.error().message());
  json::object out{{"approval", id}, {"kind", a.field("kind")}, {"state", "sent"}, {"recipients", done.recipients}};
  out["broadcast"] = done.broadcast.empty() ? json::value(nullptr) : json::value(done.broadcast);
  if (!done.meeting.empty()) out["meeting"] = done.meeting;
  auto response = http::json_response(202, json_text(out));
  if (!done.meeting.empty()) response.headers.emplace_back("Location", "/v1/meetings/" + done.meeting);
  else if (!done.broadcast.empty()) response.headers.emplace_back("Location", "/v1/broadcasts/" + done.broadcast);
  co_return response;
}

}  // namespace

void add_approval_routes(http::Router& router, const Context& context) {
  router.add("GET", "/v1/approvals", [context](http::Request& r) { return list(context, r); });
  router.add("GET", "/v1/approvals/{id}", [context](http::Request& r) { return one(context, r); });
  router.add("POST", "/v1/approvals/{id}/approve", [context](http::Request& r) { return decide(context, r, true); });
  router.add("POST", "/v1/approvals/{id}/reject", [context](http::Request& r) { return decide(context, r, false); });
}

}  // namespace orgcast::api
