// Broadcasts planned for later, resolved when they start:
//   POST  /v1/broadcasts with a send_at to come   planned here (plan_broadcast)
//   PATCH /v1/broadcasts/{id}   If-Match: its ETag; send_at, expires_at, variables, audience
// and the scheduler's "broadcast_start" items that start them.
#include "api/scheduled_broadcasts.hpp"

#include <boost/json.hpp>
#include <charconv>

#include "api/approvals.hpp"
#include "api/audit_trail.hpp"
#include "api/author_now.hpp"
#include "api/caller_scope.hpp"
#include "api/common.hpp"
#include "api/routes.hpp"
#include "api/send_quota.hpp"
#include "api/visible_broadcast.hpp"
#include "auth/principal.hpp"
#include "auth/route_access.hpp"
#include "core/json_text.hpp"
#include "core/run_on.hpp"
#include "core/text.hpp"
#include "core/utc_time.hpp"
#include "directory/resolver.hpp"
#include "directory_store/watcher.hpp"
#include "schedule/scheduler.hpp"

namespace orgcast::api {
namespace json = boost::json;
using boost::asio::awaitable;
using SysTime = std::chrono::system_clock::time_point;

namespace {

constexpr const char* kStartKind = "broadcast_start";
// A start that comes this late (the daemon was down at its time) is not
// sent: a message hours after its moment does more harm than none.
constexpr std::chrono::minutes kStartGrace{30};
// How long one instance holds a start while it writes the recipients: far
// more than a state-wide audience takes (seconds), so only a dead instance's is taken over.
constexpr std::chrono::minutes kStartLease{10};


// One start per version and time: an edit that lost a race plans an item that finds its time is not the broadcast's.
std::string start_item(const std::string& id, long long version, SysTime at) {
  return "broadcast:" + id + "@" + std::to_string(version) + "@" + std::to_string(epoch_ms(at));
}


// The send_at a broadcast's stored message says (the time of its start).
std::optional<SysTime> planned_send_at(const broadcast::BroadcastInfo& info) { return parse_rfc3339(stored_message_text(info, "send_at")); }

// `suffix`: another item for the same start (a retry planned by the start itself).
awaitable<redis::Result<std::size_t>> plan_start(Context context, std::string id, long long version, SysTime at, SysTime due, std::string suffix) {
  json::object payload{{"id", id}, {"version", version}, {"send_at_ms", epoch_ms(at)}};
  std::string item = start_item(id, version, at) + suffix, kind = kStartKind, body = json::serialize(payload);
  co_return co_await context.scheduler->add(std::move(item), std::move(kind), due, std::move(body));
}

// Whom the audience matches now, and its root unit's id ("" several trees), on the compute pool.
awaitable<std::pair<std::size_t, std::string>> matched_now(Context context, std::shared_ptr<const directory::OrgIndex> index,
                                                            directory::Selector audience) {
  auto count = [index, audience] {
    auto resolution = directory::resolve(*index, audience);
    auto summary = directory::summarize(*index, audience, resolution, 0);
    std::string root = summary.root == directory::kNoUnit ? std::string() : std::string(index->units().id(summary.root));
    return std::make_pair(resolution.posts.size(), std::move(root));
  };
  co_return co_await run_on(context.compute, std::move(count));
}

}  // namespace

std::string scheduled_etag(const broadcast::BroadcastInfo& info) {
  if (info.version <= 0 || info.state != "scheduled") return "";
  return "\"v" + std::to_string(info.version) + "\"";
}

awaitable<std::variant<Enqueued, http::Response>> plan_broadcast(Context context, std::shared_ptr<const directory::OrgIndex> index,
                                                                 broadcast::Spec spec, std::string request_json,
                                                                 broadcast::Store::IdempotencyHold hold) {
  auto [matched, root] = co_await matched_now(context, index, spec.audience);
  if (matched == 0) co_return co_await explain_empty_audience(context, index, spec.audience);
  spec.audience_root = root;
  auto id = co_await context.broadcasts->new_id();
  if (!id) co_return redis_unavailable(id.error().message());
  // The start first: one planned for a broadcast not made (a failed request) finds none and ends.
  std::string no_suffix;  // named: GCC 12 and temporaries inside a co_await
  auto started = co_await plan_start(context, *id, 1, *spec.send_at, *spec.send_at, no_suffix);
  if (!started) co_return redis_unavailable(started.error().message());
  auto made = co_await context.broadcasts->plan(spec, *id, matched, request_json, hold);
  if (!made) co_return redis_unavailable(made.error().message());
  if (made->empty())
    co_return http::problem(409, "in-progress", "Request in progress",
                            "another request with Idempotency-Key " + hold.key.substr(0, 200) + " took it over; retry to see its broadcast");
  context.log->info("broadcast", *id + " planned for " + format_utc(*spec.send_at) + ": " + std::to_string(matched) +
                                     " match its audience now; resolved again when it starts");
  co_return Enqueued{*id, matched, 0, root};
}

namespace {

// ---- Starting a planned broadcast --------------------------------------------

struct StartRun {
  Context context;
  std::string id, owner;
  long long version = 0;
  SysTime send_at;  // its planned time
};

// Ends it not sent, saying why, in the log and the audit trail.
awaitable<std::string> not_sent(StartRun run, broadcast::BroadcastInfo info, std::string why) {
  auto ended = co_await run.context.broadcasts->end_scheduled(run.id, run.version, run.owner, why);
  if (!ended) co_return "redis: " + ended.error().message();
  if (!*ended) co_return "";
  run.context.log->warn("broadcast", run.id + " not sent: " + why);
  audit::Entry entry;
  entry.who = info.author;
  entry.action = "send";
  entry.target = run.id;
  entry.unit = info.root;
  entry.summary = "scheduled broadcast not sent: " + why;
  entry.outcome = "refused";
  co_await keep_audit(run.context, std::move(entry));
  co_return "";
}

// Held by this run but not finished (Redis away, no index yet): let go, and
// try again in 10 s as a new item (the scheduler's own retries of one item
// are few; a start waits out an outage, up to its grace).
awaitable<std::string> let_go(StartRun run, std::string why) {
  co_await run.context.broadcasts->release_start(run.id, run.owner);
  const auto now = std::chrono::system_clock::now();
  std::string retry = "~" + std::to_string(epoch_ms(now));
  auto again = co_await plan_start(run.context, run.id, run.version, run.send_at, now + std::chrono::seconds(10), retry);
  if (!again) co_return why;  // not planned: the scheduler's retry of this item
  run.context.log->warn("broadcast", run.id + " not started yet (" + why + "); tried again in 10 s");
  co_return "";
}

// The request as its author would make it now, or why it cannot be made.
std::variant<broadcast::Spec, std::string> request_now(const Context& context, const directory::OrgIndex& index,
                                                       std::shared_ptr<const auth::Principal> author, const broadcast::BroadcastInfo& info,
                                                       SysTime now) {
  boost::system::error_code ec;
  auto body = json::parse(info.request_json, ec);
  if (ec || !body.is_object()) return std::string("its request could not be read");
  body.as_object().erase("send_at");  // its time is now
  http::Request as_author;
  as_author.principal = author;
  const CallerScope caller(as_author, index.units());
  const auto messaging = context.messaging();
  auto checks = spec_context(*messaging, now);
  checks.scope = &caller.scope();
  auto parsed = broadcast::parse_spec(body, index, checks);
  if (auto* problems = std::get_if<std::vector<directory::SelectorError>>(&parsed)) {
    const auto& first = problems->front();
    return "its request is no longer valid (" + first.pointer + ": " + first.message + ")";
  }
  auto spec = std::get<broadcast::Spec>(std::move(parsed));
  spec.author = info.author;
  return spec;
}

awaitable<std::string> start(Context context, schedule::Item item) {
  boost::system::error_code ec;
  auto payload = json::parse(item.payload, ec);
  const auto* o = !ec ? payload.if_object() : nullptr;
  if (!o || !o->contains("id") || !o->at("id").is_string() || !o->contains("version") || !o->at("version").is_int64()) co_return "";
  StartRun run{context, std::string(o->at("id").as_string()), new_owner(), o->at("version").as_int64(), {}};
  const auto* send_at_ms = o->if_contains("send_at_ms");
  auto found = co_await context.broadcasts->get(run.id);
  if (!found) co_return "redis: " + found.error().message();
  if (!*found) co_return "broadcast " + run.id + " is not made yet";  // its request may still be committing it; tried again
  auto info = std::move(**found);
  const auto planned = planned_send_at(info);
  // An edit plans its version's start before it writes the version: not there yet, so tried again (an edit that failed never gets there).
  if (info.version > 0 && info.version < run.version && info.state == "scheduled") co_return "version " + std::to_string(run.version) + " is not written yet";
  if (info.version != run.version || info.state != "scheduled") co_return "";  // changed (its new version's start is planned), cancelled or started
  if (!send_at_ms || !send_at_ms->is_int64() || !planned || epoch_ms(*planned) != send_at_ms->as_int64()) co_return "";  // an edit's start that lost its race
  run.send_at = *planned;
  auto took = co_await context.broadcasts->take_start(run.id, run.version, run.owner, kStartLease);
  if (!took) co_return "redis: " + took.error().message();
  if (took->starts_with("busy|")) {  // another instance is starting it; if it died, this takes it over when its hold runs out
    long long till = 0;
    std::from_chars(took->data() + 5, took->data() + took->size(), till);
    const SysTime again{std::chrono::milliseconds(till + 1000)};
    std::string retry = "~" + std::to_string(till);
    auto later = co_await plan_start(context, run.id, run.version, *planned, again, retry);
    if (!later) co_return "redis: " + later.error().message();
    co_return "";
  }
  if (*took != "ok") co_return "";
  // Late from its planned time (not the item's: a retry's due time is later).
  const auto now = std::chrono::system_clock::now();
  std::string refusal;  // why it will not be sent, if it will not
  if (now - run.send_at > kStartGrace) {
    const auto late = std::chrono::duration_cast<std::chrono::minutes>(now - run.send_at).count();
    refusal = "due at " + format_utc(run.send_at) + ", it could start only " + std::to_string(late) +
              " min later (the service was down), over the grace of " + std::to_string(kStartGrace.count()) + " min";
    co_return co_await not_sent(run, info, refusal);
  }
  auto index = context.watcher->index();
  if (!index) {
    refusal = "the directory index is not loaded yet";
    co_return co_await let_go(run, refusal);
  }
  auto author = co_await principal_now(context, info.author);
  if (auto* refused = std::get_if<http::Response>(&author)) {
    refusal = refused->status == 503 ? "Redis is away" : "its author " + info.author + " can no longer send (disabled, revoked or gone)";
    if (refused->status == 503) co_return co_await let_go(run, refusal);
    co_return co_await not_sent(run, info, refusal);
  }
  const auto caller = std::get<std::shared_ptr<const auth::Principal>>(author);
  const auto access = auth::access_for("POST", "/v1/broadcasts");
  if (access && access->permission && !caller->permissions.has(*access->permission)) {
    refusal = std::string("its author no longer has the permission ") + auth::name(*access->permission);
    co_return co_await not_sent(run, info, refusal);
  }
  auto made = request_now(context, *index, caller, info, now);
  if (auto* why = std::get_if<std::string>(&made)) {
    refusal = *why;
    co_return co_await not_sent(run, info, refusal);
  }
  broadcast::Store::IdempotencyHold no_key;
  SliceHook no_hook;  // named: GCC 12 mishandles temporaries with destructors inside a co_await
  std::optional<Starting> starting = Starting{run.id, broadcast::Store::Start{run.version, run.owner}};
  auto queued = co_await enqueue_broadcast(context, index, std::get<broadcast::Spec>(std::move(made)), std::move(no_key), no_hook, starting);
  if (auto* refused = std::get_if<http::Response>(&queued)) {
    if (refused->status >= 500) {
      refusal = "unavailable: " + refused->body.substr(0, 200);
      co_return co_await let_go(run, refusal);
    }
    if (refused->status == 422) {
      refusal = "its audience matches no one now";
      co_return co_await not_sent(run, info, refusal);
    }
    co_return "";  // cancelled or taken over while it was written: nothing of this run is sent
  }
  const auto& q = std::get<Enqueued>(queued);
  context.log->info("broadcast", run.id + " started: " + std::to_string(q.total) + " recipients as the directory is now");
  co_return "";
}

// ---- PATCH /v1/broadcasts/{id} ------------------------------------------------

http::Response not_editable(const std::string& id, const broadcast::BroadcastInfo& info) {
  if (info.version <= 0)
    return http::problem(409, "not-editable", "Not editable",
                         "broadcast " + id + " is " + info.state + " and its recipients are queued (it started, was sent at once, or was approved with "
                         "its audience as it was): only a broadcast planned for later that has not started can be changed; cancel it and post it again");
  return http::problem(409, "already-started", "No longer scheduled",
                       "broadcast " + id + " is " + info.state + ": only a scheduled broadcast that has not started can be changed");
}

// If-Match (RFC 9110): "*" or a list of entity tags, one of which is the current one. A tag sent without its quotes is read as quoted.
bool if_match_holds(std::string_view header, const std::string& etag) {
  std::size_t at = 0;
  while (at <= header.size()) {
    auto end = std::min(header.find(',', at), header.size());
    auto tag = header.substr(at, end - at);
    while (!tag.empty() && (tag.front() == ' ' || tag.front() == '\t')) tag.remove_prefix(1);
    while (!tag.empty() && (tag.back() == ' ' || tag.back() == '\t')) tag.remove_suffix(1);
    if (tag == "*" || tag == etag || (!tag.empty() && tag.front() != '"' && !tag.starts_with("W/") && "\"" + std::string(tag) + "\"" == etag)) return true;
    at = end + 1;
  }
  return false;
}

awaitable<http::Response> edit(Context context, http::Request& request) {
  const auto id = request.params["id"];
  auto found = co_await visible_broadcast(context, request, id);
  if (auto* refused = std::get_if<http::Response>(&found)) co_return std::move(*refused);
  auto info = std::get<broadcast::BroadcastInfo>(std::move(found));
  if (info.version <= 0 || info.state != "scheduled") co_return not_editable(id, info);
  // It is sent in its author's name: changed by its author, or by someone who may approve others' broadcasts.
  if (info.author != request.principal->tag() && !request.principal->permissions.has(auth::Permission::approve))
    co_return http::problem(403, "forbidden", "Not yours to change",
                            "broadcast " + id + " is sent in the name of " + info.author +
                                ": only they, or someone with the approve permission over it, may change it (cancelling it is open to you)");
  const auto etag = scheduled_etag(info);
  // A list header: several If-Match lines are one list (RFC 9110 5.3).
  std::string if_match;
  for (const auto& [name, value] : request.headers)
    if (name == "if-match") if_match += (if_match.empty() ? "" : ", ") + value;
  if (if_match.empty())
    co_return http::problem(428, "precondition-required", "If-Match required",
                            "send If-Match: " + etag + " (the ETag of GET /v1/broadcasts/" + id + ") so that a change made meanwhile is not overwritten");
  if (!if_match_holds(if_match, etag))
    co_return http::problem(412, "precondition-failed", "Changed since",
                            "If-Match " + quoted_input(if_match, 40) + " is not its version: it is now " + etag + "; read it again");
  http::Response error;
  auto patch = parse_json_body(request, error);
  if (!patch) co_return error;
  auto index = context.watcher->index();
  if (!index) co_return index_unavailable();
  // The stored request with the changed fields, read as POST /v1/broadcasts reads one, with the caller's scope.
  boost::system::error_code ec;
  auto body = json::parse(info.request_json, ec);
  if (ec || !body.is_object()) co_return redis_unavailable("the broadcast's request could not be read");
  for (const auto& [key, value] : patch->as_object()) body.as_object()[key] = value;
  const auto now = std::chrono::system_clock::now();
  const CallerScope caller(request, index->units());
  const auto messaging = context.messaging();
  auto checks = spec_context(*messaging, now);
  checks.scope = &caller.scope();
  auto parsed = broadcast::parse_spec(body, *index, checks);
  if (auto* problems = std::get_if<std::vector<directory::SelectorError>>(&parsed)) co_return pointer_problem("Invalid change", *problems);
  auto spec = std::get<broadcast::Spec>(std::move(parsed));
  spec.author = info.author;
  if (!spec.send_at || *spec.send_at <= now)
    co_return pointer_problem("Invalid change", {{"/send_at", "a scheduled broadcast is changed to be sent later than now; to send it now, cancel it and post it without send_at"}});
  if (auto* o = body.if_object(); o && patch->as_object().contains("audience")) {  // run again with the units the caller's scope gave it
    if (auto audience = json::parse(spec.audience_json, ec); !ec) (*o)["audience"] = std::move(audience);
  }
  // It starts in its author's name, with the author's scope: a change the author could not send is refused now, not at its time.
  if (info.author != request.principal->tag()) {
    auto author = co_await principal_now(context, info.author);
    if (auto* refused = std::get_if<http::Response>(&author)) co_return std::move(*refused);
    const CallerScope author_scope(std::get<std::shared_ptr<const auth::Principal>>(author).get(), index->units());
    auto as_author = spec_context(*messaging, now);
    as_author.scope = &author_scope.scope();
    auto checked = broadcast::parse_spec(body, *index, as_author);
    if (auto* problems = std::get_if<std::vector<directory::SelectorError>>(&checked))
      co_return pointer_problem("Invalid change: it is sent in the name of its author " + info.author + ", whose scope this does not fit", *problems);
  }
  // Moved into a blackout (its time or its audience): refused as a new request would be.
  if (auto refused = refused_by_blackout(context, *index, spec)) co_return std::move(*refused);
  auto [matched, root] = co_await matched_now(context, index, spec.audience);
  if (matched == 0) co_return co_await explain_empty_audience(context, index, spec.audience);
  // A larger audience is held to the caller's threshold and daily quota as a new request would be.
  auto ruled = co_await apply_rules_to_grown_audience(context, request.principal, static_cast<long long>(info.total), static_cast<long long>(matched));
  if (auto* refused = std::get_if<http::Response>(&ruled)) co_return std::move(*refused);
  spec.audience_root = root;
  // The next version's start, planned before it exists: if the edit loses a race it finds another version and ends.
  // Nothing changed after all (Redis away): what was taken from the quota goes back.
  auto give_back = [context, ruled]() -> awaitable<void> {
    if (const auto* taken = std::get_if<QuotaTaken>(&ruled)) co_await give_back_send_quota(context, *taken);
  };
  std::string no_suffix;  // named: GCC 12 and temporaries inside a co_await
  auto planned = co_await plan_start(context, id, info.version + 1, *spec.send_at, *spec.send_at, no_suffix);
  if (!planned) {
    co_await give_back();
    co_return redis_unavailable(planned.error().message());
  }
  std::vector<std::pair<std::string, std::string>> fields = {
      {"request", json::serialize(body)}, {"message", broadcast::message_json(spec)}, {"audience", spec.audience_json},
      {"total", std::to_string(matched)},   {"root", root}};
  auto edited = co_await context.broadcasts->edit_scheduled(id, info.version, std::move(fields));
  if (!edited) {
    co_await give_back();
    co_return redis_unavailable(edited.error().message());
  }
  if (*edited == "stale" || *edited == "starting" || edited->empty() || !std::isdigit(static_cast<unsigned char>((*edited)[0]))) {
    co_await give_back();
    if (*edited == "stale")
      co_return http::problem(412, "precondition-failed", "Changed since", "broadcast " + id + " was changed by another request meanwhile; read it again");
    info.state = *edited == "starting" ? "starting now" : edited->empty() ? "gone" : *edited;
    info.version = 1;
    co_return not_editable(id, info);
  }
  std::string changed;
  for (const auto& [key, value] : patch->as_object()) changed += (changed.empty() ? "" : ", ") + std::string(key);
  auto entry = audit_entry(context, request, "broadcast_edit", id);
  entry.unit = root;
  entry.count = static_cast<long long>(matched);
  entry.summary = "changed " + changed + "; to be sent at " + format_utc(*spec.send_at);
  co_await keep_audit(context, std::move(entry));
  json::object out{{"id", id}, {"state", "scheduled"}, {"version", std::atoll(edited->c_str())}, {"send_at", format_utc(*spec.send_at)},
                   {"recipients", matched}, {"note", "its audience is resolved again when it starts"}};
  auto response = http::json_response(200, json_text(out));
  response.headers.emplace_back("ETag", "\"v" + *edited + "\"");
  response.headers.emplace_back("Location", "/v1/broadcasts/" + id);
  co_return response;
}

}  // namespace

void add_scheduled_broadcast_routes(http::Router& router, const Context& context) {
  router.add("PATCH", "/v1/broadcasts/{id}", [context](http::Request& r) { return edit(context, r); });
}

void run_scheduled_broadcasts(const Context& context) {
  if (!context.scheduler) return;
  context.scheduler->on(kStartKind, [context](const schedule::Item& item) { return start(context, item); });
}

}  // namespace orgcast::api
