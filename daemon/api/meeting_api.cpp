// Meetings over HTTP (docs/REPLIES.md, "Meetings"):
//   POST  /v1/meetings               201: the meeting, its code and its summons broadcast, queued
//   GET   /v1/meetings               ?date=&unit=&page=&per_page=: meetings by start, with their tallies
//   GET   /v1/meetings/{id}          the meeting and its tally (api/meeting_tally): overall and per unit below the organiser
//   GET   /v1/meetings/{id}/events   the tally live (server-sent events), until the meeting ends or is cancelled
//   PATCH /v1/meetings/{id}          moved (starts_at, ends_at, venue): a notice to everyone summoned
//   POST  /v1/meetings/{id}/cancel   cancelled: a notice to everyone summoned
//   POST  /v1/meetings/{id}/remind   a reminder to those who have not answered (Idempotency-Key); {"who": "not_delivered"}:
//                                    to those the summons did not reach, through the channels it did not try
//   GET   /v1/meetings/{id}/people   ?answer=yes|no|none&page=&per_page=&format=csv: who was summoned and what they answered
#include <algorithm>
#include <boost/json.hpp>
#include <stdexcept>
#include <charconv>
#include <cstring>

#include "api/approvals.hpp"
#include "api/audit_trail.hpp"
#include "api/caller_scope.hpp"
#include "api/common.hpp"
#include "auth/principal.hpp"
#include "api/enqueue.hpp"
#include "api/event_stream.hpp"
#include "api/meeting_create.hpp"
#include "api/meeting_tally.hpp"
#include "api/meeting_notices.hpp"
#include "api/paging.hpp"
#include "api/routes.hpp"
#include "api/send_quota.hpp"
#include "core/run_on.hpp"
#include "directory/resolver.hpp"
#include "core/text.hpp"
#include "core/utc_time.hpp"
#include "broadcast/spec.hpp"
#include "broadcast/store.hpp"
#include "directory_store/store.hpp"
#include "directory_store/watcher.hpp"
#include "inbound/sender_directory.hpp"
#include "meetings/meeting_spec.hpp"
#include "meetings/meeting_store.hpp"
#include "meetings/reply_link.hpp"
#include "redis/client.hpp"
#include "core/json_text.hpp"

namespace orgcast::api {

namespace json = boost::json;
using boost::asio::awaitable;

namespace {

json::object meeting_json(const meetings::Meeting& m, const broadcast::BroadcastInfo* summons, const directory::OrgIndex* index) {
  json::object out;
  for (const auto& [field, value] : m.fields) out[field] = value;
  for (const char* kept : {"venue_json", "channels_json", "reminders_json"}) {  // shown as JSON, not as text
    if (auto it = m.fields.find(kept); it != m.fields.end()) {
      boost::system::error_code ec;
      auto value = json::parse(it->second, ec);
      out.erase(kept);
      const std::string name(kept, std::strlen(kept) - 5);
      if (!ec) out[name == "venue" ? "venue_by_language" : name] = std::move(value);
    }
  }
  if (auto it = m.fields.find("title_json"); it != m.fields.end()) {  // given one per language
    boost::system::error_code ec;
    if (auto title = json::parse(it->second, ec); !ec) out["title"] = std::move(title);
    out.erase("title_json");
  }
  if (auto it = m.fields.find("code"); it != m.fields.end()) out["code"] = std::stoll(it->second);
  out["tally"] = meeting_tally(m, summons, index);
  return out;
}

// The meeting with its tally: its summons broadcast read for who it did not reach.
awaitable<redis::Result<json::object>> meeting_with_tally(Context context, meetings::Meeting m) {
  std::optional<broadcast::BroadcastInfo> summons;
  if (const auto id = m.field("summons"); !id.empty()) {
    auto info = co_await context.broadcasts->get(id);
    if (!info) co_return info.error();
    summons = std::move(*info);
  }
  auto index = context.watcher->index();
  co_return meeting_json(m, summons ? &*summons : nullptr, index.get());
}


// What an Idempotency-Key made before: the meeting of that summons.
awaitable<http::Response> replay_meeting(Context context, std::string summons) {
  auto id = co_await context.meetings->meeting_of_summons(summons);
  if (!id) co_return redis_unavailable(id.error().message());
  auto in_progress = [] { return http::problem(409, "in-progress", "Request in progress", "the meeting is still being made; retry in a moment"); };
  if (id->empty()) co_return in_progress();
  const std::string meeting_id = *id;
  auto meeting = co_await context.meetings->get(meeting_id);
  if (!meeting) co_return redis_unavailable(meeting.error().message());
  if (!*meeting) co_return in_progress();
  const auto& fields = (*meeting)->fields;
  json::object body{{"id", *id}, {"summons", summons}, {"idempotent_replay", true}};
  if (auto it = fields.find("code"); it != fields.end()) body["code"] = std::stoll(it->second);
  auto response = http::json_response(201, json_text(body));
  response.headers.emplace_back("Location", "/v1/meetings/" + *id);
  co_return response;
}

awaitable<http::Response> create(Context context, http::Request& request) {
  auto index = context.watcher->index();
  if (!index) co_return index_unavailable();
  if (!context.redis->connected()) co_return redis_unavailable(context.redis->status());
  http::Response error;
  auto body = parse_json_body(request, error);
  if (!body) co_return error;
  // With an Idempotency-Key, a retry gets the meeting the first request made, never a second.
  std::function<awaitable<http::Response>(std::string)> replay_made = [context](std::string summons) {
    return replay_meeting(context, std::move(summons));
  };
  auto claimed = co_await claim_idempotency_key(context, request, *body, replay_made);
  if (auto* answer = std::get_if<http::Response>(&claimed)) co_return std::move(*answer);
  auto hold = std::get<broadcast::Store::IdempotencyHold>(std::move(claimed));
  auto made = audit_entry(context, request, "meeting_create");
  auto answer = co_await make_meeting(context, index, std::move(*body), hold, request.principal, std::move(made));
  // Anything but a meeting made gives the key back: a retry need not wait for its lease.
  if (answer.status != 201 && !hold.key.empty()) co_await context.broadcasts->release_idempotency_key(hold);
  co_return answer;
}

}  // namespace

awaitable<http::Response> make_meeting(Context context, std::shared_ptr<const directory::OrgIndex> index, json::value request_body,
                                       broadcast::Store::IdempotencyHold hold, std::shared_ptr<const auth::Principal> principal,
                                       audit::Entry entry, std::vector<std::uint32_t> frozen) {
  const auto* body = &request_body;
  const auto now = std::chrono::system_clock::now();
  auto parsed = meetings::parse_meeting(*body, *index, now);
  if (auto* problems = std::get_if<std::vector<directory::SelectorError>>(&parsed)) co_return pointer_problem("Invalid meeting", *problems);
  auto meeting = std::get<meetings::MeetingSpec>(std::move(parsed));
  // The summons is a broadcast, checked as one; its problems are named where the meeting's body has them.
  const auto messaging = context.messaging();
  auto checks = spec_context(*messaging, now);
  checks.for_meeting = true;
  const CallerScope caller(principal.get(), index->units());
  checks.scope = &caller.scope();
  if (!caller.reaches(meeting.organiser))
    co_return pointer_problem("Invalid meeting", {{"/organiser", "the unit " + quoted(meeting.organiser) + " is outside your scope", false, true}});
  meeting.author = principal->tag();
  // The one-tap link, where the template has it: checked (length, DLT) as a
  // stand-in of its length, each recipient's own put in at dispatch.
  const auto* summons_template = meeting.summons.contains("template") && meeting.summons.at("template").is_string()
                                     ? messaging->catalog.find(meeting.summons.at("template").as_string())
                                     : nullptr;
  auto has = [&](const char* variable) { return summons_template && summons_template->value->variable_index(variable) >= 0; };
  const bool with_link = !context.link_base.empty() && (has("meeting.link") || has("meeting.link_token"));
  if (with_link) {
    const std::string stand_in(meetings::kLinkTokenStandIn);
    auto& variables = meeting.summons["variables"].as_object();
    if (has("meeting.link")) variables["meeting.link"] = context.link_base + "/r/" + stand_in;
    if (has("meeting.link_token")) variables["meeting.link_token"] = stand_in;
  }
  auto summons = broadcast::parse_spec(json::value(meeting.summons), *index, checks);
  if (auto* problems = std::get_if<std::vector<directory::SelectorError>>(&summons)) {
    std::vector<directory::SelectorError> moved;
    for (auto& p : *problems) moved.push_back(meetings::in_meeting_terms(std::move(p)));
    co_return pointer_problem("Invalid meeting", moved);
  }
  // An audience that reaches nobody makes no meeting (and takes no code).
  auto spec = std::get<broadcast::Spec>(std::move(summons));
  // How many it reaches, and the unit the tally is broken down below: the
  // organiser when it holds the whole audience, else the audience's root.
  const auto& units = index->units();
  const auto organiser = units.find(meeting.organiser);
  auto reach = [&] {
    auto resolution = directory::resolve(*index, spec.audience);
    const auto root = directory::summarize(*index, spec.audience, resolution, 0).root;
    const bool held = organiser != directory::kNoUnit && root != directory::kNoUnit && root >= organiser && root < units.subtree_end(organiser);
    return std::make_tuple(resolution.posts.size(), held ? organiser : root, root);
  };
  if (!frozen.empty()) spec.audience.only_persons = frozen;  // approved: exactly the people it was approved for
  const auto [reached, tally_root, audience_root] = co_await run_on(context.compute, std::move(reach));
  if (audience_root != directory::kNoUnit) meeting.audience_root = std::string(units.id(audience_root));
  if (reached == 0) co_return co_await explain_empty_audience(context, index, spec.audience);
  if (tally_root != directory::kNoUnit) meeting.tally_root = std::string(units.id(tally_root));
  // The daily quota, and over the caller's threshold a second person's
  // approval (then the meeting is made when it is approved).
  QuotaTaken taken;
  if (frozen.empty()) {
    Holdable held{"meeting", request_body, {}, hold, entry};
    auto ruled = co_await apply_send_rules(context, principal, index, spec, std::move(held));
    if (auto* answer = std::get_if<http::Response>(&ruled)) co_return std::move(*answer);
    taken = std::get<QuotaTaken>(ruled);
  }
  auto made = co_await context.meetings->create(meeting);
  if (!made) {
    co_await give_back_send_quota(context, taken);
    co_return redis_unavailable(made.error().message());
  }
  const auto [id, code] = *made;
  if (code == 0) {
    co_await give_back_send_quota(context, taken);
    co_return http::problem(409, "codes-exhausted", "No meeting code free",
                            "every meeting code (10-999) is held by a meeting that ended less than 30 days ago or has not ended");
  }
  // The summons as sent: with the meeting's code (checked above with the widest).
  meetings::with_code(meeting, code);
  spec = std::get<broadcast::Spec>(broadcast::parse_spec(json::value(meeting.summons), *index, checks));
  if (with_link) spec.content.link_meeting = static_cast<std::uint32_t>(std::stoul(id.substr(1)));
  spec.author = meeting.author;
  if (!frozen.empty()) spec.audience.only_persons = std::move(frozen);
  spec.breakdown_under = tally_root;  // its per-unit counts (who it did not reach) are the tally's units
  // Who is summoned is kept as each slice of the summons is written: a
  // reply is matched against it. Every argument below is a named object:
  // GCC 12 mishandles temporaries with destructors inside a co_await.
  auto store = context.meetings;
  SliceHook keep_summoned = [store, id, index, tally_root](std::string, std::vector<std::uint64_t> mobiles,
                                                          std::vector<std::uint32_t> posts_units) -> awaitable<bool> {
    std::map<std::string, long long> per_unit;  // summoned per unit below the tally's root
    const auto& all = index->units();
    for (auto u : posts_units) {
      while (u != directory::kNoUnit && u != tally_root && all.parent(u) != tally_root) u = all.parent(u);
      if (u != directory::kNoUnit && tally_root != directory::kNoUnit) ++per_unit[std::string(all.id(u))];
    }
    co_return static_cast<bool>(co_await store->add_summoned(id, std::move(mobiles), std::move(per_unit)));
  };
  auto queued = co_await enqueue_broadcast(context, index, std::move(spec), std::move(hold), keep_summoned);
  if (auto* refused = std::get_if<http::Response>(&queued)) {
    co_await context.meetings->summons_failed(id, code);  // no code held, nobody's reply goes to it
    co_await give_back_send_quota(context, taken);
    co_return std::move(*refused);
  }
  const auto& q = std::get<Enqueued>(queued);
  // The meeting and its summons are made: what could not be kept after is a
  // warning (a retry of the POST would summon everyone again), not a 503.
  std::string warning;
  if (auto set = co_await context.meetings->summons_queued(id, q.id); !set)
    warning = "the meeting could not be marked summoned (" + set.error().message() + "); its summons " + q.id + " is queued";
  if (auto planned = co_await plan_reminders(context, id, meeting.starts_at_text, meeting.reminders_text); !planned)
    warning += std::string(warning.empty() ? "" : "; ") + "the reminder plan could not be kept (" + planned.error().message() + "); remind with POST /v1/meetings/" + id + "/remind";
  entry.target = id;
  entry.unit = meeting.audience_root;
  entry.count = static_cast<long long>(q.total - q.skipped);
  entry.summary = "summons " + q.id + ", code " + std::to_string(code);
  co_await keep_audit(context, std::move(entry));
  json::object made_json{{"id", id}, {"code", code}, {"summons", q.id}, {"summoned", q.total - q.skipped}, {"skipped", q.skipped}};
  if (!warning.empty()) made_json["warning"] = warning;
  auto response = http::json_response(201, json_text(made_json));
  response.headers.emplace_back("Location", "/v1/meetings/" + id);
  co_return response;
}

namespace {

// ?date=YYYY-MM-DD (a day in IST; else from yesterday on), ?unit=<id>
// (organised in that unit or below), ?page=&per_page= (50, at most 500) or the `next` link's cursor.
awaitable<http::Response> list(Context context, http::Request& request) {
  auto index = context.watcher->index();
  if (!index) co_return index_unavailable();
  const auto now = std::chrono::system_clock::now();
  auto from = now - std::chrono::hours(24), to = now + std::chrono::hours(24 * 367);
  std::uint32_t unit = directory::kNoUnit;
  Paging paging;
  paging.per_page = 50;
  auto bad = [](const std::string& what) { return http::problem(400, "invalid-parameter", "Invalid parameter", what); };
  for (const auto& [name, value] : request.query) {
    if (name == "date") {
      auto day = value.size() == 10 ? parse_rfc3339(value + "T00:00:00+05:30") : std::nullopt;
      if (!day) co_return bad("date must be a day such as 2026-12-01, not " + quoted_input(value));
      from = *day;
      to = *day + std::chrono::hours(24);
    } else if (name == "unit") {
      // A unit the directory lacks and one outside the scope are answered alike, as every listing's ?unit= is.
      unit = index->units().find(value);
      if (unit == directory::kNoUnit || !CallerScope(request, index->units()).reaches(unit)) co_return not_found("unit", value);
    } else if (std::string why; read_paging_parameter(name, value, 500, paging, why)) {
      if (!why.empty()) co_return bad(why);
    } else {
      co_return bad("unknown query parameter " + quoted_input(name) + "; expected date, unit, page, per_page, cursor");
    }
  }
  auto found = co_await context.meetings->starting_between(from, to);
  if (!found) co_return redis_unavailable(found.error().message());
  const auto& units = index->units();
  json::array out;
  std::size_t matched = 0;
  for (const auto& m : *found) {
    if (!sees_meeting(context, request, m)) continue;
    if (unit != directory::kNoUnit) {
      auto it = m.fields.find("organiser");
      const auto organiser = it == m.fields.end() ? directory::kNoUnit : units.find(it->second);
      if (organiser == directory::kNoUnit || organiser < unit || organiser >= units.subtree_end(unit)) continue;
    }
    if (!paging.has(matched++)) continue;
    auto shown = co_await meeting_with_tally(context, m);
    if (!shown) co_return redis_unavailable(shown.error().message());
    out.push_back(std::move(*shown));
  }
  co_return http::json_response(200, json_text(json::object{{"meetings", std::move(out)},
                                                            {"total", matched},
                                                            {"page", paging.page_shown()},
                                                            {"per_page", paging.per_page},
                                                            {"next", next_page_link(request, paging, matched)}}));
}

awaitable<http::Response> show(Context context, http::Request& request) {
  const auto& id = request.params["id"];
  auto meeting = co_await context.meetings->get(id);
  if (!meeting) co_return redis_unavailable(meeting.error().message());
  if (!*meeting || !sees_meeting(context, request, **meeting)) co_return no_meeting(id);
  auto shown = co_await meeting_with_tally(context, std::move(**meeting));
  if (!shown) co_return redis_unavailable(shown.error().message());
  co_return http::json_response(200, json_text(*shown));
}

// The meeting and its tally whenever it changes; done once the meeting has ended or was cancelled.
awaitable<http::Response> events(Context context, http::Request& request) {
  const auto id = request.params["id"];
  auto meeting = co_await context.meetings->get(id);
  if (!meeting) co_return redis_unavailable(meeting.error().message());
  if (!*meeting || !sees_meeting(context, request, **meeting)) co_return no_meeting(id);
  SnapshotReader read = [context, id]() -> awaitable<std::optional<Snapshot>> {
    auto now = co_await context.meetings->get(id);
    if (!now || !*now) co_return std::nullopt;
    const auto ends = parse_rfc3339((*now)->field("ends_at"));
    const bool over = (*now)->field("state") == "cancelled" || (ends && *ends < std::chrono::system_clock::now());
    auto shown = co_await meeting_with_tally(context, std::move(**now));
    if (!shown) co_return std::nullopt;
    co_return Snapshot{json_text(*shown), over};
  };
  co_return event_stream(std::move(read), std::string(request.header("last-event-id").value_or("").substr(0, 64)));
}

// An optional JSON object body with at most these keys ({} when empty).
std::optional<json::value> optional_body(http::Request& request, const std::vector<std::string>& keys, http::Response& error) {
  if (request.body.empty()) return json::value(json::object{});
  auto body = parse_json_body(request, error);
  if (!body) return std::nullopt;
  std::vector<directory::SelectorError> problems;
  if (!body->is_object()) problems.push_back({"", "the body must be a JSON object"});
  else directory::reject_unknown_keys(body->as_object(), keys, "", problems);
  if (!problems.empty()) {
    error = pointer_problem("Invalid request", problems);
    return std::nullopt;
  }
  return body;
}

// What a notice or reminder came to: its broadcast, or none (nobody to message).
json::object sent(const Queued& queued, const char* as) {
  const auto& q = std::get<Enqueued>(queued);
  if (q.id.empty()) return json::object{{as, nullptr}, {"people", 0}};
  return json::object{{as, q.id}, {"people", q.total - q.skipped}};
}

// {"who": "silent"} (the default): those the summons reached who have not
// answered; {"who": "not_delivered"}: those it reached on no channel,
// through the channels its policy did not have.
awaitable<http::Response> remind(Context context, http::Request& request) {
  const auto id = request.params["id"];
  http::Response error;
  auto body = optional_body(request, {"who"}, error);
  if (!body) co_return error;
  auto who = Remind::silent;
  if (const auto* w = body->as_object().if_contains("who")) {
    if (!w->is_string() || (w->as_string() != "silent" && w->as_string() != "not_delivered"))
      co_return pointer_problem("Invalid request", {{"/who", "expected \"silent\" or \"not_delivered\""}});
    if (w->as_string() == "not_delivered") who = Remind::not_delivered;
  }
  auto meeting = co_await context.meetings->get(id);
  if (!meeting) co_return redis_unavailable(meeting.error().message());
  if (!*meeting || !sees_meeting(context, request, **meeting)) co_return no_meeting(id);
  std::function<awaitable<http::Response>(std::string)> replay_made = [id](std::string broadcast) -> awaitable<http::Response> {
    co_return http::json_response(202, json_text(json::object{{"meeting", id}, {"reminder", broadcast}, {"idempotent_replay", true}}));
  };
  // The key remembers which meeting it reminded: the same key for another meeting is 422.
  const json::value remembered = who == Remind::silent ? json::value(json::object{{"remind", id}})
                                                       : json::value(json::object{{"remind", id}, {"who", "not_delivered"}});
  auto claimed = co_await claim_idempotency_key(context, request, remembered, replay_made);
  if (auto* answer = std::get_if<http::Response>(&claimed)) co_return std::move(*answer);
  auto hold = std::get<broadcast::Store::IdempotencyHold>(std::move(claimed));
  // The daily quota, and over the caller's threshold a second person's approval.
  auto principal = request.principal;
  auto asked = audit_entry(context, request, "remind", id);
  auto root = (*meeting)->field("audience_root");
  if (root.empty()) root = (*meeting)->field("tally_root");  // whose to approve, as sees_meeting reads it
  auto taken = std::make_shared<QuotaTaken>();                // given back if the reminder is not made after all
  SendGate rules = [context, principal, hold, asked, id, root, taken](broadcast::Spec spec, json::value body) -> awaitable<std::optional<http::Response>> {
    auto index = context.watcher->index();
    if (!index) co_return index_unavailable();
    Holdable held{"meeting_reminder", body, {{"meeting", id}, {"root", root}, {"channels", json::serialize(body.at("channels"))}}, hold, asked};
    auto ruled = co_await apply_send_rules(context, principal, index, std::move(spec), std::move(held));
    if (auto* answer = std::get_if<http::Response>(&ruled)) co_return std::move(*answer);
    *taken = std::get<QuotaTaken>(ruled);
    co_return std::nullopt;
  };
  auto queued = co_await remind_silent(context, id, hold, who, rules);
  const bool made = std::holds_alternative<Enqueued>(queued) && !std::get<Enqueued>(queued).id.empty();
  const bool held_for_approval = std::holds_alternative<http::Response>(queued) && std::get<http::Response>(queued).status == 202;
  if (!made && !held_for_approval) {  // a retry need not wait for the lease, nor pay twice
    if (!hold.key.empty()) co_await context.broadcasts->release_idempotency_key(hold);
    co_await give_back_send_quota(context, *taken);
  }
  if (auto* refused = std::get_if<http::Response>(&queued)) co_return std::move(*refused);
  auto out = sent(queued, "reminder");
  out["meeting"] = id;
  if (made) {
    auto reminded = audit_entry(context, request, "remind", id);
    reminded.unit = (*meeting)->field("audience_root");
    reminded.count = out.contains("people") ? out["people"].to_number<long long>() : 0;
    reminded.summary = std::string(who == Remind::silent ? "the silent" : "those not reached") + ", broadcast " + std::get<Enqueued>(queued).id;
    co_await keep_audit(context, std::move(reminded));
  }
  co_return http::json_response(made ? 202 : 200, json_text(out));
}

awaitable<http::Response> cancel(Context context, http::Request& request) {
  const auto id = request.params["id"];
  http::Response error;
  auto body = optional_body(request, {"reason"}, error);
  if (!body) co_return error;
  std::string reason;
  if (const auto* r = body->as_object().if_contains("reason")) {
    if (!r->is_string() || characters(r->as_string()) > 200)
      co_return pointer_problem("Invalid request", {{"/reason", "expected a text of at most 200 characters"}});
    reason = std::string(r->as_string());
  }
  auto meeting = co_await context.meetings->get(id);
  if (!meeting) co_return redis_unavailable(meeting.error().message());
  if (!*meeting || !sees_meeting(context, request, **meeting)) co_return no_meeting(id);
  const auto audience_root = (*meeting)->field("audience_root");  // the meeting is handed on below
  auto cancelled = co_await context.meetings->cancel(id, reason);
  if (!cancelled) co_return redis_unavailable(cancelled.error().message());
  if (*cancelled == 0) co_return http::problem(409, "cancelled", "Meeting already cancelled", "meeting " + id + " is already cancelled");
  // Whatever of the summons is still to go is cancelled too.
  if (auto it = (*meeting)->fields.find("summons"); it != (*meeting)->fields.end() && !it->second.empty()) {
    const auto summons = it->second;
    if (auto stopped = co_await context.broadcasts->cancel(summons); !stopped)
      context.log->warn("meetings", "meeting " + id + " is cancelled but its summons " + summons + " could not be: " + stopped.error().message());
  }
  auto everyone = co_await context.meetings->summoned(id, false);
  if (!everyone) co_return redis_unavailable(everyone.error().message());
  const std::string notice_template = "meeting_cancelled";
  broadcast::Store::IdempotencyHold no_key;
  auto queued = co_await message_summoned(context, std::move(**meeting), std::move(*everyone), notice_template, std::move(no_key));
  if (auto* refused = std::get_if<http::Response>(&queued)) co_return std::move(*refused);
  auto out = sent(queued, "notice");
  out["id"] = id;
  out["state"] = "cancelled";
  auto cancel_entry = audit_entry(context, request, "meeting_cancel", id);
  cancel_entry.unit = audience_root;
  cancel_entry.count = out.contains("people") ? out["people"].to_number<long long>() : 0;
  cancel_entry.summary = reason.empty() ? "no reason given" : "reason: " + audit_text(reason);
  co_await keep_audit(context, std::move(cancel_entry));
  co_return http::json_response(202, json_text(out));
}

awaitable<http::Response> reschedule(Context context, http::Request& request) {
  const auto id = request.params["id"];
  http::Response error;
  auto body = parse_json_body(request, error);
  if (!body) co_return error;
  auto meeting = co_await context.meetings->get(id);
  if (!meeting) co_return redis_unavailable(meeting.error().message());
  if (!*meeting || !sees_meeting(context, request, **meeting)) co_return no_meeting(id);
  auto& fields = (*meeting)->fields;
  if (const auto ended = parse_rfc3339(fields["ends_at"]); ended && *ended < std::chrono::system_clock::now())
    co_return http::problem(409, "ended", "Meeting ended", "meeting " + id + " has ended: it cannot be moved");
  auto parsed = meetings::parse_reschedule(*body, fields["starts_at"], fields["ends_at"], std::chrono::system_clock::now());
  if (auto* problems = std::get_if<std::vector<directory::SelectorError>>(&parsed)) co_return pointer_problem("Invalid change", *problems);
  const auto change = std::get<meetings::Reschedule>(std::move(parsed));
  auto moved = co_await context.meetings->reschedule(id, change);
  if (!moved) co_return redis_unavailable(moved.error().message());
  if (*moved == 0) co_return http::problem(409, "cancelled", "Meeting cancelled", "meeting " + id + " is cancelled: it cannot be moved");
  auto now_moved = co_await context.meetings->get(id);
  if (!now_moved || !*now_moved) co_return redis_unavailable("the meeting could not be read back");
  auto everyone = co_await context.meetings->summoned(id, false);
  if (!everyone) co_return redis_unavailable(everyone.error().message());
  // Its reminder plan, again for the new start (the old items find it moved).
  std::vector<std::string> plan;
  boost::system::error_code ec;
  if (auto kept = json::parse(now_moved->value().fields["reminders_json"], ec); !ec && kept.is_array())
    for (const auto& r : kept.as_array())
      if (r.is_string()) plan.emplace_back(r.as_string());
  if (auto planned = co_await plan_reminders(context, id, change.starts_at_text, plan); !planned)
    co_return redis_unavailable(planned.error().message());
  auto shown = co_await meeting_with_tally(context, **now_moved);
  if (!shown) co_return redis_unavailable(shown.error().message());
  auto out = std::move(*shown);
  const std::string notice_template = "meeting_rescheduled";
  broadcast::Store::IdempotencyHold no_key;
  auto queued = co_await message_summoned(context, std::move(**now_moved), std::move(*everyone), notice_template, std::move(no_key));
  if (auto* refused = std::get_if<http::Response>(&queued)) co_return std::move(*refused);
  for (auto& [k, v] : sent(queued, "notice")) out[k] = v;
  auto moved_entry = audit_entry(context, request, "meeting_change", id);
  moved_entry.unit = fields["audience_root"];
  moved_entry.summary = "starts " + change.starts_at_text;
  co_await keep_audit(context, std::move(moved_entry));
  co_return http::json_response(200, json_text(out));
}

// One person summoned as the people listing shows them: their answer, and
// their post now (the first in the caller's scope), none when they left the directory.
struct PersonShown {
  const meetings::MeetingStore::Answer* answer = nullptr;
  std::string mobile, name, name_hi, contact_id, unit_id;
  bool in_directory = false;
};

// The people of answers [first, last): their posts now (contact ids change
// with re-imports; the answer is the person's), names fetched in one read.
// `now_index`: the index in force, whose units the caller's scope is read against.
awaitable<redis::Result<std::vector<PersonShown>>> people_shown(Context context, std::shared_ptr<const auth::Principal> principal,
                                                                 std::shared_ptr<const directory::OrgIndex> now_index,
                                                                 const std::vector<meetings::MeetingStore::Answer>* matched, std::size_t first,
                                                                 std::size_t last) {
  std::vector<std::optional<inbound::Sender>> senders;
  std::vector<std::uint32_t> records;
  std::shared_ptr<const directory::OrgIndex> index;
  std::optional<CallerScope> reach;  // which of a person's posts is shown: the first in the caller's scope
  for (auto i = first; i < last; ++i) {
    senders.push_back(context.senders->find(std::to_string((*matched)[i].mobile)));
    if (senders.back() && !senders.back()->posts.empty()) {
      if (!index) index = senders.back()->index, reach.emplace(principal.get(), index->units());
      if (senders.back()->index != index) continue;
      auto& posts = senders.back()->posts;
      if (const auto* shown = reach->first_reached(posts)) {
        const auto at = posts.begin() + (shown - posts.data());
        std::rotate(posts.begin(), at, at + 1);
      }
      records.push_back(posts.front().record);
    }
  }
  std::vector<directory::ContactView> views;
  directory_store::FetchedRecords fetched;
  if (index && !records.empty()) {
    auto got = co_await context.store->fetch_raw_records(*index, records);
    if (!got) co_return got.error();
    fetched = std::move(*got);
    views = fetched.views();
  }
  const CallerScope caller(principal.get(), now_index->units());
  std::vector<PersonShown> out;
  std::size_t next_view = 0;
  for (auto i = first; i < last; ++i) {
    const auto& a = (*matched)[i];
    const auto& sender = senders[i - first];
    PersonShown p;
    p.answer = &a;
    const directory::ContactView* view = nullptr;
    if (sender && !sender->posts.empty() && sender->index == index && next_view < views.size()) view = &views[next_view++];
    if (view) {
      p.in_directory = true;
      p.name = view->name, p.name_hi = view->name_hi, p.contact_id = view->id, p.unit_id = view->unit_id;
    }
    // Whole only with view_contacts over the person's unit (one no longer in the directory: masked).
    p.mobile = caller.mobile("+" + std::to_string(a.mobile), view ? view->unit_id : std::string_view());
    out.push_back(std::move(p));
  }
  co_return out;
}

std::string person_csv_row(const PersonShown& p) {
  const auto& a = *p.answer;
  return p.mobile + "," + csv_field(p.name) + "," + csv_field(p.name_hi) + "," + csv_field(p.contact_id) + "," + csv_field(p.unit_id) + "," +
         (a.answer.empty() ? "none" : a.answer) + "," + a.at + "," + a.channel + "\r\n";
}

// A meeting's people as a CSV, a thousand at a time while it is sent.
struct PeopleCsv {
  Context context;
  std::shared_ptr<const auth::Principal> principal;
  std::shared_ptr<const directory::OrgIndex> index;
  std::shared_ptr<const std::vector<meetings::MeetingStore::Answer>> matched;
  std::size_t next_person = 0;

  awaitable<std::optional<std::string>> next() {
    if (next_person >= matched->size()) co_return std::nullopt;
    const auto first = next_person, last = std::min(matched->size(), first + 1000);
    auto shown = co_await people_shown(context, principal, index, matched.get(), first, last);
    if (!shown) throw std::runtime_error("a meeting's people export: " + shown.error().message());  // cut short, not ended
    next_person = last;
    std::string out;
    for (const auto& p : *shown) out += person_csv_row(p);
    co_return std::optional<std::string>(std::move(out));
  }
};

// Everyone summoned, by mobile, with their answer and their current posts
// (names from the directory); filtered by answer; a page as JSON, or everyone as a streamed CSV.
awaitable<http::Response> people(Context context, http::Request& request) {
  const auto id = request.params["id"];
  std::string answer = "all";
  Paging paging;
  paging.per_page = 100;
  bool csv = false;
  auto bad = [](const std::string& what) { return http::problem(400, "invalid-parameter", "Invalid parameter", what); };
  for (const auto& [name, value] : request.query) {
    if (name == "answer") {
      if (value != "yes" && value != "no" && value != "none" && value != "all") co_return bad("answer must be yes, no, none or all, not " + quoted_input(value));
      answer = value;
    } else if (name == "format") {
      if (value != "csv" && value != "json") co_return bad("format must be json or csv, not " + quoted_input(value));
      csv = value == "csv";
    } else if (std::string why; read_paging_parameter(name, value, 10000, paging, why)) {
      if (!why.empty()) co_return bad(why);
    } else {
      co_return bad("unknown query parameter " + quoted_input(name) + "; expected answer, page, per_page, cursor, format");
    }
  }
  auto meeting = co_await context.meetings->get(id);
  if (!meeting) co_return redis_unavailable(meeting.error().message());
  if (!*meeting || !sees_meeting(context, request, **meeting)) co_return no_meeting(id);
  auto all = co_await context.meetings->answers(id);
  if (!all) co_return redis_unavailable(all.error().message());
  auto matched = std::make_shared<std::vector<meetings::MeetingStore::Answer>>();
  for (auto& a : *all)
    if (answer == "all" || a.answer == answer || (answer == "none" && a.answer.empty())) matched->push_back(std::move(a));
  auto now_index = context.watcher->index();
  if (!now_index) co_return index_unavailable();
  const auto first = csv ? 0 : std::min(matched->size(), paging.offset()), last = csv ? matched->size() : std::min(matched->size(), first + paging.per_page);
  if (request.principal->permissions.has(auth::Permission::view_contacts) && last > first) {
    auto exported = audit_entry(context, request, "export_numbers", id);
    exported.unit = (*meeting)->field("audience_root");
    exported.count = static_cast<long long>(last - first);
    exported.summary = std::string("who was summoned") + (csv ? " as CSV" : "") + ", answer " + answer;
    co_await keep_audit(context, std::move(exported));
  }
  if (csv) {  // everyone (a spreadsheet is not paged), streamed
    auto export_state = std::make_shared<PeopleCsv>(PeopleCsv{context, request.principal, now_index, matched, 0});
    co_return csv_stream_response("mobile,name,name_hi,contact_id,unit_id,answer,answered_at,channel\r\n",
                                  [export_state]() { return export_state->next(); }, id + "-people.csv");
  }
  auto shown = co_await people_shown(context, request.principal, now_index, matched.get(), first, last);
  if (!shown) co_return redis_unavailable(shown.error().message());
  json::array rows;
  for (const auto& p : *shown) {
    const auto& a = *p.answer;
    json::object row{{"mobile", p.mobile}, {"answer", a.answer.empty() ? "none" : a.answer}};
    if (p.in_directory) row["name"] = p.name, row["name_hi"] = p.name_hi, row["contact_id"] = p.contact_id, row["unit_id"] = p.unit_id;
    else row["in_directory"] = false;
    if (!a.at.empty()) row["answered_at"] = a.at, row["channel"] = a.channel;
    rows.push_back(std::move(row));
  }
  co_return http::json_response(200, json_text(json::object{{"people", std::move(rows)},
                                                            {"total", matched->size()},
                                                            {"page", paging.page_shown()},
                                                            {"per_page", paging.per_page},
                                                            {"next", next_page_link(request, paging, matched->size())}}));
}

}  // namespace

void add_meeting_routes(http::Router& router, const Context& context) {
  router.add("POST", "/v1/meetings", [context](http::Request& r) { return create(context, r); });
  router.add("GET", "/v1/meetings", [context](http::Request& r) { return list(context, r); });
  router.add("GET", "/v1/meetings/{id}", [context](http::Request& r) { return show(context, r); });
  router.add("PATCH", "/v1/meetings/{id}", [context](http::Request& r) { return reschedule(context, r); });
  router.add("POST", "/v1/meetings/{id}/cancel", [context](http::Request& r) { return cancel(context, r); });
  router.add("POST", "/v1/meetings/{id}/remind", [context](http::Request& r) { return remind(context, r); });
  router.add("GET", "/v1/meetings/{id}/events", [context](http::Request& r) { return events(context, r); });
  router.add("GET", "/v1/meetings/{id}/people", [context](http::Request& r) { return people(context, r); });
}

}  // namespace orgcast::api
